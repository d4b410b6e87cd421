from django.urls import path, re_path

from reports import views

app_name = "reports"

FORMAT = r"(?P<fmt>xlsx|csv)"

urlpatterns = [
    path("reports/stocktaking/", views.stocktaking, name="stocktaking"),
    re_path(rf"^reports/stocktaking/{FORMAT}/$", views.download, name="download"),
    re_path(rf"^reports/stocktaking/{FORMAT}/progress/$", views.export, name="export"),
    re_path(rf"^reports/stocktaking/{FORMAT}/status/$", views.export_status, name="export-status"),
]
