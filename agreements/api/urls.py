"""API routes of agreements (namespace "api")."""

from concord.api import Router as SimpleRouter

from .views import AgreementViewSet, TemplateViewSet

router = SimpleRouter()
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("agreement-templates", TemplateViewSet, basename="agreement-template")

urlpatterns = [*router.urls]
