"""Statistics for ministries and coordination bodies: figures only, never identifying fields.

One selector per figure family (`FAMILIES`): each returns a list of `Figure` tables, each
computed by
ONE aggregate query in the database, so a family costs a fixed number of queries whatever the
size of the data. Small cells are suppressed IN THE QUERY: the database returns the text "<5" for a
count of 1 to 4, so no exact small count ever reaches Python, a page, an export or the API (seed
003:594-596; DOMAIN.md §9.4 P-5). A zero stays "0": it singles nobody out.

Disaggregation follows seed 001:364 (footnote 19): age, sex, nationality, form of exploitation,
and "whether services are provided by state or non-state actors" (Organisation kind, see
coordination.models.STATE_KINDS). Where the Human Trafficking Case Data Standard (HTCDS,
UNMigration/HTCDS) names a field, `Figure.htcds` gives its name.

Case, referral and return models belong to the workflows app; coordination does not import it
(dependencies run coordination <- agreements <- workflows), so families look the models up by name
at run time and say plainly when a model has not landed (`FamilyUnavailable`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    TruncDate,
    TruncMonth,
    TruncQuarter,
    TruncYear,
)
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.analytics import analytic_queries
from coordination.models import (
    STATE_KINDS,
    ActionItem,
    ActionItemState,
    Country,
    Meeting,
    MeetingState,
)

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


class FamilyUnavailable(Exception):
    """The models a family counts have not landed yet."""


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


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError as exc:
        raise FamilyUnavailable(label) from exc


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


# --- the rollup: pre-aggregated daily counts (coordination/work/rollup.py builds them) ------------


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
    from coordination.models import RollupGrain, StatisticsRollup

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


# --- cases identified ----------------------------------------------------------------------------

# Cases counted as identified: presumed victims (who have access to assistance at once, seed
# 004:107-108), identified and formally confirmed victims; "not identified" is left out. The
# covering index workflows_case.case_statistics_idx (PostgreSQL) has this very condition: keep the
# two alike (workflows/migrations/0008_statistics_covering_indexes.py).
COUNTED_IDENTIFICATION_STATES = ("presumed_victim", "identified", "confirmed")


def _cases_scope() -> QuerySet[Any]:
    """Every counted case, before a request's filters."""
    case_model = _model("workflows.Case")
    return case_model.objects.filter(identification_state__in=COUNTED_IDENTIFICATION_STATES)


def _cases_dims() -> dict[str, tuple[Any, Labels]]:
    """The one-value-per-case dimensions (the period is the day's, see `_period_expr`)."""
    meta = _model("workflows.Case")._meta
    names = _country_names(None)

    def choices(field_name: str) -> dict[str, str]:
        return {k: str(v) for k, v in meta.get_field(field_name).choices}

    return {
        "age_group": (F("age_group"), choices("age_group")),
        "age_band": (F("age_band"), choices("age_band")),
        "sex": (F("gender"), choices("gender")),
        "nationality": (
            F("nationality_id"),
            lambda c: names.get(c, str(_("Unknown / stateless"))),
        ),
        "provider": (_state_provider_expr("owner"), PROVIDER_LABELS),
        "country": (F("country_of_identification_id"), lambda c: names.get(c, str(c))),
        "state": (F("identification_state"), choices("identification_state")),
    }


def _cases_forms() -> list[tuple[str, str, Q]]:
    """(code, label, condition) per form of exploitation: a case with several counts under each."""
    forms_field = _model("workflows.Case")._meta.get_field("exploitation_forms")
    return [
        (code, str(label), _json_list_has(forms_field.name, code))
        for code, label in _exploitation_form_choices()
    ]


def _filtered(qs: Any, f: StatsFilter, *, day: str, countries: tuple[str, ...]) -> Any:
    """`qs` within the filter's days (by the `day` lookup) and, when it names countries, those
    whose any of the `countries` fields is one of them (a referral or a return counts for both
    its sides)."""
    if f.date_from:
        qs = qs.filter(**{f"{day}__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{day}__lte": f.date_to})
    if f.countries is not None:
        either = Q()
        for field in countries:
            either |= Q(**{f"{field}__in": f.countries})
        qs = qs.filter(either)
    return qs


