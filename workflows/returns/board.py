"""The ministries' corridor board: figures only, computed in the database, in a fixed number of
queries whatever the number of procedures.

For a ministry official: every return procedure whose returning or receiving State is one their
ministries act for, grouped by corridor (returning State → receiving State: the direction of the
return), with the number at each step, the overdue steps, the median days per step, the
alternatives granted and monitoring compliance. No identifying field (not even the pseudonymous
reference) leaves this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from concord.errors import ApplicationError
from coordination.models import Membership, Role
from workflows.cases.models import ExploitationForm, Gender, MinorStatus
from workflows.returns.models import (
    RETURN_STEPS,
    MonitoringVisit,
    ReturnProcedure,
    ReturnState,
    ReturnStep,
)
from workflows.returns.schedule import DEFAULT_GRACE_DAYS

ALL_STATES: tuple[str, ...] = tuple(ReturnState.values)
TIMED_STEPS: tuple[str, ...] = tuple(s for s in RETURN_STEPS if s != ReturnState.CLOSED)
CHILD_STATUSES = (MinorStatus.KNOWN_CHILD, MinorStatus.PRESUMED_CHILD)


@dataclass(frozen=True)
class BoardFilters:
    date_from: date | None = None
    date_to: date | None = None
    corridor: tuple[str, str] | None = None
    age: str = ""  # "child" | "adult" | ""
    sex: str = ""
    form: str = ""

    def as_query(self) -> dict[str, str]:
        out = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        if self.corridor:
            out["corridor"] = "-".join(self.corridor)
        for key in ("age", "sex", "form"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


def parse_filters(params: Mapping[str, Any]) -> BoardFilters:
    """Filters from a query string; a bad value raises ApplicationError naming the field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, attr in (("from", "date_from"), ("to", "date_to")):
        raw = (params.get(key) or "").strip()
        if raw:
            try:
                parsed = parse_date(raw)
            except ValueError:
                parsed = None
            if parsed is None:
                errors[key] = [_("Enter a date as YYYY-MM-DD.")]
            values[attr] = parsed
    raw = (params.get("corridor") or "").strip().upper()
    if raw:
        parts = raw.split("-")
        if len(parts) != 2 or not all(len(p) == 2 and p.isalpha() for p in parts):
            errors["corridor"] = [_("Write a corridor as two country codes, e.g. TH-KH.")]
        else:
            values["corridor"] = (parts[0], parts[1])
    age = (params.get("age") or "").strip()
    if age and age not in ("child", "adult"):
        errors["age"] = [_("Choose child or adult.")]
    values["age"] = age
    sex = (params.get("sex") or "").strip()
    if sex and sex not in Gender.values:
        errors["sex"] = [_("Choose a valid value.")]
    values["sex"] = sex
    form = (params.get("form") or "").strip()
    if form and form not in ExploitationForm.values:
        errors["form"] = [_("Choose a form of exploitation.")]
    values["form"] = form
    if errors:
        raise ApplicationError(_("Check the filters."), fields=errors)
    filters = BoardFilters(**values)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ApplicationError(
            _("Check the filters."), fields={"to": [_("The end comes after the start.")]}
        )
    return filters


