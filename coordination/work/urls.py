"""Pages of the working side of coordination bodies."""

from django.urls import path

from . import views

app_name = "work"
urlpatterns = [
    path("work/", views.work_index, name="index"),
    path("work/framework/", views.framework_page, name="framework"),
    path("work/bodies/<int:pk>/", views.body_detail, name="body"),
    path("work/bodies/<int:pk>/meetings/new/", views.meeting_schedule, name="meeting-new"),
    path("work/bodies/<int:pk>/plans/new/", views.plan_create, name="plan-new"),
    path("work/bodies/<int:pk>/board/", views.action_board_page, name="board"),
    path("work/meetings/<int:pk>/", views.meeting_page, name="meeting"),
    path("work/meetings/<int:pk>/<slug:action>/", views.meeting_action, name="meeting-action"),
    path("work/items/<int:pk>/", views.action_item_page, name="item"),
    path("work/items/<int:pk>/<slug:action>/", views.action_item_action, name="item-action"),
    path("work/plans/<int:pk>/", views.plan_page, name="plan"),
    path("work/plans/<int:pk>/<slug:action>/", views.plan_action, name="plan-action"),
]