def cases_figures(f: StatsFilter) -> list[Figure]:
    """Cases identified, computed from the case rows (the reference for the rollup): 3 queries
    on PostgreSQL (the total and 8 tables in one GROUPING SETS scan, the forms, the country
    names)."""
    qs = _filtered(
        _cases_scope(), f, day="identified_on", countries=("country_of_identification_id",)
    )
    total, t = _grouped_all(
        qs,
        {
            "period": (_period_expr(f.period, "identified_on"), _period_label(f.period)),
            **_cases_dims(),
        },
    )
    forms = _cases_forms()
    # One query: a conditional count per form. A case with several forms counts under each.
    agg = qs.aggregate(
        **{
            f"form_{i}": suppressed_count(
                # The count of a never-empty column that case_statistics_idx holds (owner), not
                # of the key: asking for the key would read every row instead of the index.
                Count("owner", filter=condition)
            )
            for i, (_code, _label, condition) in enumerate(forms)
        }
    )
    form_rows = [(label, agg[f"form_{i}"]) for i, (_code, label, _q) in enumerate(forms)]
    return _cases_result(total, t, form_rows)


def cases_rollup_source() -> RollupSource:
    return RollupSource(
        family="cases",
        scope=_cases_scope(),
        day=F("identified_on"),
        country_a=F("country_of_identification_id"),
        country_b=None,
        dims={name: expr for name, (expr, _labels) in _cases_dims().items()},
        multi={"exploitation": [(code, condition) for code, _label, condition in _cases_forms()]},
    )


def cases_from_rollup(f: StatsFilter) -> list[Figure]:
    """The same figures summed from the rollup: 3 queries."""
    read = rollup_read("cases", f, _cases_dims())
    forms = dict(read.cells.get("exploitation", []))
    form_rows = [(label, forms.get(code, "0")) for code, label, _q in _cases_forms()]
    return _cases_result(read.total, read.tables, form_rows)


def _cases_result(
    total: str, t: dict[str, list[tuple[str, str]]], form_rows: list[tuple[str, str]]
) -> list[Figure]:
    """Cases identified (seed 001:432 OPI "Number of identified victims of trafficking in
    persons"), by the footnote-19 dimensions, period and country."""
    definition = str(
        _(
            "Cases of presumed, identified or confirmed victims, counted on their date of first "
            "contact, in the country where they were identified."
        )
    )

    def fig(
        key: str,
        title: Any,
        dim: Any,
        rows: list[tuple[str, str]],
        htcds: str = "",
        additive: bool = True,
    ) -> Figure:
        return Figure(
            key=f"cases_{key}",
            title=str(title),
            dimension=str(dim),
            rows=rows,
            total=total,
            htcds=htcds,
            additive=additive,
            definition=definition,
            source="seed 001:432 OPI; disaggregation seed 001:364",
        )

    return [
        fig(
            "by_period",
            _("Cases identified by period"),
            _("Period"),
            t["period"],
        ),
        fig(
            "by_age_group",
            _("Cases identified by age group"),
            _("Age group"),
            t["age_group"],
            htcds="prs_Birthdate (age at identification, grouped)",
        ),
        fig(
            "by_age_band",
            _("Cases identified by age band"),
            _("Age band"),
            t["age_band"],
            htcds="prs_Birthdate (age band)",
        ),
        fig(
            "by_sex",
            _("Cases identified by sex / gender"),
            _("Sex / gender"),
            t["sex"],
            htcds="prs_Gender",
        ),
        fig(
            "by_nationality",
            _("Cases identified by nationality"),
            _("Nationality"),
            t["nationality"],
            htcds="prs_Nationality",
        ),
        fig(
            "by_exploitation",
            _("Cases identified by form of exploitation"),
            _("Form of exploitation"),
            form_rows,
            htcds="vic_TypeOfLabourExploitation / vic_TypeOfSexExploitation",
            additive=False,  # a case with several forms counts under each
        ),
        fig(
            "by_provider",
            _("Cases by State or non-State organisation holding them"),
            _("Service provider"),
            t["provider"],
            htcds="org_Type",
        ),
        fig(
            "by_country",
            _("Cases identified by country of identification"),
            _("Country"),
            t["country"],
        ),
        fig(
            "by_identification_state",
            _("Cases by identification stage"),
            _("Stage"),
            t["state"],
        ),
    ]


