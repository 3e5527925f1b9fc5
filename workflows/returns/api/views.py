"""API of return procedures: list, detail (as the user's side may see it), request, every
transition and record as a POST action (`/api/returns/<id>/<verb>/`). The ministries' corridor
board is served by reporting (`/api/return-board/`).

Reads go through `returns_visible_to` (hidden is 404); writes through the services via the shared
action table (workflows.returns.actions).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from coordination.models import Country, Organisation
from workflows.cases.api.views import ERRORS
from workflows.cases.selectors import cases_visible_to
from workflows.returns import actions as return_actions
from workflows.returns.models import ReturnProcedure
from workflows.returns.selectors import return_detail, return_get_visible, returns_visible_to
from workflows.returns.services import return_request


class CountryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReturnListSerializer(serializers.ModelSerializer):
    """A row of the list: no identifying detail (the case appears as its pseudonymous reference)."""

    case_reference = serializers.CharField(source="case.reference")
    returning_country = serializers.CharField(source="returning_country_id")
    receiving_country = serializers.CharField(source="receiving_country_id")
    returning_authority = serializers.CharField(source="returning_authority.name")
    receiving_authority = serializers.CharField(source="receiving_authority.name")

    class Meta:
        model = ReturnProcedure
        fields = [
            "id",
            "reference",
            "state",
            "case_reference",
            "returning_country",
            "receiving_country",
            "returning_authority",
            "receiving_authority",
            "requested_at",
        ]


class ChecklistItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    holds = serializers.BooleanField()
    not_applicable = serializers.BooleanField()
    code = serializers.CharField(help_text="The guard's code when it does not hold.")
    message = serializers.CharField(help_text="Why: the rule and the seed.")
    seed = serializers.CharField()
    applies_to = serializers.ListField(child=serializers.CharField())


class TimelineStepSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    current = serializers.BooleanField()
    entered_at = serializers.DateTimeField(allow_null=True)
    left_at = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    returning_organisation = serializers.DictField(allow_null=True)
    receiving_organisation = serializers.DictField(allow_null=True)


class RiskPartSerializer(serializers.Serializer):
    side = serializers.CharField()
    submitted = serializers.BooleanField()
    visible = serializers.BooleanField(
        help_text="False: the other State's part, withheld without information-exchange coverage."
    )
    ratings = serializers.ListField(child=serializers.DictField(), required=False)


class RiskAssessmentSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    overall_level = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    parts = RiskPartSerializer(many=True)


class ReturnDetailSerializer(serializers.Serializer):
    """The procedure as the user's side may see it (see selectors.returns.return_detail)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()
    your_sides = serializers.ListField(child=serializers.CharField())
    information_exchange = serializers.BooleanField()
    case = serializers.DictField()
    returning_country = CountryRefSerializer()
    receiving_country = CountryRefSerializer()
    timeline = TimelineStepSerializer(many=True)
    checklist = ChecklistItemSerializer(many=True)
    risk_assessments = RiskAssessmentSerializer(many=True)
    decisions = serializers.ListField(child=serializers.DictField())
    reintegration_services = serializers.ListField(child=serializers.DictField())
    travel_documents = serializers.ListField(child=serializers.DictField())
    monitoring_visits = serializers.ListField(child=serializers.DictField())
    alerts = serializers.ListField(child=serializers.DictField())
    events = serializers.ListField(child=serializers.DictField())


class ReturnRequestSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="Id of a case your organisation holds.")
    receiving_country = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all())
    returning_authority = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True)
    )
    receiving_authority = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True)
    )
    monitoring_months = return_actions.MonthsField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _detail(request: Request, procedure: ReturnProcedure) -> dict[str, Any]:
    return return_detail(user=request.user, procedure=procedure)


class ReturnProcedureViewSet(viewsets.GenericViewSet):
    """Return procedures your organisation is involved in."""

    serializer_class = ReturnDetailSerializer
    queryset = ReturnProcedure.objects.none()

    def get_queryset(self) -> Any:
        return returns_visible_to(user=self.request.user)

    @extend_schema(responses={200: ReturnListSerializer(many=True), **ERRORS})
    def list(self, request: Request) -> Response:
        from concord.api import Pagination

        qs = self.get_queryset().order_by("-requested_at", "-id")
        state = request.query_params.get("state")
        if state:
            qs = qs.filter(state=state)
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ReturnListSerializer(page, many=True).data)

    @extend_schema(responses={200: ReturnDetailSerializer, **ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        procedure = return_get_visible(user=request.user, pk=pk or "")
        return Response(_detail(request, procedure))

    @extend_schema(
        request=ReturnRequestSerializer, responses={201: ReturnDetailSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        """Request a return for a case your organisation holds."""
        from django.http import Http404

        serializer = ReturnRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = cases_visible_to(user=request.user).filter(pk=data.pop("case")).first()
        if case is None:
            raise Http404("No such case.")
        procedure = return_request(case=case, actor=request.user, **data)
        return Response(_detail(request, procedure), status=status.HTTP_201_CREATED)


def _make_action(name: str) -> Any:
    from rest_framework.decorators import action as drf_action

    action = return_actions.ACTIONS[name]

    def view(self: Any, request: Request, pk: str | None = None) -> Response:
        procedure = return_get_visible(user=request.user, pk=pk or "")
        return_actions.run_action(name, procedure=procedure, actor=request.user, data=request.data)
        procedure.refresh_from_db()
        return Response(_detail(request, procedure))

    view.__name__ = name.replace("-", "_")
    # extend_schema goes on the action (outside @action): inside it, drf-spectacular never saw
    # it, and the schema lacked the 409 every refused transition answers.
    return extend_schema(
        operation_id=f"returns_{name.replace('-', '_')}",
        summary=str(action.label),
        request=action.serializer,
        responses={200: ReturnDetailSerializer, **ERRORS},
        tags=["returns"],
    )(drf_action(detail=True, methods=["post"], url_path=name)(view))


for _name in return_actions.ACTIONS:
    setattr(ReturnProcedureViewSet, _name.replace("-", "_"), _make_action(_name))
