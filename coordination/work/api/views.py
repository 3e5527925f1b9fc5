"""API for meetings, action items, plans, the Framework rows, statistics and the annual report.

Reads go through the same selectors as the pages (unseen objects are 404); writes call services;
transitions are POST actions (/api/<things>/<id>/<verb>/). Errors: {"code", "detail", "fields"}.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from concord.api import error_responses
from coordination.work.models import AgendaItem, FrameworkRow, MeasureIndicator, PlanMeasure

from .. import services
from ..selectors import (
    action_items_visible_to,
    bodies_visible_to,
    meeting_detail,
    meetings_visible_to,
    plan_progress,
    plans_visible_to,
)
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(s.WorkErrorSerializer, description="Invalid input (names the field)"),
    403: OpenApiResponse(
        s.WorkErrorSerializer, description="Not allowed (e.g. not the secretariat)"
    ),
    404: OpenApiResponse(s.WorkErrorSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(
        s.WorkErrorSerializer, description="Refused by a guard (code names it) or wrong state"
    ),
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {c: ERRORS[c] for c in codes}


def _data(serializer_class: Any, request: Request) -> dict[str, Any]:
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings of the bodies your organisation holds a seat in."""

    serializer_class = s.MeetingSerializer
    filterset_fields = ["body", "state"]

    def get_queryset(self) -> Any:
        return meetings_visible_to(user=self.request.user).order_by("-starts_at", "-id")

    def get_serializer_class(self) -> Any:
        return s.MeetingListSerializer if self.action == "list" else s.MeetingSerializer

    def get_object(self) -> Any:
        return meeting_detail(meeting=super().get_object())

    def _reply(self, meeting: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.MeetingSerializer(meeting_detail(meeting=meeting)).data, status=code)

    @extend_schema(
        request=s.MeetingCreateSerializer,
        responses={201: s.MeetingSerializer, **_errors(400, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        data = _data(s.MeetingCreateSerializer, request)
        body = get_object_or_404(bodies_visible_to(user=request.user), pk=data.pop("body").pk)
        meeting = services.meeting_schedule(body=body, actor=request.user, **data)
        return self._reply(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a scheduled meeting's title, date and time, place or call link",
        description=(
            "Secretariat only (403). Only while the meeting is scheduled: otherwise 409 "
            "`G-MEETING-SCHEDULED`. The meeting keeps a place or a call link (400 on `place`). "
            "Fields left out do not change; the meeting's history gets an `edit_details` event "
            "with each changed field's old and new value."
        ),
        request=s.MeetingDetailsUpdateSerializer,
        responses={200: s.MeetingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = _data(s.MeetingDetailsUpdateSerializer, request)
        meeting = services.meeting_update_details(
            meeting=super().get_object(), actor=request.user, **data
        )
        return self._reply(meeting)

    @extend_schema(
        summary="Take an item off the agenda of a scheduled meeting",
        description="Secretariat only (403); once the meeting is held, 409 `G-AGENDA-FIXED`.",
        request=None,
        responses={200: s.MeetingSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"agenda-items/(?P<item_pk>[0-9]+)",
        url_name="agenda-item-remove",
    )
    def agenda_item_remove(self, request: Request, pk: str, item_pk: str) -> Response:
        meeting = super().get_object()
        item = get_object_or_404(AgendaItem, pk=int(item_pk), meeting=meeting)
        return self._reply(services.agenda_item_remove(item=item, actor=request.user))

    @extend_schema(
        summary="Reorder the agenda of a scheduled meeting",
        description=(
            "`order` lists the id of every agenda item of the meeting once, in the new order "
            "(400 on `order` otherwise). Secretariat only (403); once the meeting is held, 409 "
            "`G-AGENDA-FIXED`."
        ),
        request=s.AgendaOrderSerializer,
        responses={200: s.MeetingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="agenda-order")
    def agenda_order(self, request: Request, pk: str) -> Response:
        order = _data(s.AgendaOrderSerializer, request)["order"]
        meeting = services.agenda_items_reorder(
            meeting=super().get_object(), order=order, actor=request.user
        )
        return self._reply(meeting)

    @extend_schema(
        request=s.AgendaItemCreateSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="agenda-items")
    def agenda_items(self, request: Request, pk: str) -> Response:
        meeting = super().get_object()
        services.agenda_item_add(
            meeting=meeting,
            title=_data(s.AgendaItemCreateSerializer, request)["title"],
            actor=request.user,
        )
        return self._reply(meeting)

    @extend_schema(
        request=s.MeetingAttendanceSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        meeting = super().get_object()
        data = _data(s.MeetingAttendanceSerializer, request)
        services.attendance_record(meeting=meeting, actor=request.user, **data)
        return self._reply(meeting)

    @extend_schema(request=None, responses={200: s.MeetingSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str) -> Response:
        return self._reply(services.meeting_hold(meeting=super().get_object(), actor=request.user))

    @extend_schema(
        request=s.MeetingCancelSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        reason = _data(s.MeetingCancelSerializer, request)["reason"]
        return self._reply(
            services.meeting_cancel(meeting=super().get_object(), reason=reason, actor=request.user)
        )

    @extend_schema(
        request=s.MeetingMinutesSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str) -> Response:
        text = _data(s.MeetingMinutesSerializer, request)["minutes"]
        return self._reply(
            services.minutes_save(meeting=super().get_object(), minutes=text, actor=request.user)
        )

    @extend_schema(request=None, responses={200: s.MeetingSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="approve-minutes")
    def approve_minutes(self, request: Request, pk: str) -> Response:
        return self._reply(
            services.meeting_approve_minutes(meeting=super().get_object(), actor=request.user)
        )

    @extend_schema(
        request=s.MeetingDecisionCreateSerializer,
        responses={201: s.MeetingDecisionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str) -> Response:
        data = _data(s.MeetingDecisionCreateSerializer, request)
        items = [dict(i) for i in data.get("action_items", [])]
        decision = services.decision_record(
            meeting=super().get_object(), text=data["text"], action_items=items, actor=request.user
        )
        return Response(s.MeetingDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Action items of your bodies and of your organisation."""

    serializer_class = s.ActionItemSerializer
    filterset_fields = ["body", "owner", "state", "measure"]

    def get_queryset(self) -> Any:
        return action_items_visible_to(user=self.request.user).order_by("due_on", "id")

    @extend_schema(
        request=s.ActionItemCreateSerializer,
        responses={201: s.ActionItemSerializer, **_errors(400, 403, 404, 409)},
    )
    def create(self, request: Request) -> Response:
        data = _data(s.ActionItemCreateSerializer, request)
        body = get_object_or_404(bodies_visible_to(user=request.user), pk=data.pop("body").pk)
        item = services.action_item_create(body=body, actor=request.user, **data)
        return Response(s.ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ActionItemSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        item = services.action_item_start(item=self.get_object(), actor=request.user)
        return Response(s.ActionItemSerializer(item).data)

    @extend_schema(
        request={
            "multipart/form-data": s.ActionItemCompleteSerializer,
            "application/json": s.ActionItemCompleteSerializer,
        },
        responses={200: s.ActionItemSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        data = _data(s.ActionItemCompleteSerializer, request)
        item = services.action_item_complete(item=self.get_object(), actor=request.user, **data)
        return Response(s.ActionItemSerializer(item).data)

    @extend_schema(
        request=s.ActionItemCancelSerializer,
        responses={200: s.ActionItemSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        grounds = _data(s.ActionItemCancelSerializer, request)["grounds"]
        item = services.action_item_cancel(
            item=self.get_object(), grounds=grounds, actor=request.user
        )
        return Response(s.ActionItemSerializer(item).data)


class ActionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """National action plans of your bodies."""

    serializer_class = s.ActionPlanSerializer
    filterset_fields = ["body", "state"]

    def get_queryset(self) -> Any:
        return plans_visible_to(user=self.request.user)

    @extend_schema(
        request=s.ActionPlanCreateSerializer,
        responses={201: s.ActionPlanSerializer, **_errors(400, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        data = _data(s.ActionPlanCreateSerializer, request)
        body = get_object_or_404(bodies_visible_to(user=request.user), pk=data.pop("body").pk)
        plan = services.action_plan_create(body=body, actor=request.user, **data)
        return Response(s.ActionPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.PlanPillarProgressSerializer(many=True), **_errors(404)})
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str) -> Response:
        pillars = plan_progress(plan=self.get_object())
        return Response(s.PlanPillarProgressSerializer(pillars, many=True).data)

    @extend_schema(
        request=s.PlanMeasureCreateSerializer,
        responses={201: s.PlanMeasureSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def measures(self, request: Request, pk: str) -> Response:
        data = _data(s.PlanMeasureCreateSerializer, request)
        measure = services.plan_measure_add(plan=self.get_object(), actor=request.user, **data)
        return Response(s.PlanMeasureSerializer(measure).data, status=status.HTTP_201_CREATED)

    def _transition(self, service: Any, **kwargs: Any) -> Response:
        plan = service(plan=self.get_object(), actor=self.request.user, **kwargs)
        return Response(s.ActionPlanSerializer(plan).data)

    @extend_schema(request=None, responses={200: s.ActionPlanSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str) -> Response:
        return self._transition(services.action_plan_adopt)

    @extend_schema(request=None, responses={200: s.ActionPlanSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="start-implementation")
    def start_implementation(self, request: Request, pk: str) -> Response:
        return self._transition(services.action_plan_start_implementation)

    @extend_schema(request=None, responses={200: s.ActionPlanSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="open-review")
    def open_review(self, request: Request, pk: str) -> Response:
        return self._transition(services.action_plan_open_review)

    @extend_schema(
        request=s.PlanReviewNotesSerializer,
        responses={200: s.ActionPlanSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="close-review")
    def close_review(self, request: Request, pk: str) -> Response:
        notes = _data(s.PlanReviewNotesSerializer, request)["notes"]
        return self._transition(services.action_plan_close_review, notes=notes)

    @extend_schema(
        request=s.PlanReviewNotesSerializer,
        responses={
            201: OpenApiResponse(s.ActionPlanSerializer, description="The new draft version"),
            **_errors(403, 404, 409),
        },
    )
    @action(detail=True, methods=["post"], url_path="update")
    def update_plan(self, request: Request, pk: str) -> Response:
        notes = _data(s.PlanReviewNotesSerializer, request)["notes"]
        new = services.action_plan_update(plan=self.get_object(), notes=notes, actor=request.user)
        return Response(s.ActionPlanSerializer(new).data, status=status.HTTP_201_CREATED)


class PlanMeasureViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PlanMeasureSerializer

    def get_queryset(self) -> Any:
        plans = plans_visible_to(user=self.request.user).values("pk")
        return PlanMeasure.objects.filter(plan_id__in=plans).prefetch_related("indicators")

    @extend_schema(
        summary="Change a measure's title, target, due date, budget line or budget amount",
        description=(
            "Secretariat only (403). Only while the plan is a draft or under review: otherwise "
            "409 `G-NAP-EDITABLE`. Fields left out do not change; the plan's history gets an "
            "`edit_measure` event with each changed field's old and new value."
        ),
        request=s.PlanMeasureUpdateSerializer,
        responses={200: s.PlanMeasureSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = _data(s.PlanMeasureUpdateSerializer, request)
        measure = services.plan_measure_update(
            measure=self.get_object(), actor=request.user, **data
        )
        return Response(s.PlanMeasureSerializer(measure).data)

    @extend_schema(
        request=s.MeasureIndicatorCreateSerializer,
        responses={201: s.MeasureIndicatorSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def indicators(self, request: Request, pk: str) -> Response:
        data = _data(s.MeasureIndicatorCreateSerializer, request)
        ind = services.measure_indicator_add(measure=self.get_object(), actor=request.user, **data)
        return Response(s.MeasureIndicatorSerializer(ind).data, status=status.HTTP_201_CREATED)


class MeasureIndicatorViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.MeasureIndicatorSerializer

    def get_queryset(self) -> Any:
        plans = plans_visible_to(user=self.request.user).values("pk")
        return MeasureIndicator.objects.filter(measure__plan_id__in=plans).select_related(
            "measure__plan"
        )

    @extend_schema(
        request={
            "multipart/form-data": s.ProgressReportCreateSerializer,
            "application/json": s.ProgressReportCreateSerializer,
        },
        responses={201: s.ProgressReportSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="progress-reports")
    def progress_reports(self, request: Request, pk: str) -> Response:
        data = _data(s.ProgressReportCreateSerializer, request)
        report = services.progress_report_add(
            indicator=self.get_object(), actor=request.user, **data
        )
        return Response(s.ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)


class FrameworkRowViewSet(viewsets.ReadOnlyModelViewSet):
    """Framework for Action rows (seed 001 tables 2, 4, 5), quoted with their seed lines."""

    serializer_class = s.FrameworkRowSerializer
    queryset = FrameworkRow.objects.prefetch_related("items").order_by("position")
    filterset_fields = ["table"]
    pagination_class = None
