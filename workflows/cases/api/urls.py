"""API routes of case work (namespace "api")."""

from concord.api import Router as SimpleRouter

from .views import CaseViewSet, IndicatorViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("indicators", IndicatorViewSet, basename="indicator")

urlpatterns = router.urls
