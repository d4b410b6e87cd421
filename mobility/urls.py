from django.urls import path

from mobility import views

app_name = "mobility"

urlpatterns = [
    path("activities/", views.activity_list, name="activities"),
    path("activities/<slug:slug>/", views.activity_detail, name="activity"),
    path("partners/", views.partner_list, name="partners"),
    path("mobility/", views.mobility, name="mobility"),
]
