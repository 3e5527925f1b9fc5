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
from datetime import date, timedelta
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
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, TruncMonth, TruncQuarter, TruncYear
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
        .order_by("k")
        .values_list("k", "shown")
    )
    out = []
    for k, shown in rows:
        label = labels(k) if callable(labels) else labels.get(k, str(k) if k else "—")
        out.append((str(label), shown))
    return out


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
    tables = {}
    for name in names:
        ordered = sorted(cells[name], key=lambda kv: (kv[0] is None, kv[0]))
        tables[name] = [(_label(dims[name][1], k), shown) for k, shown in ordered]
    return total, tables


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


# --- cases identified ----------------------------------------------------------------------------

# Cases counted as identified: presumed victims (who have access to assistance at once, seed
# 004:107-108), identified and formally confirmed victims; "not identified" is left out. The
# covering index workflows_case.case_statistics_idx (PostgreSQL) has this very condition: keep the
# two alike (workflows/migrations/0008_statistics_covering_indexes.py).
COUNTED_IDENTIFICATION_STATES = ("presumed_victim", "identified", "confirmed")


def cases_figures(f: StatsFilter) -> list[Figure]:
    """Cases identified (seed 001:432 OPI "Number of identified victims of trafficking in
    persons"), by the footnote-19 dimensions, period and country. 8 queries."""
    case_model = _model("workflows.Case")
    qs = case_model.objects.filter(identification_state__in=COUNTED_IDENTIFICATION_STATES)
    if f.date_from:
        qs = qs.filter(identified_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(identified_on__lte=f.date_to)
    if f.countries is not None:
        qs = qs.filter(country_of_identification_id__in=f.countries)
    meta = case_model._meta
    gender_labels = dict(meta.get_field("gender").choices)
    age_labels = dict(meta.get_field("age_group").choices)
    band_labels = dict(meta.get_field("age_band").choices)
    state_labels = dict(meta.get_field("identification_state").choices)
    definition = str(
        _(
            "Cases of presumed, identified or confirmed victims, counted on their date of first "
            "contact, in the country where they were identified."
        )
    )
    names = _country_names(None)
    total, t = _grouped_all(
        qs,
        {
            "period": (_period_expr(f.period, "identified_on"), _period_label(f.period)),
            "age_group": (F("age_group"), {k: str(v) for k, v in age_labels.items()}),
            "age_band": (F("age_band"), {k: str(v) for k, v in band_labels.items()}),
            "sex": (F("gender"), {k: str(v) for k, v in gender_labels.items()}),
            "nationality": (
                F("nationality_id"),
                lambda c: names.get(c, str(_("Unknown / stateless"))),
            ),
            "provider": (_state_provider_expr("owner"), PROVIDER_LABELS),
            "country": (F("country_of_identification_id"), lambda c: names.get(c, str(c))),
            "state": (F("identification_state"), {k: str(v) for k, v in state_labels.items()}),
        },
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

    forms_field = meta.get_field("exploitation_forms")
    form_choices = _exploitation_form_choices()
    # One query: a conditional count per form. A case with several forms counts under each.
    agg = qs.aggregate(
        **{
            f"form_{i}": suppressed_count(
                # The count of a never-empty column that case_statistics_idx holds (owner), not
                # of the key: asking for the key would read every row instead of the index.
                Count("owner", filter=_json_list_has(forms_field.name, code))
            )
            for i, (code, _label) in enumerate(form_choices)
        }
    )
    form_rows = [(str(label), agg[f"form_{i}"]) for i, (_code, label) in enumerate(form_choices)]
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


def referrals_figures(f: StatsFilter) -> list[Figure]:
    """Referrals sent (seed 001:437 OPI "identified and referred"), by outcome, by the time the
    receiving organisation took to answer, by urgency, by whether the receiving organisation is a
    State or non-State actor (seed 001:364), and by the person's sex and age group. Counted on the
    date submitted; a country sees the referrals its organisations send or receive. Computed in
    the database (time to answer included), small cells suppressed there."""
    referral_model = _model("workflows.Referral")
    qs = referral_model.objects.filter(submitted_at__isnull=False)
    if f.date_from:
        qs = qs.filter(submitted_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(submitted_at__date__lte=f.date_to)
    if f.countries is not None:
        qs = qs.filter(
            Q(sender__country_id__in=f.countries) | Q(receiver__country_id__in=f.countries)
        )
    meta = referral_model._meta
    state_labels = {k: str(v) for k, v in meta.get_field("state").choices}
    urgency_labels = {k: str(v) for k, v in meta.get_field("urgency").choices}
    case_meta = meta.get_field("case").related_model._meta
    gender_labels = {k: str(v) for k, v in case_meta.get_field("gender").choices}
    age_labels = {k: str(v) for k, v in case_meta.get_field("age_group").choices}
    answer_buckets = {
        "a_4h": str(_("Within 4 hours")),
        "b_24h": str(_("4 to 24 hours")),
        "c_5d": str(_("1 to 5 days")),
        "d_more": str(_("More than 5 days")),
        "e_none": str(_("Not answered yet")),
    }
    time_to_answer = Case(
        When(answered_at__isnull=True, then=Value("e_none")),
        When(answered_at__lte=F("submitted_at") + timedelta(hours=4), then=Value("a_4h")),
        When(answered_at__lte=F("submitted_at") + timedelta(hours=24), then=Value("b_24h")),
        When(answered_at__lte=F("submitted_at") + timedelta(days=5), then=Value("c_5d")),
        default=Value("d_more"),
        output_field=CharField(),
    )
    total, t = _grouped_all(
        qs,
        {
            "outcome": (F("state"), state_labels),
            "time_to_answer": (time_to_answer, answer_buckets),
            "urgency": (F("urgency"), urgency_labels),
            "provider": (_state_provider_expr("receiver"), PROVIDER_LABELS),
            "sex": (F("case__gender"), gender_labels),
            "age_group": (F("case__age_group"), age_labels),
        },
    )

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


def returns_figures(f: StatsFilter) -> list[Figure]:
    """Return procedures (seed 001:481 OPI "Number of voluntary and safe returns") by corridor
    (returning -> receiving State), by the step they are at, by the steps they reached, and by
    the returnee's sex, age group and nationality, and State or non-State returning authority.
    Counted on the date the return was requested; a country sees the returns it sends or
    receives. 9 queries."""
    procedure_model = _model("workflows.ReturnProcedure")
    step_model = _model("workflows.ReturnStep")
    qs = procedure_model.objects.all()
    if f.date_from:
        qs = qs.filter(requested_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(requested_at__date__lte=f.date_to)
    if f.countries is not None:
        qs = qs.filter(
            Q(returning_country_id__in=f.countries) | Q(receiving_country_id__in=f.countries)
        )
    meta = procedure_model._meta
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

    total, t = _grouped_all(
        qs,
        {
            "corridor": (corridor, corridor_label),
            "step": (F("state"), state_labels),
            "period": (_period_expr(f.period, "requested_at"), _period_label(f.period)),
            "sex": (F("case__gender"), gender_labels),
            "age_group": (F("case__age_group"), age_labels),
            "nationality": (
                F("case__nationality_id"),
                lambda c: names.get(c, str(_("Unknown / stateless"))),
            ),
            "provider": (_state_provider_expr("returning_authority"), PROVIDER_LABELS),
        },
    )

    steps = (
        step_model.objects.filter(procedure__in=qs.values("pk"))
        .values("state")
        .annotate(shown=suppressed_count(Count("procedure", distinct=True)))
        .order_by("state")
        .values_list("state", "shown")
    )
    step_rows = [(state_labels.get(k, k), shown) for k, shown in steps]

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


def statistics_for(f: StatsFilter, families: list[str] | None = None) -> list[FamilyResult]:
    """The figures of the chosen families (all by default), in one transaction with the settings
    of whole-table aggregates (concord.analytics: no JIT, sorts in memory)."""
    out = []
    with analytic_queries():
        for key, (title, func) in FAMILIES.items():
            if families and key not in families:
                continue
            try:
                figures = func(f)
                out.append(FamilyResult(key=key, title=str(title), available=True, figures=figures))
            except FamilyUnavailable as exc:
                out.append(
                    FamilyResult(key=key, title=str(title), available=False, waiting_for=str(exc))
                )
    return out
