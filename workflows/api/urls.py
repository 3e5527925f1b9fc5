"""API routes of workflows (namespace "api"). Each part registers its viewsets here."""

from rest_framework.routers import SimpleRouter

from .cases import CaseViewSet, IndicatorViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("indicators", IndicatorViewSet, basename="indicator")

urlpatterns = [*router.urls]