def ministry_countries(user: Any) -> list[str]:
    """The States the user's ministries act for (ministry official role, active)."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = Membership.objects.filter(
        user=user,
        is_active=True,
        organisation__is_active=True,
        role=Role.MINISTRY_OFFICIAL,
    ).values_list("organisation__represents_country_id", "organisation__country_id")
    return sorted({rep or own for rep, own in rows if rep or own})


def board_procedures(*, countries: list[str], filters: BoardFilters) -> QuerySet[ReturnProcedure]:
    return ReturnProcedure.objects.filter(procedures_q(countries=countries, filters=filters))


def procedures_q(*, countries: list[str], filters: BoardFilters, prefix: str = "") -> Q:
    """The board's procedures as a condition, on ReturnProcedure or (with `prefix`, e.g.
    "procedure__") on a row that belongs to one: the step and visit queries join their procedure
    and filter it in place, where a `procedure IN (subquery)` scanned the procedures twice."""

    def on(lookup: str, value: Any) -> Q:
        return Q(**{f"{prefix}{lookup}": value})

    q = on("returning_country_id__in", countries) | on("receiving_country_id__in", countries)
    if filters.date_from:
        q &= on("requested_at__date__gte", filters.date_from)
    if filters.date_to:
        q &= on("requested_at__date__lte", filters.date_to)
    if filters.corridor:
        q &= on("returning_country_id", filters.corridor[0]) & on(
            "receiving_country_id", filters.corridor[1]
        )
    if filters.age == "child":
        q &= on("case__minor_status__in", CHILD_STATUSES)
    elif filters.age == "adult":
        q &= ~on("case__minor_status__in", CHILD_STATUSES)
    if filters.sex:
        q &= on("case__gender", filters.sex)
    if filters.form:
        # a JSON list of codes: match the quoted code in its text (works on SQLite and PostgreSQL)
        q &= on("case__exploitation_forms__icontains", f'"{filters.form}"')
    return q


@dataclass
class CorridorRow:
    returning: str
    returning_name: str
    receiving: str
    receiving_name: str
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    overdue_steps: int = 0
    median_days: dict[str, float | None] = field(default_factory=dict)
    alternatives: int = 0
    visits_due: int = 0
    visits_done: int = 0
    visits_missed: int = 0

    @property
    def key(self) -> str:
        return f"{self.returning}-{self.receiving}"

    @property
    def label(self) -> str:
        return f"{self.returning_name} → {self.receiving_name}"

    @property
    def compliance(self) -> float | None:
        """Share of due monitoring visits that have an outcome (percent)."""
        return round(100.0 * self.visits_done / self.visits_due, 1) if self.visits_due else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "corridor": self.key,
            "returning_state": self.returning,
            "receiving_state": self.receiving,
            "label": self.label,
            "total": self.total,
            "by_step": self.by_state,
            "overdue_steps": self.overdue_steps,
            "median_days_per_step": self.median_days,
            "alternatives_granted": self.alternatives,
            "monitoring": {
                "visits_due": self.visits_due,
                "visits_done": self.visits_done,
                "visits_missed": self.visits_missed,
                "compliance_percent": self.compliance,
            },
        }


@dataclass
class Board:
    countries: list[str]
    filters: BoardFilters
    rows: list[CorridorRow]
    # when the median days per step were computed (the statistics refresh); None: at this
    # request (filters the precomputed medians do not cover)
    medians_as_of: datetime | None = None
    medians_refreshed_every_minutes: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "countries": self.countries,
            "filters": self.filters.as_query(),
            "steps": list(ALL_STATES),
            "timed_steps": list(TIMED_STEPS),
            "corridors": [r.as_dict() for r in self.rows],
            "medians_as_of": self.medians_as_of,
            "medians_refreshed_every_minutes": self.medians_refreshed_every_minutes,
        }


# Width of the histogram buckets the medians are found through (seconds).
MEDIAN_BUCKET_SECONDS = 3600


def medians_sql(q: Q) -> tuple[str, tuple[Any, ...]]:
    """SELECT rc, vc, st, median seconds: per corridor and step, over the step visits that ended
    (of the procedures `q` selects, on ReturnStep), exactly (the mean
    of the two middle values for an even count, as PERCENTILE_CONT(0.5)), in one query, the
    same SQL on SQLite and PostgreSQL.

    Without sorting every step row: a histogram of the durations per corridor and step (hourly
    buckets, a hash aggregate) says which bucket holds the middle ranks; only that bucket's
    rows are ranked. At 50,000 returns (270,000 steps) this replaced two sorts of 250,000 rows
    (bench/README.md section 3). Run at each request for filtered boards (`live_medians`), and
    at the statistics refresh for the unfiltered one (reporting.board.insert_board_medians)."""
    base = (
        ReturnStep.objects.filter(q, left_at__isnull=False, duration_seconds__isnull=False)
        .annotate(
            rc=F("procedure__returning_country_id"),
            vc=F("procedure__receiving_country_id"),
            st=F("state"),
            d=F("duration_seconds"),
        )
        .values("rc", "vc", "st", "d")
        .order_by()  # the model's ordering would sort every step row for nothing
    )
    base_sql, params = base.query.sql_with_params()
    width = int(MEDIAN_BUCKET_SECONDS)
    sql = (
        f"WITH base AS ({base_sql}),"  # noqa: S608 - our own compiled queryset, parameters bound
        f" hist AS (SELECT rc, vc, st, d / {width} AS b, COUNT(*) AS c FROM base"
        f"  GROUP BY rc, vc, st, d / {width}),"
        # integers: PostgreSQL sums counts as numeric, and (n + 1) / 2 must divide as integers
        " cum AS (SELECT rc, vc, st, b, c,"
        "  CAST(SUM(c) OVER (PARTITION BY rc, vc, st ORDER BY b) AS integer) AS upto,"
        "  CAST(SUM(c) OVER (PARTITION BY rc, vc, st) AS integer) AS n FROM hist),"
        # the buckets holding rank (n + 1) / 2 or (n + 2) / 2, with the rows ranked before them
        " mid AS (SELECT rc, vc, st, b, upto - c AS before, n FROM cum"
        "  WHERE (upto - c < (n + 1) / 2 AND (n + 1) / 2 <= upto)"
        "     OR (upto - c < (n + 2) / 2 AND (n + 2) / 2 <= upto)),"
        # the rows of those buckets only (a hash semi-join: a plain join let the planner sort
        # every row for a merge join), ranked within their bucket
        " inside AS (SELECT rc, vc, st, d FROM base"
        f"  WHERE (rc, vc, st, d / {width}) IN (SELECT rc, vc, st, b FROM mid)),"
        " ranked AS (SELECT inside.rc, inside.vc, inside.st, inside.d, mid.n,"
        "  mid.before + ROW_NUMBER() OVER ("
        "   PARTITION BY inside.rc, inside.vc, inside.st, mid.b ORDER BY inside.d) AS rn"
        "  FROM inside JOIN mid ON inside.rc = mid.rc AND inside.vc = mid.vc"
        f"   AND inside.st = mid.st AND inside.d / {width} = mid.b)"
        " SELECT rc, vc, st, AVG(d) FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2)"
        " GROUP BY rc, vc, st"
    )
    return sql, tuple(params)


def live_medians(q: Q) -> dict[tuple[str, str, str], float]:
    """Median days in each step per corridor, live (see `medians_sql`)."""
    sql, params = medians_sql(q)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(rc, vc, st): float(avg) / 86400.0 for rc, vc, st, avg in cursor.fetchall()}


def corridor_figures(
    *,
    countries: list[str],
    filters: BoardFilters | None = None,
    today: date | None = None,
    medians: dict[tuple[str, str, str], float] | None = None,
    medians_as_of: datetime | None = None,
) -> Board:
    """The board's figures for the procedures of `countries` (the caller checked that the user
    is a ministry official acting for them, and runs this under `analytic_queries`). Median days
    per (returning State, receiving State, step): `medians` as given with `medians_as_of` (the
    precomputed ones, reporting.board), else computed here for these filters. Five queries with
    `medians`, six without."""
    filters = filters or BoardFilters()
    today = today or timezone.localdate()
    procedures = board_procedures(countries=countries, filters=filters)
    corridor = ("returning_country_id", "receiving_country_id")

    # Grouped by the two codes only (a hash aggregate); the names ride along as MIN(), where
    # grouping by them too sorted every procedure.
    counts = procedures.values(*corridor).annotate(
        returning_name=Min("returning_country__name"),
        receiving_name=Min("receiving_country__name"),
        total=Count("pk"),
        **{f"n_{s}": Count("pk", filter=Q(state=s)) for s in ALL_STATES},
    )
    rows: dict[tuple[str, str], CorridorRow] = {}
    for c in sorted(counts, key=lambda c: (c["returning_country_id"], c["receiving_country_id"])):
        key = (c["returning_country_id"], c["receiving_country_id"])
        rows[key] = CorridorRow(
            returning=key[0],
            returning_name=c["returning_name"],
            receiving=key[1],
            receiving_name=c["receiving_name"],
            total=c["total"],
            by_state={s: c[f"n_{s}"] for s in ALL_STATES},
            alternatives=c[f"n_{ReturnState.ALTERNATIVE}"],
            median_days=dict.fromkeys(TIMED_STEPS),
        )
    of_procedure = procedures_q(countries=countries, filters=filters, prefix="procedure__")
    overdue = (
        ReturnStep.objects.filter(of_procedure, left_at__isnull=True, due_on__lt=today)
        .values(rc=F("procedure__returning_country_id"), vc=F("procedure__receiving_country_id"))
        .annotate(n=Count("pk"))
    )
    for o in overdue:
        if (o["rc"], o["vc"]) in rows:
            rows[(o["rc"], o["vc"])].overdue_steps = o["n"]
    if medians is None:
        medians, medians_as_of = live_medians(of_procedure), None
    for (rc, vc, st), days in medians.items():
        if (rc, vc) in rows and st in TIMED_STEPS:
            rows[(rc, vc)].median_days[st] = round(days, 1)
    grace_cutoff = today - timedelta(days=DEFAULT_GRACE_DAYS)
    visits = (
        MonitoringVisit.objects.filter(of_procedure)
        .filter(~Q(outcome="") | Q(missed_at__isnull=False) | Q(due_on__lt=grace_cutoff))
        .values(rc=F("procedure__returning_country_id"), vc=F("procedure__receiving_country_id"))
        .annotate(
            due=Count("pk"),
            done=Count("pk", filter=~Q(outcome="")),
            missed=Count("pk", filter=Q(missed_at__isnull=False)),
        )
    )
    for v in visits:
        if (v["rc"], v["vc"]) in rows:
            row = rows[(v["rc"], v["vc"])]
            row.visits_due, row.visits_done, row.visits_missed = v["due"], v["done"], v["missed"]
    return Board(
        countries=countries,
        filters=filters,
        rows=list(rows.values()),
        medians_as_of=medians_as_of,
        medians_refreshed_every_minutes=(
            settings.CONCORD_STATISTICS_REFRESH_MINUTES if medians_as_of else None
        ),
    )


def board_csv(board: Board) -> str:
    """The board as CSV: one row per corridor, figures only."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "corridor",
            "returning_state",
            "receiving_state",
            "total",
            *[f"at_{s}" for s in ALL_STATES],
            "overdue_steps",
            *[f"median_days_{s}" for s in TIMED_STEPS],
            "alternatives_granted",
            "monitoring_visits_due",
            "monitoring_visits_done",
            "monitoring_visits_missed",
            "monitoring_compliance_percent",
        ]
    )
    for r in board.rows:
        writer.writerow(
            [
                r.key,
                r.returning,
                r.receiving,
                r.total,
                *[r.by_state[s] for s in ALL_STATES],
                r.overdue_steps,
                *["" if r.median_days[s] is None else r.median_days[s] for s in TIMED_STEPS],
                r.alternatives,
                r.visits_due,
                r.visits_done,
                r.visits_missed,
                "" if r.compliance is None else r.compliance,
            ]
        )
    return out.getvalue()
