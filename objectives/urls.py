from django.urls import path

from objectives import views

app_name = "objectives"

urlpatterns = [
    path("objectives/", views.objective_list, name="list"),
    path("objectives/<int:number>/", views.objective_detail, name="objective"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
]
