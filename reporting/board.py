"""The ministries' corridor board as reporting serves it: the live figures of return procedures
(workflows.returns.board) with the median days per step precomputed at the statistics refresh
(BoardMedian) where they serve the filters asked for.

The medians are history rather than operations (bench/README.md section 3): precomputed per
corridor over all its procedures, so they serve the unfiltered board and a corridor filter; a
board filtered by dates, age, sex or form of exploitation computes its medians at the request.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.analytics import analytic_queries
from workflows.returns.board import (
    Board,
    BoardFilters,
    corridor_figures,
    medians_sql,
    ministry_countries,
)

from .models import BoardMedian, StatisticsRefresh


def corridor_board(
    *, user: Any, filters: BoardFilters | None = None, today: date | None = None
) -> Board:
    """The board for a ministry official (PermissionDenied for anyone else). Six queries (seven
    on PostgreSQL: the settings of whole-table aggregates, concord.analytics); one more when the
    medians are the precomputed ones (their time)."""
    countries = ministry_countries(user)
    if not countries:
        raise PermissionDenied(_("The corridor board is for ministry officials."))
    filters = filters or BoardFilters()
    with analytic_queries():
        if not precomputed_medians(filters):
            return corridor_figures(countries=countries, filters=filters, today=today)
        medians, as_of = _stored_medians(countries, filters)
        return corridor_figures(
            countries=countries, filters=filters, today=today, medians=medians, medians_as_of=as_of
        )


def precomputed_medians(filters: BoardFilters) -> bool:
    """Whether the board's medians come from the statistics refresh (BoardMedian): the
    unfiltered board and a corridor filter. Dates, age, sex and form of exploitation select
    procedures within a corridor, and any combination of them may be asked for: those boards
    compute their medians at the request."""
    return not (filters.date_from or filters.date_to or filters.age or filters.sex or filters.form)


def insert_board_medians(cursor: Any) -> int:
    """Rebuild the precomputed medians in the database (DELETE, then INSERT ... SELECT of the
    very SQL the live board runs, over every procedure): called inside the statistics refresh's
    transaction (reporting/rollup.py). Rows written."""

    table = connection.ops.quote_name(BoardMedian._meta.db_table)
    sql, params = medians_sql(Q())
    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table name
    cursor.execute(
        f"INSERT INTO {table} (returning_country, receiving_country, step, median_seconds) {sql}",
        params,
    )
    return int(cursor.rowcount)


def _stored_medians(
    countries: list[str], filters: BoardFilters
) -> tuple[dict[tuple[str, str, str], float], datetime]:
    """The precomputed medians of the user's corridors (days) and when they were computed; built
    first if they never were. Two queries."""
    as_of = board_medians_as_of()
    rows = BoardMedian.objects.filter(
        Q(returning_country__in=countries) | Q(receiving_country__in=countries)
    )
    if filters.corridor:
        rows = rows.filter(
            returning_country=filters.corridor[0], receiving_country=filters.corridor[1]
        )
    medians = {
        (rc, vc, st): m / 86400.0
        for rc, vc, st, m in rows.values_list(
            "returning_country", "receiving_country", "step", "median_seconds"
        )
    }
    return medians, as_of


def board_medians_as_of() -> datetime:
    """When the corridor board's medians were precomputed; computes them first (them only) if
    they never were, e.g. on a database whose rollup predates them. One query once built."""
    computed = StatisticsRefresh.objects.filter(pk=1).values_list("medians_at", flat=True).first()
    if computed is not None:
        return computed
    StatisticsRefresh.objects.get_or_create(pk=1)
    with transaction.atomic():
        state = StatisticsRefresh.objects.select_for_update().get(pk=1)
        if state.medians_at is None:
            started = timezone.now()
            with analytic_queries(), connection.cursor() as cursor:
                insert_board_medians(cursor)
            state.medians_at = started
            state.save(update_fields=["medians_at"])
        return state.medians_at
