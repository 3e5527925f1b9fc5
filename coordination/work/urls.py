"""Pages of the working side of coordination bodies, included by coordination/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("work/", views.work_index, name="work_index"),
    path("work/framework/", views.framework_page, name="work_framework"),
    path("work/statistics/", views.statistics_page, name="work_statistics"),
    path("work/bodies/<int:pk>/", views.body_detail, name="work_body"),
    path("work/bodies/<int:pk>/meetings/new/", views.meeting_schedule, name="work_meeting_new"),
    path("work/bodies/<int:pk>/plans/new/", views.plan_create, name="work_plan_new"),
    path("work/bodies/<int:pk>/board/", views.action_board_page, name="work_board"),
    path("work/bodies/<int:pk>/report/<int:year>.pdf", views.annual_report, name="work_report"),
    path("work/meetings/<int:pk>/", views.meeting_page, name="work_meeting"),
    path("work/meetings/<int:pk>/<slug:action>/", views.meeting_action, name="work_meeting_action"),
    path("work/items/<int:pk>/", views.action_item_page, name="work_item"),
    path("work/items/<int:pk>/<slug:action>/", views.action_item_action, name="work_item_action"),
    path("work/plans/<int:pk>/", views.plan_page, name="work_plan"),
    path("work/plans/<int:pk>/<slug:action>/", views.plan_action, name="work_plan_action"),
]