def _json_list_has(field_name: str, code: str) -> Q:
    """A JSON list of codes holds `code`: containment (`@>`) on PostgreSQL, where matching the
    quoted code in the text upper-cased cost 14 s over 700,000 cases (bench/README.md); the text
    match elsewhere (SQLite has no JSON containment)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__contains": [code]})
    return Q(**{f"{field_name}__icontains": f'"{code}"'})


def _exploitation_form_choices() -> list[tuple[str, Any]]:
    try:
        from importlib import import_module

        module = import_module("workflows.models")
        return list(module.ExploitationForm.choices)
    except (ImportError, AttributeError) as exc:
        raise FamilyUnavailable("workflows.ExploitationForm") from exc


# --- referrals and returns: read the workflows models once they land -----------------------------


def _referrals_scope() -> QuerySet[Any]:
    """Every submitted referral, before a request's filters."""
    return _model("workflows.Referral").objects.filter(submitted_at__isnull=False)


ANSWER_BUCKETS = {
    "a_4h": _("Within 4 hours"),
    "b_24h": _("4 to 24 hours"),
    "c_5d": _("1 to 5 days"),
    "d_more": _("More than 5 days"),
    "e_none": _("Not answered yet"),
}


def _referrals_dims() -> dict[str, tuple[Any, Labels]]:
    meta = _model("workflows.Referral")._meta
    case_meta = meta.get_field("case").related_model._meta
    state_labels = {k: str(v) for k, v in meta.get_field("state").choices}
    urgency_labels = {k: str(v) for k, v in meta.get_field("urgency").choices}
    gender_labels = {k: str(v) for k, v in case_meta.get_field("gender").choices}
    age_labels = {k: str(v) for k, v in case_meta.get_field("age_group").choices}
    time_to_answer = Case(
        When(answered_at__isnull=True, then=Value("e_none")),
        When(answered_at__lte=F("submitted_at") + timedelta(hours=4), then=Value("a_4h")),
        When(answered_at__lte=F("submitted_at") + timedelta(hours=24), then=Value("b_24h")),
        When(answered_at__lte=F("submitted_at") + timedelta(days=5), then=Value("c_5d")),
        default=Value("d_more"),
        output_field=CharField(),
    )
    return {
        "outcome": (F("state"), state_labels),
        "time_to_answer": (time_to_answer, {k: str(v) for k, v in ANSWER_BUCKETS.items()}),
        "urgency": (F("urgency"), urgency_labels),
        "provider": (_state_provider_expr("receiver"), PROVIDER_LABELS),
        "sex": (F("case__gender"), gender_labels),
        "age_group": (F("case__age_group"), age_labels),
    }


def referrals_figures(f: StatsFilter) -> list[Figure]:
    """Referrals computed from the referral rows (the reference for the rollup): 1 query on
    PostgreSQL (GROUPING SETS)."""
    qs = _filtered(
        _referrals_scope(),
        f,
        day="submitted_at__date",
        countries=("sender__country_id", "receiver__country_id"),
    )
    total, t = _grouped_all(qs, _referrals_dims())
    return _referrals_result(total, t)


def referrals_rollup_source() -> RollupSource:
    return RollupSource(
        family="referrals",
        scope=_referrals_scope(),
        # the date in the current time zone, as `submitted_at__date` filters: settings.TIME_ZONE
        # for the refresh and for every request alike (Concord activates no other)
        day=TruncDate("submitted_at"),
        country_a=F("sender__country_id"),
        country_b=F("receiver__country_id"),
        dims={name: expr for name, (expr, _labels) in _referrals_dims().items()},
    )


def referrals_from_rollup(f: StatsFilter) -> list[Figure]:
    read = rollup_read("referrals", f, _referrals_dims(), period=False)
    return _referrals_result(read.total, read.tables)


