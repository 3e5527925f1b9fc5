"""API routes of return procedures (namespace "api")."""

from concord.api import Router as SimpleRouter

from .views import ReturnProcedureViewSet

router = SimpleRouter()
router.register("returns", ReturnProcedureViewSet, basename="return")

urlpatterns = router.urls
