"""The reports' API addresses, included under /api/v1/reports/ (inside the api namespace)."""

from django.urls import path

from reports.api import StocktakingReportView

urlpatterns = [
    path("stocktaking/", StocktakingReportView.as_view(), name="report-stocktaking"),
]
