"""Pages of reporting: the statistics (with CSV and XLSX), the annual report of a coordination
body (PDF), and the ministries' corridor board (with CSV). Views hold no rules: figures come from
the statistics, the board and the report modules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concord.errors import ApplicationError
from coordination.work.selectors import bodies_visible_to
from workflows.cases.models import ExploitationForm, Gender
from workflows.returns.board import ALL_STATES, TIMED_STEPS, BoardFilters, board_csv, parse_filters
from workflows.returns.models import ReturnState

from .board import corridor_board
from .exports import statistics_csv, statistics_xlsx
from .forms import StatisticsForm
from .permissions import statistics_country_codes
from .report import annual_report_pdf
from .statistics import StatsFilter, statistics_for

STATE_LABELS = dict(ReturnState.choices)


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
        raise ApplicationError(_("Please correct the form."), fields=fields)
    return form.cleaned_data


def stats_filter_for(request: HttpRequest) -> StatsFilter:
    """The filter from the query string, limited to the countries the user may see."""
    allowed = statistics_country_codes(request.user)
    if allowed is not None and not allowed:
        raise PermissionDenied(_("Statistics are for ministries and coordination bodies."))
    form = StatisticsForm(request.GET)
    data = _valid(form)
    country = (data.get("country") or "").upper()
    if country:
        if allowed is not None and country not in allowed:
            raise Http404
        countries: set[str] | None = {country}
    else:
        countries = allowed
    return StatsFilter(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        countries=countries,
        period=data.get("period") or "quarter",
    )


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    try:
        f = stats_filter_for(request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:statistics")
    results = statistics_for(f)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(statistics_csv(results, f), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="concord-statistics.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            statistics_xlsx(results, f),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="concord-statistics.xlsx"'
        return response
    allowed = statistics_country_codes(request.user)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "reporting/statistics.html",
        {
            "results": results,
            "fresh": next((r for r in results if r.as_of), None),
            "form": StatisticsForm(request.GET or None),
            "countries": sorted(allowed) if allowed is not None else None,
            "query": query.urlencode(),
        },
    )


@login_required
def annual_report(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    body = get_object_or_404(bodies_visible_to(user=request.user), pk=pk)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    pdf = annual_report_pdf(body=body, year=year)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{body.pk}-{year}.pdf"'
    return response


@login_required
@require_GET
def return_board(request: HttpRequest) -> HttpResponse:
    try:
        filters = parse_filters(request.GET)
        error = None
    except ApplicationError as exc:
        filters, error = BoardFilters(), exc
    board = corridor_board(user=request.user, filters=filters)
    if error is not None:
        messages.error(
            request,
            "; ".join(f"{k}: {', '.join(v)}" for k, v in error.fields.items()) or error.message,
        )
    corridors = [r.as_dict() for r in board.rows]
    return render(
        request,
        "reporting/board.html",
        {
            "board": board,
            "corridors": corridors,
            "chart_data": {
                "steps": [{"code": s, "label": str(STATE_LABELS[s])} for s in ALL_STATES],
                "timed_steps": [{"code": s, "label": str(STATE_LABELS[s])} for s in TIMED_STEPS],
                "corridors": corridors,
            },
            "steps": [(s, STATE_LABELS[s]) for s in ALL_STATES],
            "timed_steps": [(s, STATE_LABELS[s]) for s in TIMED_STEPS],
            "filters": filters.as_query(),
            "query": request.GET.urlencode(),
            "sexes": Gender.choices,
            "forms": ExploitationForm.choices,
        },
    )


@login_required
@require_GET
def return_board_csv(request: HttpRequest) -> HttpResponse:
    try:
        filters = parse_filters(request.GET)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    board = corridor_board(user=request.user, filters=filters)
    response = HttpResponse(board_csv(board), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="return-corridors.csv"'
    return response
