from django.urls import path, re_path

from reports import profiles, views

app_name = "reports"

FORMAT = r"(?P<fmt>xlsx|csv|pdf)"

urlpatterns = [
    path("partners/<str:code>/", profiles.partner_profile, name="partner"),
    path("partners/<str:code>/values.csv", profiles.values_csv, name="partner-values"),
    path("partners/<str:code>/mobility.csv", profiles.mobility_csv, name="partner-mobility"),
    path("reports/stocktaking/", views.stocktaking, name="stocktaking"),
    re_path(rf"^reports/stocktaking/{FORMAT}/$", views.download, name="download"),
    re_path(rf"^reports/stocktaking/{FORMAT}/progress/$", views.export, name="export"),
    re_path(rf"^reports/stocktaking/{FORMAT}/status/$", views.export_status, name="export-status"),
]