def _referrals_result(total: str, t: dict[str, list[tuple[str, str]]]) -> list[Figure]:
    """Referrals sent (seed 001:437 OPI "identified and referred"), by outcome, by the time the
    receiving organisation took to answer, by urgency, by whether the receiving organisation is a
    State or non-State actor (seed 001:364), and by the person's sex and age group. Counted on the
    date submitted; a country sees the referrals its organisations send or receive. Computed in
    the database (time to answer included), small cells suppressed there."""

    def fig(key: str, title: Any, dim: Any, rows: list[tuple[str, str]], htcds: str = "") -> Figure:
        return Figure(
            key=f"referrals_{key}",
            title=str(title),
            dimension=str(dim),
            rows=rows,
            total=total,
            htcds=htcds,
            definition=str(_("Referrals submitted, counted on the date first submitted.")),
            source="seed 001:437 OPI; disaggregation seed 001:364",
        )

    return [
        fig(
            "by_outcome",
            _("Referrals by outcome"),
            _("Outcome"),
            t["outcome"],
            htcds="ref_Status",
        ),
        fig(
            "time_to_answer",
            _("Referrals by time to answer"),
            _("Time to answer"),
            t["time_to_answer"],
        ),
        fig(
            "by_urgency",
            _("Referrals by urgency"),
            _("Urgency"),
            t["urgency"],
        ),
        fig(
            "by_provider",
            _("Referrals by State or non-State receiving organisation"),
            _("Receiving organisation"),
            t["provider"],
            htcds="org_Type",
        ),
        fig(
            "by_sex",
            _("Referrals by sex / gender"),
            _("Sex / gender"),
            t["sex"],
            htcds="prs_Gender",
        ),
        fig(
            "by_age_group",
            _("Referrals by age group"),
            _("Age group"),
            t["age_group"],
            htcds="prs_Birthdate (age group)",
        ),
    ]


def _returns_dims() -> dict[str, tuple[Any, Labels]]:
    meta = _model("workflows.ReturnProcedure")._meta
    state_labels = {k: str(v) for k, v in meta.get_field("state").choices}
    case_meta = meta.get_field("case").related_model._meta
    gender_labels = {k: str(v) for k, v in case_meta.get_field("gender").choices}
    age_labels = {k: str(v) for k, v in case_meta.get_field("age_group").choices}
    names = _country_names(None)
    corridor = Concat(
        F("returning_country_id"), Value(">"), F("receiving_country_id"), output_field=CharField()
    )

    def corridor_label(key: Any) -> str:
        a, _sep, b = str(key).partition(">")
        return f"{names.get(a, a)} → {names.get(b, b)}"

    return {
        "corridor": (corridor, corridor_label),
        "step": (F("state"), state_labels),
        "sex": (F("case__gender"), gender_labels),
        "age_group": (F("case__age_group"), age_labels),
        "nationality": (
            F("case__nationality_id"),
            lambda c: names.get(c, str(_("Unknown / stateless"))),
        ),
        "provider": (_state_provider_expr("returning_authority"), PROVIDER_LABELS),
    }


def _return_state_labels() -> dict[str, str]:
    meta = _model("workflows.ReturnProcedure")._meta
    return {k: str(v) for k, v in meta.get_field("state").choices}


def returns_figures(f: StatsFilter) -> list[Figure]:
    """Returns computed from the procedure and step rows (the reference for the rollup): 3
    queries on PostgreSQL (GROUPING SETS, the steps reached, the country names)."""
    procedure_model = _model("workflows.ReturnProcedure")
    step_model = _model("workflows.ReturnStep")
    qs = _filtered(
        procedure_model.objects.all(),
        f,
        day="requested_at__date",
        countries=("returning_country_id", "receiving_country_id"),
    )
    dims = _returns_dims()
    total, t = _grouped_all(
        qs,
        {
            "period": (_period_expr(f.period, "requested_at"), _period_label(f.period)),
            **dims,
        },
    )
    state_labels = _return_state_labels()
    steps = (
        step_model.objects.filter(procedure__in=qs.values("pk"))
        .values("state")
        .annotate(shown=suppressed_count(Count("procedure", distinct=True)))
        .order_by("state")
        .values_list("state", "shown")
    )
    step_rows = [(state_labels.get(k, k), shown) for k, shown in steps]
    return _returns_result(total, t, step_rows)


