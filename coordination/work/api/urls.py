"""API routes of the working side of coordination bodies (namespace "api")."""

from django.urls import include, path

from concord.api import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("action-plans", views.ActionPlanViewSet, basename="action-plan")
router.register("plan-measures", views.PlanMeasureViewSet, basename="plan-measure")
router.register("measure-indicators", views.MeasureIndicatorViewSet, basename="measure-indicator")
router.register("framework-rows", views.FrameworkRowViewSet, basename="framework-row")

urlpatterns = [path("", include(router.urls))]
