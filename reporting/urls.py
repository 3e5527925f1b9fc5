from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("work/statistics/", views.statistics_page, name="statistics"),
    path("work/bodies/<int:pk>/report/<int:year>.pdf", views.annual_report, name="annual-report"),
    path("returns/board/", views.return_board, name="return-board"),
    path("returns/board.csv", views.return_board_csv, name="return-board-csv"),
]
