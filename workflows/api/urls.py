"""API routes of workflows (namespace "api"). Each part registers its viewsets here."""

from django.urls import path

from concord.api import Router as SimpleRouter

from .cases import CaseViewSet, IndicatorViewSet
from .referrals import CaseTransferLeadView, ReferralViewSet
from .returns import ReturnBoardCsvView, ReturnBoardView, ReturnProcedureViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("returns", ReturnProcedureViewSet, basename="return")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    *router.urls,
    path("return-board/", ReturnBoardView.as_view(), name="return-board"),
    path("return-board/csv/", ReturnBoardCsvView.as_view(), name="return-board-csv"),
    path(
        "cases/<int:pk>/transfer-lead/",
        CaseTransferLeadView.as_view({"post": "create"}),
        name="case-transfer-lead",
    ),
]
