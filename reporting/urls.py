from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<slug:slug>/", views.round_detail, name="round"),
]
