from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<slug:slug>/", views.round_detail, name="round"),
    path("rounds/<slug:slug>/board/", views.round_board, name="board"),
    path("rounds/<slug:slug>/board/<int:pk>/remind/", views.board_remind, name="board-remind"),
]
