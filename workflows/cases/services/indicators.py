"""Recording observed indicators. Observing indicators never changes identification (seed 002:55:
"not in and of themselves proof of trafficking")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, GuardFailed
from concord.events import record_event

from ..guards import guard_actor_works_on_case, guard_case_not_anonymised
from ..models import Case, CaseEvent, Indicator, ObservedIndicator

__all__ = ["indicator_unobserve", "indicators_observe"]


@transaction.atomic
def indicators_observe(
    *, case: Case, actor: Any, codes: Iterable[str], note: str = ""
) -> list[ObservedIndicator]:
    """Record the indicators observed now, by `actor`; codes already recorded are left as they
    were (first observer and time kept)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    codes = list(dict.fromkeys(codes))
    known = set(
        Indicator.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True)
    )
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ApplicationError(
            _("Unknown indicators: %(c)s") % {"c": ", ".join(unknown)},
            fields={"indicators": [_("Choose from the list.")]},
        )
    already = set(
        ObservedIndicator.objects.filter(case=case, indicator_id__in=codes).values_list(
            "indicator_id", flat=True
        )
    )
    new = [
        ObservedIndicator(case=case, indicator_id=c, observed_by=actor, note=note)
        for c in codes
        if c not in already
    ]
    created = ObservedIndicator.objects.bulk_create(new)
    if created:
        record_event(
            CaseEvent,
            case=case,
            actor=actor,
            transition="indicators_observe",
            payload={"indicators": [o.indicator_id for o in created]},
        )
    return created


@transaction.atomic
def indicator_unobserve(*, case: Case, actor: Any, code: str, reason: str) -> None:
    """Take back an indicator recorded in error; the event keeps that it was recorded."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    guard_actor_works_on_case(actor=actor, case=case)
    if not (reason or "").strip():
        raise GuardFailed(
            "grounds_required",
            _("Say why the indicator is taken back."),
            fields={"reason": [_("This field is required.")]},
        )
    deleted, _rows = ObservedIndicator.objects.filter(case=case, indicator_id=code).delete()
    if not deleted:
        raise ApplicationError(_("That indicator was not recorded."), code="not_recorded")
    record_event(
        CaseEvent,
        case=case,
        actor=actor,
        transition="indicator_unobserve",
        reason=reason,
        payload={"indicator": code},
    )
