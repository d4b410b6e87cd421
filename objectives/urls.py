from django.urls import path

from objectives import compare_views, views

app_name = "objectives"

urlpatterns = [
    path("objectives/", views.objective_list, name="list"),
    path("objectives/<int:number>/", views.objective_detail, name="objective"),
    path("objectives/<int:number>/partners/", compare_views.objective_partners, name="objective-partners"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/partners/", compare_views.indicator_partners, name="indicator-partners"),
]
