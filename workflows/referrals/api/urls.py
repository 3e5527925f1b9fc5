"""API routes of referrals (namespace "api")."""

from django.urls import path

from concord.api import Router as SimpleRouter

from .views import CaseTransferLeadView, ReferralViewSet

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    *router.urls,
    path(
        "cases/<int:pk>/transfer-lead/",
        CaseTransferLeadView.as_view({"post": "create"}),
        name="case-transfer-lead",
    ),
]