def returns_rollup_source() -> RollupSource:
    procedure_model = _model("workflows.ReturnProcedure")
    step_model = _model("workflows.ReturnStep")
    scope = procedure_model.objects.all()
    # Every step a procedure reached, once per procedure: grouped here by day, corridor and
    # step, so that the sums over days and countries stay exact (a procedure has one day).
    steps_reached = (
        step_model.objects.filter(procedure__in=scope.values("pk"))
        .annotate(
            rd=TruncDate("procedure__requested_at"),
            ra=F("procedure__returning_country_id"),
            rb=F("procedure__receiving_country_id"),
            v=F("state"),
        )
        .values("rd", "ra", "rb", "v")
        .annotate(n=Count("procedure", distinct=True))
        .order_by()
    )
    return RollupSource(
        family="returns",
        scope=scope,
        day=TruncDate("requested_at"),
        country_a=F("returning_country_id"),
        country_b=F("receiving_country_id"),
        dims={name: expr for name, (expr, _labels) in _returns_dims().items()},
        grouped={"steps_reached": steps_reached},
    )


def returns_from_rollup(f: StatsFilter) -> list[Figure]:
    read = rollup_read("returns", f, _returns_dims())
    state_labels = _return_state_labels()
    step_rows = [
        (state_labels.get(k, k), shown) for k, shown in read.cells.get("steps_reached", [])
    ]
    return _returns_result(read.total, read.tables, step_rows)


def _returns_result(
    total: str, t: dict[str, list[tuple[str, str]]], step_rows: list[tuple[str, str]]
) -> list[Figure]:
    """Return procedures (seed 001:481 OPI "Number of voluntary and safe returns") by corridor
    (returning -> receiving State), by the step they are at, by the steps they reached, and by
    the returnee's sex, age group and nationality, and State or non-State returning authority.
    Counted on the date the return was requested; a country sees the returns it sends or
    receives."""

    def fig(
        key: str,
        title: Any,
        dim: Any,
        rows: list[tuple[str, str]],
        htcds: str = "",
        additive: bool = True,
    ) -> Figure:
        return Figure(
            key=f"returns_{key}",
            title=str(title),
            dimension=str(dim),
            rows=rows,
            total=total,
            htcds=htcds,
            additive=additive,
            definition=str(_("Return procedures, counted on the date the return was requested.")),
            source="seed 001:481-483 OPI; disaggregation seed 001:364",
        )

    return [
        fig(
            "by_corridor",
            _("Returns by corridor"),
            _("Corridor"),
            t["corridor"],
        ),
        fig(
            "by_step",
            _("Returns by current step"),
            _("Step"),
            t["step"],
        ),
        fig(
            "steps_reached",
            _("Returns by step reached"),
            _("Step"),
            step_rows,
            additive=False,  # a procedure counts under every step it reached
        ),
        fig(
            "by_period",
            _("Returns requested by period"),
            _("Period"),
            t["period"],
        ),
        fig(
            "by_sex",
            _("Returns by sex / gender"),
            _("Sex / gender"),
            t["sex"],
            htcds="prs_Gender",
        ),
        fig(
            "by_age_group",
            _("Returns by age group"),
            _("Age group"),
            t["age_group"],
            htcds="prs_Birthdate (age group)",
        ),
        fig(
            "by_nationality",
            _("Returns by nationality"),
            _("Nationality"),
            t["nationality"],
            htcds="prs_Nationality",
        ),
        fig(
            "by_provider",
            _("Returns by State or non-State returning authority"),
            _("Returning authority"),
            t["provider"],
            htcds="org_Type",
        ),
    ]


# --- coordination (this app's own records) -------------------------------------------------------


