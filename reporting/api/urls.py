"""API routes of reporting (namespace "api")."""

from django.urls import path

from . import views

urlpatterns = [
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path(
        "bodies/<int:body_pk>/annual-report/<int:year>/",
        views.AnnualReportView.as_view(),
        name="annual-report",
    ),
    path("return-board/", views.ReturnBoardView.as_view(), name="return-board"),
    path("return-board/csv/", views.ReturnBoardCsvView.as_view(), name="return-board-csv"),
]
