"""The workspace's addresses, with the accounts' (sign in, password) that lead to it: namespace "workspace"."""

from django.urls import path, re_path

from workspace import accounts, return_files, returns, views

app_name = "workspace"

urlpatterns = [
    *accounts.urlpatterns,
    path("workspace/", views.home, name="home"),
    path("workspace/activities/new/", views.activity_new, name="activity-new"),
    path("workspace/activities/<slug:slug>/", views.activity, name="activity"),
    path("workspace/activities/<slug:slug>/edit/", views.activity_edit, name="activity-edit"),
    path("workspace/activities/<slug:slug>/submit/", views.activity_submit, name="activity-submit"),
    path("workspace/activities/<slug:slug>/history/", views.activity_history, name="activity-history"),
    path("workspace/activities/<slug:slug>/revert/", views.activity_revert, name="activity-revert"),
    path("workspace/review/", views.review, name="review"),
    path("workspace/review/<slug:slug>/approve/", views.review_approve, name="review-approve"),
    path("workspace/review/<slug:slug>/return/", views.review_return, name="review-return"),
    path("workspace/mobility/", views.flows, name="flows"),
    re_path(r"^workspace/mobility/template\.(?P<fmt>csv|xlsx)$", views.flow_template, name="flow-template"),
    path("workspace/mobility/uploads/<str:job_id>/", views.upload, name="upload"),
    path("workspace/mobility/uploads/<str:job_id>/status/", views.upload_status, name="upload-status"),
    path("workspace/mobility/flows/<int:pk>/history/", views.flow_history, name="flow-history"),
    path("workspace/mobility/flows/<int:pk>/revert/", views.flow_revert, name="flow-revert"),
    path("workspace/token/", views.token, name="token"),
    path("workspace/returns/", returns.return_list, name="returns"),
    path("workspace/returns/<int:pk>/", returns.return_edit, name="return"),
    path("workspace/returns/<int:pk>/submit/", returns.return_submit, name="return-submit"),
    path("workspace/returns/<int:pk>/history/", returns.return_history, name="return-history"),
    path("workspace/returns/<int:pk>/revert/", returns.return_revert, name="return-revert"),
    re_path(r"^workspace/returns/(?P<pk>[0-9]+)/template\.(?P<fmt>csv|xlsx)$", return_files.template,
            name="return-template"),
    path("workspace/returns/<int:pk>/upload/", return_files.upload, name="return-upload"),
    path("workspace/review/returns/", returns.review_returns, name="review-returns"),
    path("workspace/returns/<int:pk>/review/", returns.return_review, name="return-review"),
    path("workspace/returns/<int:pk>/approve/", returns.return_approve, name="return-approve"),
    path("workspace/returns/<int:pk>/return/", returns.return_return, name="return-return"),
]
