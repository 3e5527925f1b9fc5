"""API of reporting: statistics (figures only), the annual report of a coordination body (PDF)
and the ministries' corridor board (`/api/return-board/`, CSV at `/api/return-board/csv/`)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.work.api.views import ERRORS as WORK_ERRORS
from coordination.work.selectors import bodies_visible_to
from workflows.cases.api.views import ERRORS
from workflows.returns.board import board_csv, parse_filters

from ..board import corridor_board
from ..report import annual_report_pdf
from ..statistics import statistics_for
from ..views import stats_filter_for
from .serializers import StatisticsFamilySerializer


def work_errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {c: WORK_ERRORS[c] for c in codes}


class StatisticsView(APIView):
    """Aggregate figures only; counts of 1 to 4 come as "<5"."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("country", OpenApiTypes.STR, description="ISO code"),
            OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year"]),
            OpenApiParameter(
                "family", OpenApiTypes.STR, enum=["cases", "referrals", "returns", "coordination"]
            ),
        ],
        responses={200: StatisticsFamilySerializer(many=True), **work_errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        f = stats_filter_for(request._request)
        family = request.query_params.get("family")
        results = statistics_for(f, [family] if family else None)
        return Response(StatisticsFamilySerializer(results, many=True).data)


class AnnualReportView(APIView):
    """The annual report of a body as a PDF."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            **work_errors(404),
        }
    )
    def get(self, request: Request, body_pk: int, year: int) -> HttpResponse:
        body = get_object_or_404(bodies_visible_to(user=request.user), pk=body_pk)
        if not 2000 <= year <= timezone.localdate().year + 1:
            raise Http404
        response = HttpResponse(
            annual_report_pdf(body=body, year=year), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="annual-report-{body.pk}-{year}.pdf"'
        )
        return response


BOARD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Requested on or after"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Requested on or before"),
    OpenApiParameter("corridor", OpenApiTypes.STR, description="e.g. TH-KH"),
    OpenApiParameter("age", OpenApiTypes.STR, enum=["child", "adult"]),
    OpenApiParameter("sex", OpenApiTypes.STR),
    OpenApiParameter("form", OpenApiTypes.STR, description="Form of exploitation code"),
]


class MonitoringFiguresSerializer(serializers.Serializer):
    visits_due = serializers.IntegerField()
    visits_done = serializers.IntegerField()
    visits_missed = serializers.IntegerField()
    compliance_percent = serializers.FloatField(allow_null=True)


class CorridorSerializer(serializers.Serializer):
    corridor = serializers.CharField()
    returning_state = serializers.CharField()
    receiving_state = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    total = serializers.IntegerField()
    by_step = serializers.DictField(child=serializers.IntegerField())
    overdue_steps = serializers.IntegerField()
    median_days_per_step = serializers.DictField(child=serializers.FloatField(allow_null=True))
    alternatives_granted = serializers.IntegerField()
    monitoring = MonitoringFiguresSerializer()


class BoardSerializer(serializers.Serializer):
    countries = serializers.ListField(child=serializers.CharField())
    filters = serializers.DictField(child=serializers.CharField())
    steps = serializers.ListField(child=serializers.CharField())
    timed_steps = serializers.ListField(child=serializers.CharField())
    corridors = CorridorSerializer(many=True)
    medians_as_of = serializers.DateTimeField(
        allow_null=True,
        help_text=(
            "When median_days_per_step were computed: the last statistics refresh, for the "
            "unfiltered board and a corridor filter; null when they were computed at this "
            "request (a date, age, sex or form filter)."
        ),
    )
    medians_refreshed_every_minutes = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "How often the precomputed medians are rebuilt (CONCORD_STATISTICS_REFRESH_MINUTES); "
            "null with medians computed at this request."
        ),
    )


class ReturnBoardView(APIView):
    """The ministries' corridor board: figures only, for ministry officials."""

    serializer_class = BoardSerializer

    @extend_schema(parameters=BOARD_PARAMETERS, responses={200: BoardSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        board = corridor_board(user=request.user, filters=parse_filters(request.query_params))
        return Response(board.as_dict())


class ReturnBoardCsvView(APIView):
    serializer_class = BoardSerializer

    @extend_schema(
        parameters=BOARD_PARAMETERS,
        responses={200: OpenApiResponse(OpenApiTypes.STR, description="text/csv"), **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        board = corridor_board(user=request.user, filters=parse_filters(request.query_params))
        response = HttpResponse(board_csv(board), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="return-corridors.csv"'
        return response
