"""The statistics' families of figures: cases identified, referrals by outcome and time to
answer, returns by corridor and step, and the coordination bodies' meetings and action items.

Each family computes its figures from the records (`*_figures`, the reference) and, for cases,
referrals and returns, sums them from the rollup (`*_from_rollup`, what requests read) through
its `RollupSource`. Disaggregation follows seed 001:364 (footnote 19): age, sex, nationality,
form of exploitation, and "whether services are provided by state or non-state actors"
(Organisation kind, see coordination.models.STATE_KINDS). Where the Human Trafficking Case Data
Standard (HTCDS, UNMigration/HTCDS) names a field, `Figure.htcds` gives its name.

The records are read through the apps' selectors (`cases_counted_in_statistics`,
`referrals_submitted`) and models; none of those apps reads reporting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import (
    Concat,
    TruncDate,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Country
from coordination.work.models import ActionItem, ActionItemState, Meeting, MeetingState
from workflows.cases.models import Case as CaseModel
from workflows.cases.models import ExploitationForm
from workflows.cases.selectors import cases_counted_in_statistics
from workflows.referrals.models import Referral
from workflows.referrals.selectors import referrals_submitted
from workflows.returns.models import ReturnProcedure, ReturnStep

from .figures import (
    PROVIDER_LABELS,
    Figure,
    Labels,
    RollupSource,
    StatsFilter,
    _country_names,
    _grouped,
    _grouped_all,
    _period_expr,
    _period_label,
    _state_provider_expr,
    _total,
    rollup_read,
    suppressed_count,
)

# --- cases identified ----------------------------------------------------------------------------


def _labels(model: type[Model], field_name: str) -> dict[str, str]:
    """A field's choices as {value: label}."""
    choices = getattr(model._meta.get_field(field_name), "choices", None) or []
    return {k: str(v) for k, v in choices}


def _cases_dims() -> dict[str, tuple[Any, Labels]]:
    """The one-value-per-case dimensions (the period is the day's, see `_period_expr`)."""
    names = _country_names(None)

    def choices(field_name: str) -> dict[str, str]:
        return _labels(CaseModel, field_name)

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
    forms_field = CaseModel._meta.get_field("exploitation_forms")
    return [
        (code, str(label), _json_list_has(forms_field.name, code))
        for code, label in ExploitationForm.choices
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
        cases_counted_in_statistics(),
        f,
        day="identified_on",
        countries=("country_of_identification_id",),
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
        scope=cases_counted_in_statistics(),
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


# --- referrals ----------------------------------------------------------------------------------


ANSWER_BUCKETS = {
    "a_4h": _("Within 4 hours"),
    "b_24h": _("4 to 24 hours"),
    "c_5d": _("1 to 5 days"),
    "d_more": _("More than 5 days"),
    "e_none": _("Not answered yet"),
}


def _referrals_dims() -> dict[str, tuple[Any, Labels]]:
    state_labels = _labels(Referral, "state")
    urgency_labels = _labels(Referral, "urgency")
    gender_labels = _labels(CaseModel, "gender")
    age_labels = _labels(CaseModel, "age_group")
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
        referrals_submitted(),
        f,
        day="submitted_at__date",
        countries=("sender__country_id", "receiver__country_id"),
    )
    total, t = _grouped_all(qs, _referrals_dims())
    return _referrals_result(total, t)


def referrals_rollup_source() -> RollupSource:
    return RollupSource(
        family="referrals",
        scope=referrals_submitted(),
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
    state_labels = _labels(ReturnProcedure, "state")
    gender_labels = _labels(CaseModel, "gender")
    age_labels = _labels(CaseModel, "age_group")
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
    return _labels(ReturnProcedure, "state")


def returns_figures(f: StatsFilter) -> list[Figure]:
    """Returns computed from the procedure and step rows (the reference for the rollup): 3
    queries on PostgreSQL (GROUPING SETS, the steps reached, the country names)."""
    procedure_model = ReturnProcedure
    step_model = ReturnStep
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
    procedure_model = ReturnProcedure
    step_model = ReturnStep
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


# --- coordination bodies' work -------------------------------------------------------------------


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
    """The sources of the families served from the rollup."""
    return [cases_rollup_source(), referrals_rollup_source(), returns_rollup_source()]
