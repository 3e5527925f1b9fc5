"""Referrals API: inbox/outbox lists (keyed visibility rows), the need-to-know summary, and every
transition as a POST action. Identifying details never travel in a referral: the receiver reads
them through `GET /api/cases/{id}/details/` once acceptance and consent allow it (logged)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from concord.api import CappedCountPagination
from concord.errors import ApplicationError
from coordination.models import Organisation
from workflows.cases.api.views import (
    ERRORS,
    CaseSummarySerializer,
    EventSerializer,
    OrganisationRefSerializer,
)
from workflows.cases.selectors import cases_visible_to

from .. import services
from ..models import Box, DeclineReason, Referral, ReferralState, Urgency
from ..selectors import (
    referral_case_visible,
    referral_completed_for_response,
    referral_events,
    referral_get_visible,
    referral_get_visible_key,
    referral_list,
)

# Once declined or withdrawn, the receiver no longer sees the case (its grants were taken back).
RECEIVER_LOSES_CASE = (ReferralState.DECLINED, ReferralState.WITHDRAWN)


class ReferralSerializer(serializers.ModelSerializer):
    """A referral and, while the user's organisation may see it, its case's need-to-know summary
    (never an identifying detail)."""

    reference = serializers.CharField(read_only=True)
    sender = OrganisationRefSerializer()
    receiver = OrganisationRefSerializer()
    services = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField()
    is_cross_border = serializers.BooleanField()
    legal_basis = serializers.IntegerField(source="legal_basis_id", allow_null=True)
    case = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "state",
            "urgency",
            "sender",
            "receiver",
            "services",
            "needs",
            "created_at",
            "submitted_at",
            "deadline",
            "is_overdue",
            "answered_at",
            "completed_at",
            "escalated_at",
            "decline_reason",
            "is_cross_border",
            "legal_basis",
            "is_child_protection_referral",
            "case",
        ]

    def get_services(self, obj: Referral) -> list[str]:
        return [s.pk for s in obj.services.all()]

    @extend_schema_field(CaseSummarySerializer(allow_null=True))
    def get_case(self, obj: Referral) -> dict[str, Any] | None:
        if not self.context.get("case_visible", {}).get(obj.pk, False):
            return None
        return dict(CaseSummarySerializer(obj.case).data)


class CreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="Id of a case your organisation holds.")
    receiver = serializers.IntegerField(help_text="Id of the receiving organisation.")
    services = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    needs = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    submit = serializers.BooleanField(default=False, help_text="Submit at once.")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=4000)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class TransferSerializer(serializers.Serializer):
    to = serializers.IntegerField(help_text="Id of the organisation that takes the lead.")
    reason = serializers.CharField(max_length=4000)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _organisation(pk: int, field: str) -> Organisation:
    org = Organisation.objects.filter(pk=pk, is_active=True).first()
    if org is None:
        raise ApplicationError("Unknown organisation.", fields={field: ["Unknown organisation."]})
    return org


def _action(request_serializer: Any, description: str) -> Any:
    return extend_schema(
        request=request_serializer,
        responses={200: ReferralSerializer, **ERRORS},
        description=description,
    )


class ReferralViewSet(viewsets.GenericViewSet):
    """Referrals your organisations send (outbox) or receive (inbox)."""

    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()
    # An inbox grows with the years: its count stops 1,000 rows past the page (concord.paging).
    pagination_class = CappedCountPagination

    def _pk(self) -> int:
        try:
            return int(self.kwargs["pk"])
        except ValueError as exc:
            raise NotFound() from exc

    def _referral(self) -> Referral:
        """The visible referral's key, for a service to lock and read in full (hidden is 404)."""
        try:
            return referral_get_visible_key(user=self.request.user, pk=self._pk())
        except Referral.DoesNotExist as exc:
            raise NotFound() from exc

    def _respond(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        """The referral as the user sees it now, read through the selector."""
        referral = referral_get_visible(user=self.request.user, pk=referral.pk)
        return self._serialise(referral, code=code)

    def _respond_changed(self, referral: Referral, *, case_visible: bool | None = None) -> Response:
        """The referral a transition's service returned: it was read under the row lock, changed
        and committed in the same request, so it is serialised as it is rather than read again.
        `case_visible` when the service guarantees it (see referral_accept), else it is asked."""
        referral = referral_completed_for_response(referral=referral)
        return self._serialise(referral, case_visible=case_visible)

    def _serialise(
        self,
        referral: Referral,
        *,
        case_visible: bool | None = None,
        code: int = status.HTTP_200_OK,
    ) -> Response:
        if case_visible is None:
            case_visible = referral_case_visible(user=self.request.user, referral=referral)
        return Response(
            ReferralSerializer(
                referral, context={"case_visible": {referral.pk: case_visible}}
            ).data,
            status=code,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("box", enum=[Box.INBOX, Box.OUTBOX], description="Default: inbox."),
            OpenApiParameter("state", enum=ReferralState.values),
            OpenApiParameter("urgency", enum=Urgency.values),
            OpenApiParameter("overdue", bool),
        ],
        responses={200: ReferralSerializer(many=True), **{k: ERRORS[k] for k in (400, 403)}},
    )
    def list(self, request: Request) -> Response:
        """Inbox (default) or outbox, soonest deadline first; a fixed number of queries.

        `count` is exact up to 1,000 referrals past the start of the page and a lower bound
        beyond, with `count_capped` true: counting a whole inbox of a busy organisation is the
        one cost of this list that grows with the data."""
        box = request.query_params.get("box", Box.INBOX)
        state = request.query_params.get("state") or None
        urgency = request.query_params.get("urgency") or None
        errors = {}
        if box not in Box.values:
            errors["box"] = ["Choose inbox or outbox."]
        if state and state not in ReferralState.values:
            errors["state"] = ["Unknown state."]
        if urgency and urgency not in Urgency.values:
            errors["urgency"] = ["Unknown urgency."]
        if errors:
            raise ApplicationError("Invalid filter.", fields=errors)
        rows = referral_list(
            user=request.user,
            box=box,
            state=state,
            urgency=urgency,
            overdue=request.query_params.get("overdue") in {"1", "true", "yes"},
        ).prefetch_related("referral__services")
        page = self.paginate_queryset(rows) or []
        referrals = [row.referral for row in page]
        visible = {r.pk: box == Box.OUTBOX or r.state not in RECEIVER_LOSES_CASE for r in referrals}
        data = ReferralSerializer(referrals, many=True, context={"case_visible": visible}).data
        return self.get_paginated_response(data)

    @extend_schema(responses={200: ReferralSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: str) -> Response:
        try:
            referral = referral_get_visible(user=request.user, pk=self._pk())
        except Referral.DoesNotExist as exc:
            raise NotFound() from exc
        return self._serialise(referral)

    @extend_schema(request=CreateSerializer, responses={201: ReferralSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        """A referral of a case your organisation holds (a draft, or submitted with submit=true).

        With submit=true the referral is created and submitted in one transaction: a refused
        submission (409) or a failure on the way leaves no draft behind."""
        data = _valid(CreateSerializer, request)
        case = cases_visible_to(user=request.user).filter(pk=data["case"]).first()
        if case is None:
            raise ApplicationError(
                "Unknown case.", fields={"case": ["No such case visible to you."]}
            )
        with transaction.atomic():
            referral = services.referral_create(
                case=case,
                receiver=_organisation(data["receiver"], "receiver"),
                actor=request.user,
                services=data.get("services", []),
                urgency=data["urgency"],
                needs=data.get("needs", ""),
            )
            if data["submit"]:
                referral = services.referral_submit(referral=referral, actor=request.user)
        return self._respond(referral, status.HTTP_201_CREATED)

    @extend_schema(responses={200: EventSerializer(many=True), 404: ERRORS[404]})
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str) -> Response:
        """Every transition: who, when, from, to, why."""
        return Response(EventSerializer(referral_events(referral=self._referral()), many=True).data)

    @_action(None, "Send the referral (guards: asylum, cross-border legal basis, child, consent).")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._respond_changed(
            services.referral_submit(referral=self._referral(), actor=request.user)
        )

    @_action(TextSerializer, "Answer an information request and send the referral again.")
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str) -> Response:
        data = _valid(TextSerializer, request)
        return self._respond_changed(
            services.referral_resubmit(
                referral=self._referral(), actor=request.user, answer=data.get("text", "")
            )
        )

    @_action(None, "Accept; identifying details follow only where consent covers the receiver.")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        # referral_accept guarantees its receiver the case's summary, and only the receiver's
        # case workers may accept: the actor sees the case.
        return self._respond_changed(
            services.referral_accept(referral=self._referral(), actor=request.user),
            case_visible=True,
        )

    @_action(DeclineSerializer, "Decline with a reason from the list; what was shared is revoked.")
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        data = _valid(DeclineSerializer, request)
        return self._respond_changed(
            services.referral_decline(
                referral=self._referral(),
                actor=request.user,
                reason=data["reason"],
                text=data.get("text", ""),
            )
        )

    @_action(QuestionSerializer, "Ask the sender for more information.")
    @action(detail=True, methods=["post"], url_path="request-information")
    def request_information(self, request: Request, pk: str) -> Response:
        data = _valid(QuestionSerializer, request)
        return self._respond_changed(
            services.referral_request_information(
                referral=self._referral(), actor=request.user, question=data["question"]
            )
        )

    @_action(None, "Start providing the services.")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        return self._respond_changed(
            services.referral_start(referral=self._referral(), actor=request.user)
        )

    @_action(TextSerializer, "Complete the referral, with its outcome.")
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        data = _valid(TextSerializer, request)
        return self._respond_changed(
            services.referral_complete(
                referral=self._referral(), actor=request.user, outcome=data.get("text", "")
            )
        )

    @_action(TextSerializer, "Withdraw (sender, before completion); the receiver loses access.")
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        data = _valid(TextSerializer, request)
        return self._respond_changed(
            services.referral_withdraw(
                referral=self._referral(), actor=request.user, reason=data.get("text", "")
            )
        )


class CaseTransferLeadView(viewsets.ViewSet):
    """`POST /api/cases/{id}/transfer-lead/`: hand a case's lead to another organisation under the
    referral rules (asylum, cross-border legal basis, consent to share the identifying details)."""

    serializer_class = TransferSerializer

    @extend_schema(request=TransferSerializer, responses={200: CaseSummarySerializer, **ERRORS})
    def create(self, request: Request, pk: str) -> Response:
        case = cases_visible_to(user=request.user).filter(pk=pk).first()
        if case is None:
            raise NotFound()
        data = _valid(TransferSerializer, request)
        case = services.case_transfer_lead(
            case=case,
            to=_organisation(data["to"], "to"),
            actor=request.user,
            reason=data["reason"],
        )
        return Response(CaseSummarySerializer(case).data)
