"""Reads of protection records and the indicators summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    BestInterestsDetermination,
    Case,
    GuardianAppointment,
    Indicator,
    IndicatorCategory,
    IndicatorWeight,
    ObservedIndicator,
    PersonCategory,
    ReflectionPeriod,
    ResidenceStatus,
    Weight,
)
from ..models.indicators import WEIGHT_ORDER


def reflection_period_running(*, case: Case, on: dt.date | None = None) -> ReflectionPeriod | None:
    """The running reflection period of the case, or None (the returns part reads this)."""
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
