"""The statistics rollup: daily counts per family, dimension, value and country, from which a
request sums its figures (reporting/figures.py, `rollup_read`).

Rebuilt whole, in the database and in one transaction, by `statistics_refresh`: every
CONCORD_STATISTICS_REFRESH_MINUTES by celery beat (reporting/schedules.py), by
`manage.py refresh_statistics`, and by the first request when it has never been built. Readers
see the previous rollup until the new one commits. The counts come from the very querysets the
live figures count (`RollupSource`), so rollup-served figures equal the live ones as of the
refresh (reporting/tests/test_statistics_rollup.py holds them to that).

Rows: one per (family, dimension, value, day, country pair) at the day grain, then the same
summed per month and per year, so that a request reads whole years and months from the coarse
rows and only the days at the ends of its range from the day rows (`_rollup_days`).

In the same transaction: the corridor board's median days per step (BoardMedian,
reporting/board.py `insert_board_medians`), history rather than operations.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.expressions import Case, When
from django.utils import timezone

from concord.analytics import analytic_queries
from reporting.board import insert_board_medians
from reporting.models import RollupGrain, StatisticsRefresh, StatisticsRollup

from .families import rollup_sources
from .figures import TOTAL, RollupSource

_NAME = re.compile(r"^[a-z_]+$")


@dataclass
class RefreshReport:
    refreshed_at: datetime
    rows: int
    duration_ms: int
    built: bool  # False: another refresh had built it already (only_if_never)


def rollup_as_of() -> datetime:
    """When the rollup was built; builds it first if it never was (so that a fresh database
    shows figures). One query once built."""
    refreshed = (
        StatisticsRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    )
    if refreshed is not None:
        return refreshed
    return statistics_refresh(only_if_never=True).refreshed_at


def statistics_refresh(*, only_if_never: bool = False) -> RefreshReport:
    """Rebuild the whole rollup in one transaction, under the lock of the refresh row (two
    refreshes run one after the other; readers keep the previous rollup until commit). The
    figures are as of the start of the rebuild. With `only_if_never`, does nothing when a
    rollup has been built meanwhile."""
    StatisticsRefresh.objects.get_or_create(pk=1)
    with transaction.atomic():
        state = StatisticsRefresh.objects.select_for_update().get(pk=1)
        if only_if_never and state.refreshed_at is not None:
            return RefreshReport(state.refreshed_at, state.rows, state.duration_ms, built=False)
        started = timezone.now()
        clock = time.monotonic()
        with analytic_queries(), connection.cursor() as cursor:
            table = connection.ops.quote_name(StatisticsRollup._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table name
            rows = 0
            for source in rollup_sources():
                rows += _insert_days(cursor, table, source)
            rows += _insert_grain(cursor, table, RollupGrain.MONTH, RollupGrain.DAY)
            rows += _insert_grain(cursor, table, RollupGrain.YEAR, RollupGrain.MONTH)
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {table}")
            insert_board_medians(cursor)
        state.refreshed_at = started
        state.medians_at = started
        state.rows = rows
        state.duration_ms = int((time.monotonic() - clock) * 1000)
        state.save(update_fields=["refreshed_at", "medians_at", "rows", "duration_ms"])
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The previous rollup's rows are dead now: reclaim them at once (measured at a million
        # cases, a date-range request read 15,000 pages through them before autovacuum came).
        # Outside any transaction only (VACUUM cannot run in one): not after a request's build.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(StatisticsRollup._meta.db_table)}")
    return RefreshReport(started, rows, state.duration_ms, built=True)


_COLUMNS = "(family, dimension, value, grain, day, country_a, country_b, count)"


def _insert_days(cursor: Any, table: str, source: RollupSource) -> int:
    """The day rows of one family: INSERT ... SELECT ... GROUP BY over its records, in one
    scan on PostgreSQL, one statement per dimension elsewhere."""
    names = [source.family, TOTAL, *source.dims, *source.multi, *source.grouped]
    if not all(_NAME.match(name) for name in names):
        raise ValueError(f"rollup names must be lower-case words: {names}")
    keys: dict[str, tuple[str, bool]] = {}  # alias -> (dimension, counts only where not NULL)
    annotations: dict[str, Any] = {
        "rd": source.day,
        "ra": source.country_a,
        "rb": source.country_b
        if source.country_b is not None
        else Value(None, output_field=CharField()),
    }
    for i, (name, expr) in enumerate(source.dims.items()):
        keys[f"k{i}"] = (name, False)
        annotations[f"k{i}"] = expr
    j = 0
    for name, options in source.multi.items():
        for value, condition in options:
            keys[f"m{j}"] = (name, True)
            annotations[f"m{j}"] = Case(
                When(condition, then=Value(value)), output_field=CharField()
            )
            j += 1
    inner = source.scope.annotate(**annotations).values("rd", "ra", "rb", *keys).order_by()
    inner_sql, params = inner.query.sql_with_params()
    family = f"'{source.family}'"
    rows = 0
    multi = sorted({name for name, is_multi in keys.values() if is_multi})
    if connection.vendor == "postgresql" and multi:
        # Every record once per dimension (LATERAL VALUES) into one hash aggregate. Measured at
        # a million cases (bench/README.md section 3) this takes a quarter of the time of
        # GROUPING SETS, which sorted every case once per set: one set per form of exploitation.
        pairs = ", ".join(
            [
                f"('{TOTAL}', NULL)",
                *(f"('{name}', CAST({k} AS text))" for k, (name, _m) in keys.items()),
            ]
        )
        keep = ", ".join(repr(m) for m in multi)
        cursor.execute(
            f"INSERT INTO {table} {_COLUMNS}"  # noqa: S608 - our own compiled queryset and checked names, parameters bound
            f" SELECT {family}, d.dimension, d.value, 'd', base.rd, base.ra, base.rb, COUNT(*)"
            f" FROM ({inner_sql}) base CROSS JOIN LATERAL (VALUES {pairs}) d(dimension, value)"
            f" WHERE d.value IS NOT NULL OR d.dimension NOT IN ({keep})"
            f" GROUP BY base.rd, base.ra, base.rb, d.dimension, d.value ORDER BY base.rd",
            params,
        )
        rows += cursor.rowcount
    elif connection.vendor == "postgresql":
        # One scan, GROUP BY GROUPING SETS (a set per dimension): for the referrals' six
        # dimensions twice as fast as the hash aggregate above (parallel sorts).
        dimension = " ".join(
            f"WHEN GROUPING({k}) = 0 THEN '{name}'" for k, (name, _m) in keys.items()
        )
        value = " ".join(f"WHEN GROUPING({k}) = 0 THEN CAST({k} AS text)" for k in keys)
        sets = ", ".join(["(rd, ra, rb)", *(f"(rd, ra, rb, {k})" for k in keys)])
        cursor.execute(
            f"INSERT INTO {table} {_COLUMNS}"  # noqa: S608 - as above
            f" SELECT {family}, CASE {dimension} ELSE '{TOTAL}' END,"
            f" CASE {value} END, 'd', rd, ra, rb, COUNT(*)"
            f" FROM ({inner_sql}) base GROUP BY GROUPING SETS ({sets}) ORDER BY rd",
            params,
        )
        rows += cursor.rowcount
    else:
        cursor.execute(
            f"INSERT INTO {table} {_COLUMNS}"  # noqa: S608 - as above
            f" SELECT {family}, '{TOTAL}', NULL, 'd', rd, ra, rb, COUNT(*)"
            f" FROM ({inner_sql}) base GROUP BY rd, ra, rb",
            params,
        )
        rows += cursor.rowcount
        for k, (name, is_multi) in keys.items():
            cursor.execute(
                f"INSERT INTO {table} {_COLUMNS}"  # noqa: S608 - as above
                f" SELECT {family}, '{name}', CAST({k} AS text), 'd', rd, ra, rb, COUNT(*)"
                f" FROM ({inner_sql}) base {f'WHERE {k} IS NOT NULL' if is_multi else ''}"
                f" GROUP BY rd, ra, rb, {k}",
                params,
            )
            rows += cursor.rowcount
    for name, grouped in source.grouped.items():
        grouped_sql, grouped_params = grouped.query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {table} {_COLUMNS}"  # noqa: S608 - as above
            f" SELECT {family}, '{name}', CAST(v AS text), 'd', rd, ra, rb, n"
            f" FROM ({grouped_sql}) g",
            grouped_params,
        )
        rows += cursor.rowcount
    return rows


def _insert_grain(cursor: Any, table: str, grain: str, finer: str) -> int:
    """The month (year) rows: the day (month) rows summed per month (year)."""
    unit = {RollupGrain.MONTH: "month", RollupGrain.YEAR: "year"}[RollupGrain(grain)]
    if connection.vendor == "postgresql":
        start = f"CAST(DATE_TRUNC('{unit}', day) AS date)"
    else:
        start = f"DATE(day, 'start of {unit}')"
    cursor.execute(
        f"INSERT INTO {table} {_COLUMNS}"  # noqa: S608 - our own table and constants
        f" SELECT family, dimension, value, '{grain}', {start}, country_a, country_b, SUM(count)"
        f" FROM {table} WHERE grain = '{finer}'"
        f" GROUP BY family, dimension, value, {start}, country_a, country_b"
        # stored in the order they are read (a family's period table reads one dimension's
        # month rows): a few pages instead of one page per row
        f" ORDER BY family, dimension, {start}",
    )
    return int(cursor.rowcount)
