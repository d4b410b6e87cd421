"""The workspace's API addresses, included in /api/v1/ (inside the api namespace) before the routers' own."""

from django.urls import path

from workspace import api

urlpatterns = [
    path("me/token/", api.TokenView.as_view(), name="me-token"),
    path("mobility/flows/import/", api.FlowImportView.as_view(), name="flow-import"),
    path("mobility/flows/<int:pk>/history/", api.FlowHistoryView.as_view(), name="flow-history"),
    path("activities/<slug:slug>/history/", api.ActivityHistoryView.as_view(), name="activity-history"),
]
