"""Reads of cases, consent, protection and indicators. Every read of a case goes through
`cases_visible_to`; what a user may not see does not exist for them (404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import Organisation
from coordination.permissions import organisation_ids_for

from .models import (
    IDENTIFYING_FIELDS,
    WEIGHT_ORDER,
    BestInterestsDetermination,
    Case,
    CaseGroupObjectPermission,
    Consent,
    ConsentCategory,
    GuardianAppointment,
    Indicator,
    IndicatorCategory,
    IndicatorWeight,
    ObservedIndicator,
    PersonCategory,
    PiiAccessLog,
    ReflectionPeriod,
    ResidenceStatus,
    Weight,
)
from .permissions import CASE_WORK_ROLES


def _granted_case_ids(org_ids: set[int], codenames: list[str]) -> Any:
    return CaseGroupObjectPermission.objects.filter(
        group__organisation__id__in=org_ids, permission__codename__in=codenames
    ).values("content_object_id")


def cases_visible_to(*, user: Any) -> QuerySet[Case]:
    """Cases the user's organisations hold, or were granted (summary or details) by a workflow."""
    org_ids = organisation_ids_for(user)
    if not org_ids:
        return Case.objects.none()
    granted = _granted_case_ids(org_ids, ["view_case_summary", "view_case_details"])
    return Case.objects.filter(Q(owner_id__in=org_ids) | Q(pk__in=granted))


def cases_owned_by(*, user: Any) -> QuerySet[Case]:
    """The case list of the user's own organisations (fixed query count: select_related)."""
    return Case.objects.filter(owner_id__in=organisation_ids_for(user)).select_related(
        "owner", "nationality", "country_of_identification"
    )


def can_see_identifying_details(*, user: Any, case: Case) -> bool:
    """Case officers and supervisors of the owning organisation, or of an organisation granted
    `view_case_details` (after an accepted referral the person's consent covers). Never after
    anonymisation."""
    if case.is_anonymised:
        return False
    org_ids = organisation_ids_for(user, CASE_WORK_ROLES)
    if not org_ids:
        return False
    if case.owner_id in org_ids:
        return True
    return CaseGroupObjectPermission.objects.filter(
        content_object=case,
        permission__codename="view_case_details",
        group__organisation__id__in=org_ids,
    ).exists()


def case_identifying_details(
    *, user: Any, case: Case, purpose: str, channel: str = "page"
) -> dict[str, str] | None:
    """The identifying details if the user may see them, else None; every disclosure writes one
    PiiAccessLog row (who, when, which case, purpose)."""
    if not can_see_identifying_details(user=user, case=case):
        return None
    org_ids = organisation_ids_for(user, CASE_WORK_ROLES)
    org_id = case.owner_id if case.owner_id in org_ids else min(org_ids)
    PiiAccessLog.objects.create(
        case=case, user=user, organisation_id=org_id, purpose=purpose, channel=channel
    )
    return {name: getattr(case, name) for name in IDENTIFYING_FIELDS}


def pii_access_log_for(*, user: Any, case: Case) -> QuerySet[PiiAccessLog] | None:
    """The PII access log of a case, shown to its owning organisation only (else None)."""
    if case.owner_id not in organisation_ids_for(user):
        return None
    return PiiAccessLog.objects.filter(case=case).select_related("user", "organisation")


def active_consents(*, case: Case) -> QuerySet[Consent]:
    return case.consents.filter(withdrawn_at__isnull=True).prefetch_related("organisations")


def consent_allows_sharing(
    *,
    case: Case,
    organisation: Organisation,
    category: str = ConsentCategory.IDENTIFYING_DETAILS,
) -> bool:
    """Whether the person's recorded, not withdrawn, consent covers sharing `category` (default:
    identifying details) with `organisation`, named or by its kind. The holding organisation needs
    no consent to see its own case. A withdrawal takes effect at once: this reads the rows now."""
    if organisation.pk == case.owner_id:
        return True
    named = Consent.organisations.through.objects.filter(
        consent_id=OuterRef("pk"), organisation_id=organisation.pk
    )
    rows = Consent.objects.filter(case=case, withdrawn_at__isnull=True).annotate(
        named=Exists(named)
    )
    return any(
        category in c.categories and (c.named or organisation.kind in c.organisation_kinds)
        for c in rows
    )


def reflection_period_running(*, case: Case, on: dt.date | None = None) -> ReflectionPeriod | None:
    """The running reflection period of the case, or None (the returns app reads this)."""
    on = on or timezone.localdate()
    return (
        ReflectionPeriod.objects.filter(
            case=case, ended_on__isnull=True, started_on__lte=on, ends_on__gt=on
        )
        .order_by("-started_on", "-id")
        .first()
    )


def reflection_period_latest(*, case: Case) -> ReflectionPeriod | None:
    return ReflectionPeriod.objects.filter(case=case).order_by("-started_on", "-id").first()