def coordination_figures(f: StatsFilter) -> list[Figure]:
    """Meetings held (seed 001:513 OPI "Coordination mechanism meets regularly") and action items
    by status, for the bodies of the chosen countries. Not person data: nothing to suppress, but the
    same rule is applied for uniformity. 4 queries."""
    meetings = Meeting.objects.filter(state__in=[MeetingState.HELD, MeetingState.MINUTES_APPROVED])
    items = ActionItem.objects.all()
    if f.date_from:
        meetings = meetings.filter(starts_at__date__gte=f.date_from)
        items = items.filter(due_on__gte=f.date_from)
    if f.date_to:
        meetings = meetings.filter(starts_at__date__lte=f.date_to)
        items = items.filter(due_on__lte=f.date_to)
    if f.countries is not None:
        body_in_countries = Q(body__country_id__in=f.countries) | Q(
            Exists(
                Country.regional_bodies.through.objects.filter(
                    coordinationbody_id=OuterRef("body_id"), country_id__in=f.countries
                )
            )
        )
        meetings = meetings.filter(body_in_countries)
        items = items.filter(body_in_countries)
    state_labels = {k: str(v) for k, v in ActionItemState.choices}
    overdue = Case(
        When(
            Q(state__in=[ActionItemState.OPEN, ActionItemState.IN_PROGRESS])
            & Q(due_on__lt=timezone.localdate()),
            then=Value("overdue"),
        ),
        default=Value("on_time"),
        output_field=CharField(),
    )
    return [
        Figure(
            key="meetings_by_period",
            title=str(_("Coordination meetings held by period")),
            dimension=str(_("Period")),
            rows=_grouped(meetings, _period_expr(f.period, "starts_at"), _period_label(f.period)),
            total=_total(meetings),
            source="seed 001:513 OPI",
        ),
        Figure(
            key="action_items_by_status",
            title=str(_("Action items by status")),
            dimension=str(_("Status")),
            rows=_grouped(items, F("state"), state_labels),
            total=_total(items),
        ),
        Figure(
            key="action_items_overdue",
            title=str(_("Action items overdue")),
            dimension=str(_("Timeliness")),
            rows=_grouped(
                items,
                overdue,
                {"overdue": str(_("Overdue")), "on_time": str(_("On time or closed"))},
            ),
            total=_total(items),
        ),
    ]


FAMILIES: dict[str, tuple[Any, Callable[[StatsFilter], list[Figure]]]] = {
    "cases": (_("Cases identified"), cases_figures),
    "referrals": (_("Referrals by outcome and time to answer"), referrals_figures),
    "returns": (_("Returns by corridor and step"), returns_figures),
    "coordination": (_("Coordination meetings and action items"), coordination_figures),
}


# The families served from the rollup (the coordination family stays live: a few hundred rows,
# and whether an action item is overdue depends on today).
FROM_ROLLUP: dict[str, Callable[[StatsFilter], list[Figure]]] = {
    "cases": cases_from_rollup,
    "referrals": referrals_from_rollup,
    "returns": returns_from_rollup,
}


def rollup_sources() -> list[RollupSource]:
    """The sources of the families whose models have landed."""
    out = []
    for source in (cases_rollup_source, referrals_rollup_source, returns_rollup_source):
        try:
            out.append(source())
        except FamilyUnavailable:
            continue
    return out


def statistics_for(
    f: StatsFilter, families: list[str] | None = None, *, live: bool = False
) -> list[FamilyResult]:
    """The figures of the chosen families (all by default), in one transaction with the settings
    of whole-table aggregates (concord.analytics: no JIT, sorts in memory).

    Cases, referrals and returns are summed from the rollup (as of its last refresh, built
    first if it never was: coordination/work/rollup.py); `live=True` computes them from the
    records instead, the reference the rollup is tested against."""
    from django.conf import settings

    from .rollup import rollup_as_of

    wanted = [key for key in FAMILIES if not families or key in families]
    out = []
    with analytic_queries():
        as_of = None
        if not live and any(key in FROM_ROLLUP for key in wanted):
            as_of = rollup_as_of()
        for key in wanted:
            title, func = FAMILIES[key]
            from_rollup = not live and key in FROM_ROLLUP
            try:
                figures = FROM_ROLLUP[key](f) if from_rollup else func(f)
            except FamilyUnavailable as exc:
                out.append(
                    FamilyResult(key=key, title=str(title), available=False, waiting_for=str(exc))
                )
                continue
            out.append(
                FamilyResult(
                    key=key,
                    title=str(title),
                    available=True,
                    figures=figures,
                    as_of=as_of if from_rollup else None,
                    refreshed_every_minutes=(
                        settings.CONCORD_STATISTICS_REFRESH_MINUTES if from_rollup else None
                    ),
                )
            )
    return out
