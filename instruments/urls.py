from django.urls import path

from instruments import views

app_name = "instruments"

urlpatterns = [
    path("instruments/", views.instrument_list, name="list"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument"),
]