def guardian_current(*, case: Case) -> GuardianAppointment | None:
    return (
        GuardianAppointment.objects.filter(case=case, ended_on__isnull=True)
        .select_related("appointed_by", "guardian_organisation")
        .order_by("-appointed_on", "-id")
        .first()
    )


def best_interests_latest(*, case: Case) -> BestInterestsDetermination | None:
    return (
        BestInterestsDetermination.objects.filter(case=case)
        .select_related("determined_by")
        .order_by("-determined_on", "-id")
        .first()
    )


def residence_status_current(*, case: Case) -> ResidenceStatus | None:
    return ResidenceStatus.objects.filter(case=case).order_by("-recorded_at", "-id").first()


def indicator_checklist(*, forms: Iterable[str] = ()) -> QuerySet[IndicatorCategory]:
    """The indicator lists for the registration checklist: the common one plus those of the given
    forms of exploitation (all lists when no form is given), indicators prefetched."""
    qs = IndicatorCategory.objects.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.filter(is_active=True))
    )
    forms = list(forms)
    if not forms:
        return qs
    codes = [
        c.code
        for c in IndicatorCategory.objects.all()
        if not c.exploitation_forms or set(c.exploitation_forms) & set(forms)
    ]
    return qs.filter(code__in=codes)


@dataclass
class IndicatorSummary:
    """Observed indicators by weight, with a suggestion. It never decides identification."""

    person_category: str
    by_weight: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    suggestion: str = ""
    caveat: str = ""

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.by_weight.values())

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.by_weight.items()}


def _weights_for(
    codes: list[str], *, country_id: str | None, person_category: str, forms: list[str]
) -> dict[str, str]:
    """Resolve each indicator's weight: country row before default row; for adults a row for one
    of the case's forms before the any-form row (the strongest if several forms match)."""
    rows = IndicatorWeight.objects.filter(
        Q(country__isnull=True) | Q(country_id=country_id),
        indicator_id__in=codes,
        person_category=person_category,
        exploitation_form__in=["", *forms],
    ).values_list("indicator_id", "country_id", "exploitation_form", "weight")
    best: dict[str, tuple[tuple[int, int, int], str]] = {}
    for code, country, form, weight in rows:
        # rank: country-specific first, then form-specific, then strongest weight
        rank = (0 if country else 1, 0 if form else 1, WEIGHT_ORDER.get(weight, 1))
        if code not in best or rank < best[code][0]:
            best[code] = (rank, weight)
    return {code: weight for code, (_rank, weight) in best.items()}


def indicator_summary(*, case: Case) -> IndicatorSummary:
    """seed 004:197 weights (may differ for children and by form); seed 002:55: indicators "are
    not in and of themselves proof" — the summary suggests further enquiry, it never decides."""
    person_category = PersonCategory.CHILD if case.is_or_may_be_child else PersonCategory.ADULT
    observed = list(
        ObservedIndicator.objects.filter(case=case)
        .select_related("indicator__category", "observed_by")
        .order_by("indicator__category__order", "indicator__order")
    )
    weights = _weights_for(
        [o.indicator_id for o in observed],
        country_id=case.country_of_identification_id,
        person_category=person_category,
        forms=list(case.exploitation_forms or []),
    )
    summary = IndicatorSummary(
        person_category=person_category, by_weight={w: [] for w in Weight.values}
    )
    for o in observed:
        weight = weights.get(o.indicator_id, Weight.MEDIUM)
        summary.by_weight[weight].append(
            {
                "code": o.indicator_id,
                "text": o.indicator.text,
                "category": o.indicator.category.label,
                "observed_by": o.observed_by.get_username() if o.observed_by else "",
                "observed_at": o.observed_at,
            }
        )
    counts = summary.counts()
    if counts[Weight.STRONG]:
        summary.suggestion = _(
            "Strong indicators observed: apply the presumption and arrange an initial interview "
            "by a competent authority (seed 004:107, 004:117)."
        )
    elif counts[Weight.MEDIUM] or counts[Weight.WEAK]:
        summary.suggestion = _(
            "Indicators observed: make further enquiries; consider the presumption where "
            "verification cannot be conclusive (seed 004:107)."
        )
    else:
        summary.suggestion = _(
            "No indicators recorded. Their absence does not show that the person is not a victim."
        )
    summary.caveat = _(
        "Indicators are not in and of themselves proof of trafficking; they prompt further "
        "enquiry and never decide identification (seed 002:55)."
    )
    return summary


# Cases the statistics count as identified: presumed victims (who have access to assistance at
# once, seed 004:107-108), identified and formally confirmed victims; "not identified" is left out.
# The covering index case_statistics_idx (PostgreSQL) has this very condition: keep the two alike
# (migrations/0003_statistics_covering_indexes.py).
COUNTED_IDENTIFICATION_STATES = ("presumed_victim", "identified", "confirmed")


def cases_counted_in_statistics() -> QuerySet[Case]:
    """Every case the statistics count (reporting), before a request's filters: figures only
    are made of them, never a person's details."""
    return Case.objects.filter(identification_state__in=COUNTED_IDENTIFICATION_STATES)
