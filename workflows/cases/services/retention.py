"""Retention: a closed case past its country's retention period is anonymised — identifying fields
erased (and the free-text notes that could identify), statistics kept, an event recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import GuardFailed
from concord.events import record_event

from .. import signals
from ..models import (
    CLOSED_STATUSES,
    IDENTIFYING_FIELDS,
    BestInterestsDetermination,
    Case,
    CaseEvent,
    CountrySettings,
    FamilyTracing,
    GuardianAppointment,
    ObservedIndicator,
)

__all__ = ["anonymise_expired_cases", "case_anonymise", "cases_due_for_anonymisation"]

ERASED = ""


def cases_due_for_anonymisation(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of closed, not yet anonymised cases whose country's retention period has passed."""
    now = now or timezone.now()
    pending = Case.objects.filter(status__in=CLOSED_STATUSES, anonymised_at__isnull=True)
    ids: list[int] = []
    for country_id in pending.values_list("country_of_identification_id", flat=True).distinct():
        cutoff = now - dt.timedelta(days=CountrySettings.retention_days_for(country_id))
        ids += pending.filter(
            country_of_identification_id=country_id, closed_at__lte=cutoff
        ).values_list("pk", flat=True)
    return sorted(ids)


@transaction.atomic
def case_anonymise(*, case: Case, actor: Any = None, now: dt.datetime | None = None) -> Case:
    """Erase the identifying details of a closed case past retention; keep its statistics (age
    group, sex, nationality, forms of exploitation, country, dates, states) and its events."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.anonymised_at is not None:
        return case  # safe to run twice
    if not case.is_closed or case.closed_at is None:
        raise GuardFailed("case_open", _("Only a closed case is anonymised."))
    retention = CountrySettings.retention_days_for(case.country_of_identification_id)
    if case.closed_at > now - dt.timedelta(days=retention):
        raise GuardFailed("retention_running", _("The retention period has not passed."))
    for name in IDENTIFYING_FIELDS:
        setattr(case, name, ERASED)
    case.anonymised_at = now
    case.save()
    ObservedIndicator.objects.filter(case=case).update(note=ERASED)
    GuardianAppointment.objects.filter(case=case).update(guardian_name=ERASED)
    BestInterestsDetermination.objects.filter(case=case).update(
        child_views=ERASED, reasoning=ERASED
    )
    FamilyTracing.objects.filter(case=case).update(complicity_notes=ERASED)
    event = record_event(
        CaseEvent,
        case=case,
        actor=actor,
        transition="anonymise",
        payload={"retention_days": retention, "fields": list(IDENTIFYING_FIELDS)},
    )
    signals.case_anonymised.send(sender=Case, instance=case, event=event, actor=actor)
    return case


def anonymise_expired_cases(*, now: dt.datetime | None = None) -> int:
    """Anonymise every case due (one transaction per case). Returns how many."""
    count = 0
    for pk in cases_due_for_anonymisation(now=now):
        case_anonymise(case=Case(pk=pk), now=now)
        count += 1
    return count
