"""API routes of coordination (namespace "api")."""

from concord.api import Router as SimpleRouter

from .views import (
    CoordinationBodyViewSet,
    CountryViewSet,
    MembershipViewSet,
    OrganisationViewSet,
    ServiceViewSet,
)

router = SimpleRouter()
router.register("countries", CountryViewSet, basename="country")
router.register("services", ServiceViewSet, basename="service")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("coordination-bodies", CoordinationBodyViewSet, basename="coordination-body")

urlpatterns = router.urls
