"""The building blocks of the statistics: figures only, never identifying fields.

A figure is ONE aggregate query in the database, so a family of figures costs a fixed number of
queries whatever the size of the data. Small cells are suppressed IN THE QUERY: the database
returns the text "<5" for a count of 1 to 4, so no exact small count ever reaches Python, a page,
an export or the API (seed 003:594-596; DOMAIN.md §9.4 P-5). A zero stays "0": it singles nobody
out.

Also here: how a family's records become rollup rows (`RollupSource`, built by
reporting/rollup.py) and how a request sums its figures from them (`rollup_read`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    TruncMonth,
    TruncQuarter,
    TruncYear,
)
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from coordination.models import STATE_KINDS, Country
from reporting.models import RollupGrain, StatisticsRollup

SMALL_CELL = 5
SUPPRESSED = "<5"
# Complementary suppression: where a table's categories add up to its published total and only
# one cell is "<5", that cell could be worked out by subtraction; the smallest other non-zero
# cell is then shown as "≥5" as well.
COMPLEMENT = "≥5"


def suppressed_count(expr: Any = None) -> Case:
    """The count as text, "<5" for 1-4 (evaluated in the database)."""
    n = expr if expr is not None else Count("pk")
    return Case(
        When(GreaterThanOrEqual(n, SMALL_CELL), then=Cast(n, CharField())),
        When(Exact(n, 0), then=Value("0")),
        default=Value(SUPPRESSED),
        output_field=CharField(),
    )


def protect_against_subtraction(rows: list[tuple[str, str]], total: str) -> list[tuple[str, str]]:
    """Hide one more cell where a single "<5" could be derived from an exact total.

    Works only on what the database already released (exact counts are all >= 5), so it adds
    no information; the small cell itself never left the database."""
    if not total.isdigit():
        return rows
    small = [i for i, (_label, shown) in enumerate(rows) if shown == SUPPRESSED]
    if len(small) != 1:
        return rows
    exact = [
        (int(shown), i)
        for i, (_label, shown) in enumerate(rows)
        if shown.isdigit() and shown != "0"
    ]
    if not exact:
        return rows
    _value, index = min(exact)
    out = list(rows)
    out[index] = (out[index][0], COMPLEMENT)
    return out


@dataclass
class StatsFilter:
    date_from: date | None = None
    date_to: date | None = None
    countries: set[str] | None = None  # None: all countries (superuser without a choice)
    period: str = "quarter"  # month | quarter | year


@dataclass
class Figure:
    key: str
    title: str
    dimension: str
    rows: list[tuple[str, str]]  # (label, count as text)
    total: str
    htcds: str = ""
    definition: str = ""
    source: str = ""
    additive: bool = True  # categories partition the population (they add up to the total)

    def __post_init__(self) -> None:
        if self.additive:
            self.rows = protect_against_subtraction(self.rows, self.total)

    @property
    def chart(self) -> list[dict[str, Any]]:
        """Chart data: a suppressed cell has no value, only its "<5" label."""
        return [
            {"label": label, "display": shown, "value": int(shown) if shown.isdigit() else None}
            for label, shown in self.rows
        ]


@dataclass
class FamilyResult:
    key: str
    title: str
    available: bool
    figures: list[Figure] = field(default_factory=list)
    waiting_for: str = ""
    # Figures summed from the rollup: when it was built, and how often it is rebuilt. None for
    # figures computed live (the coordination family, or `live=True`).
    as_of: datetime | None = None
    refreshed_every_minutes: int | None = None


def _grouped(
    qs: QuerySet[Any], key_expr: Any, labels: dict[str, str] | Callable[[Any], str]
) -> list[tuple[str, str]]:
    rows = (
        qs.annotate(k=key_expr)
        .values("k")
        .annotate(shown=suppressed_count())
        .order_by()
        .values_list("k", "shown")
    )
    return _labelled(list(rows), labels)


def _labelled(cells: list[tuple[Any, str]], labels: Labels) -> list[tuple[str, str]]:
    """Cells ordered by their key, unknown (None) last, whatever the database's collation and
    NULL ordering: the same order on SQLite and PostgreSQL, live or from the rollup."""
    ordered = sorted(cells, key=lambda kv: (kv[0] is None, kv[0]))
    return [(_label(labels, k), shown) for k, shown in ordered]


def _total(qs: QuerySet[Any]) -> str:
    return qs.aggregate(shown=suppressed_count())["shown"]


Labels = dict[str, str] | Callable[[Any], str]


def _label(labels: Labels, k: Any) -> str:
    return str(labels(k) if callable(labels) else labels.get(k, str(k) if k else "—"))


def _grouped_all(
    qs: QuerySet[Any], dims: dict[str, tuple[Any, Labels]]
) -> tuple[str, dict[str, list[tuple[str, str]]]]:
    """The total and every dimension's table of `qs`.

    On PostgreSQL in ONE query: a single scan grouped by GROUPING SETS, one set per dimension
    plus () for the total, each cell's count turned into text and suppressed in the query as
    `suppressed_count` does (no count of 1-4 leaves the database). At a million cases this reads
    the rows once instead of once per table (bench/README.md). Elsewhere (SQLite) one query per
    table, with the same result."""
    if connection.vendor != "postgresql":
        return _total(qs), {
            name: _grouped(qs, expr, labels) for name, (expr, labels) in dims.items()
        }
    names = list(dims)
    keys = [f"k{i}" for i in range(len(names))]
    inner = (
        qs.annotate(**{key: dims[name][0] for key, name in zip(keys, names, strict=True)})
        .values(*keys)
        .order_by()
    )
    inner_sql, params = inner.query.sql_with_params()
    n = "COUNT(*)"
    shown = (
        f"CASE WHEN {n} >= {int(SMALL_CELL)} THEN CAST({n} AS text) WHEN {n} = 0 THEN '0' "
        f"ELSE '{SUPPRESSED}' END"
    )
    key_list = ", ".join(keys)
    sets = ", ".join(f"({key})" for key in keys)
    sql = (
        f"SELECT GROUPING({key_list}), {key_list}, {shown} FROM ({inner_sql}) base"  # noqa: S608 - our own compiled queryset, parameters bound
        f" GROUP BY GROUPING SETS ({sets}, ())"
    )
    everything = (1 << len(keys)) - 1
    total = "0"
    cells: dict[str, list[tuple[Any, str]]] = {name: [] for name in names}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, *row in cursor.fetchall():
            *values, count = row
            if grouping == everything:
                total = count
                continue
            # GROUPING() sets a bit for each key NOT grouped; the leftmost key is the high bit.
            index = next(i for i in range(len(keys)) if not grouping & (1 << (len(keys) - 1 - i)))
            cells[names[index]].append((values[index], count))
    return total, {name: _labelled(cells[name], dims[name][1]) for name in names}


def _period_expr(period: str, field_name: str) -> Any:
    trunc = {"month": TruncMonth, "year": TruncYear}.get(period, TruncQuarter)
    return trunc(field_name)


def _period_label(period: str) -> Callable[[Any], str]:
    def label(d: Any) -> str:
        if d is None:
            return "—"
        if period == "month":
            return f"{d:%Y-%m}"
        if period == "year":
            return f"{d:%Y}"
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"

    return label


def _state_provider_expr(org_path: str) -> Case:
    return Case(
        When(**{f"{org_path}__kind__in": list(STATE_KINDS)}, then=Value("state")),
        default=Value("non_state"),
        output_field=CharField(),
    )


PROVIDER_LABELS = {"state": str(_("State actor")), "non_state": str(_("Non-State actor"))}


def _country_names(codes: set[str] | None) -> dict[str, str]:
    qs = Country.objects.all() if codes is None else Country.objects.filter(code__in=codes)
    return dict(qs.values_list("code", "name"))


# --- the rollup: pre-aggregated daily counts (reporting/rollup.py builds them) --------------------


@dataclass
class RollupSource:
    """How one family's records become rollup rows: the records counted (before a request's
    filters), the day a record is counted on, its country or pair of countries (a request for
    countries S counts the rows with `country_a` or `country_b` in S, as the live filters do),
    and its dimensions:
    `dims` have one value per record; `multi` count a record under every value whose condition
    holds; `grouped` are already grouped querysets of (rd, ra, rb, v, n)."""

    family: str
    scope: QuerySet[Any]
    day: Any
    country_a: Any
    country_b: Any | None
    dims: dict[str, Any]
    multi: dict[str, list[tuple[str, Q]]] = field(default_factory=dict)
    grouped: dict[str, QuerySet[Any]] = field(default_factory=dict)


@dataclass
class RollupRead:
    total: str
    tables: dict[str, list[tuple[str, str]]]  # labelled and ordered, as `_grouped_all` gives them
    cells: dict[str, list[tuple[Any, str]]]  # raw (value, shown) per dimension, in SQL order


def _rollup_days(date_from: date | None, date_to: date | None, coarsest: str) -> Q:
    """The rollup rows that cover [date_from, date_to] exactly once: whole years from the year
    rows (when `coarsest` is "y"), whole months from the month rows, the days at either end from
    the day rows. Without bounds: every row of the coarsest grain, the undated ones included."""
    if date_from is None and date_to is None:
        return Q(grain=coarsest)
    lo = date_from or date.min
    hi = date_to or date.max
    q = Q(pk__in=[])  # nothing, when the range is empty

    def days(a: date, b: date) -> None:
        nonlocal q
        if a <= b:
            q |= Q(grain="d", day__gte=a, day__lte=b)

    def months(a: date, b: date) -> None:
        """[a, b]: whole months from the month rows, the rest from the day rows."""
        nonlocal q
        if a > b:
            return
        first = _month_number(a) + (a.day != 1)
        last = _month_number(b) - (b != _month_end(_month_number(b)))
        if first > last:
            days(a, b)
            return
        q |= Q(grain="m", day__gte=_month_start(first), day__lte=_month_start(last))
        if a < _month_start(first):
            days(a, _month_start(first) - timedelta(days=1))
        if _month_end(last) < b:
            days(_month_end(last) + timedelta(days=1), b)

    if coarsest != "y":
        months(lo, hi)
        return q
    first_year = lo.year if (lo.month, lo.day) == (1, 1) else lo.year + 1
    last_year = hi.year if (hi.month, hi.day) == (12, 31) else hi.year - 1
    if first_year > last_year:
        months(lo, hi)
        return q
    q |= Q(grain="y", day__gte=date(first_year, 1, 1), day__lte=date(last_year, 1, 1))
    if first_year > lo.year:
        months(lo, date(first_year - 1, 12, 31))
    if last_year < hi.year:
        months(date(last_year + 1, 1, 1), hi)
    return q


def _month_number(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_start(n: int) -> date:
    return date(n // 12, n % 12 + 1, 1)


def _month_end(n: int) -> date:
    """The last day of month number n (no date arithmetic past date.max)."""
    if n + 1 > _month_number(date.max):
        return date.max
    return _month_start(n + 1) - timedelta(days=1)


def rollup_read(
    family: str, f: StatsFilter, dims: dict[str, tuple[Any, Labels]], *, period: bool = True
) -> RollupRead:
    """A family's total and tables summed from the rollup, each cell suppressed in the query
    that sums it. Two queries (one without the period table)."""
    rows = StatisticsRollup.objects.filter(family=family)
    if f.countries is not None:
        rows = rows.filter(Q(country_a__in=f.countries) | Q(country_b__in=f.countries))
    shown = suppressed_count(Coalesce(Sum("count"), 0))
    cells: dict[str, list[tuple[Any, str]]] = {}
    for dimension, value, text in (
        rows.filter(_rollup_days(f.date_from, f.date_to, RollupGrain.YEAR))
        .values("dimension", "value")
        .annotate(shown=shown)
        .order_by("dimension", "value")
        .values_list("dimension", "value", "shown")
    ):
        cells.setdefault(dimension, []).append((value, text))
    total = cells.get(TOTAL, [(None, "0")])[0][1]
    tables = {name: _labelled(cells.get(name, []), labels) for name, (_e, labels) in dims.items()}
    if period:
        periods = (
            rows.filter(dimension=TOTAL)
            .filter(_rollup_days(f.date_from, f.date_to, RollupGrain.MONTH))
            .annotate(k=_period_expr(f.period, "day"))
            .values("k")
            .annotate(shown=shown)
            .order_by()
            .values_list("k", "shown")
        )
        tables["period"] = _labelled(list(periods), _period_label(f.period))
    return RollupRead(total=total, tables=tables, cells=cells)


TOTAL = "total"
