"""Post-return monitoring: its schedule, visits (recorded, missed, alarming), overdue steps,
the sweeps beat runs, and closing the procedure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Organisation
from workflows.returns import signals
from workflows.returns.guards import (
    guard_date_not_future,
)
from workflows.returns.models import (
    AlertKind,
    MonitoringVisit,
    ReturnAlert,
    ReturnProcedure,
    ReturnState,
    ReturnStep,
    Side,
)
from workflows.returns.schedule import (
    ALARMING_OUTCOMES,
    OUTCOME_CHOICES,
    clean_months,
    is_missed,
    visit_due_dates,
)
from workflows.returns.selectors import (
    alert_organisations,
    return_settings_for,
)

from .transitions import _acting_org, _event, _lock, _require_open, _send, _transition

__all__ = [
    "monitoring_schedule_set",
    "monitoring_visit_mark_missed",
    "monitoring_visit_record",
    "return_close",
    "return_monitoring_sweep",
    "return_start_monitoring",
    "return_step_mark_overdue",
    "return_steps_overdue_sweep",
]


# ---- monitoring ---------------------------------------------------------------------------------


@transaction.atomic
def monitoring_schedule_set(
    *, procedure: ReturnProcedure, actor: Any, months: Iterable[int]
) -> ReturnProcedure:
    """Set the case's monitoring schedule (months after handover) before monitoring starts."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _acting_org(actor=actor, procedure=procedure)
    if procedure.state == ReturnState.MONITORING:
        raise GuardFailed(
            "return_schedule_fixed", _("Monitoring has started: its schedule is fixed.")
        )
    try:
        values = clean_months(months)
    except ValueError as exc:
        raise ApplicationError(str(exc), fields={"months": [str(exc)]}) from exc
    procedure.monitoring_months = list(values)
    procedure.save(update_fields=["monitoring_months"])
    _event(procedure, actor=actor, transition="schedule_set", payload={"months": list(values)})
    return procedure


def return_start_monitoring(
    *, procedure: ReturnProcedure, actor: Any, reason: str = ""
) -> ReturnProcedure:
    """handed_over → monitoring: the visits are scheduled from the handover date."""

    def before(p: ReturnProcedure, org: Organisation) -> dict[str, Any]:
        base = timezone.localdate(p.handed_over_at) if p.handed_over_at else timezone.localdate()
        visits = [
            MonitoringVisit(procedure=p, months_after=m, due_on=due, organisation=org)
            for m, due in visit_due_dates(base, p.monitoring_months)
        ]
        MonitoringVisit.objects.bulk_create(visits)
        return {"visits": [v.months_after for v in visits]}

    return _transition(
        procedure,
        "start_monitoring",
        actor=actor,
        side=Side.RECEIVING,
        reason=reason,
        before=before,
    )


def _alert(
    procedure: ReturnProcedure,
    *,
    kind: str,
    visit: MonitoringVisit | None = None,
    step: ReturnStep | None = None,
) -> ReturnAlert:
    alert = ReturnAlert.objects.create(procedure=procedure, kind=kind, visit=visit, step=step)
    alert.organisations.set(alert_organisations(procedure))
    return alert


@transaction.atomic
def monitoring_visit_record(
    *,
    procedure: ReturnProcedure,
    visit: MonitoringVisit,
    actor: Any,
    outcome: str,
    visited_on: dt.date,
    notes: str = "",
) -> MonitoringVisit:
    """A visit's outcome, recorded once; concerns, re-trafficking risk or lost contact alert both
    States (seed 004:355)."""
    procedure = _lock(procedure)
    if procedure.state != ReturnState.MONITORING:
        raise GuardFailed("return_not_monitoring", _("Visits are recorded during monitoring."))
    _acting_org(actor=actor, procedure=procedure)
    locked = MonitoringVisit.objects.select_for_update().filter(pk=visit.pk, procedure=procedure)
    visit = locked.first()  # type: ignore[assignment]
    if visit is None:
        raise ApplicationError(
            _("No such visit in this procedure."), fields={"visit": [_("Unknown visit.")]}
        )
    if visit.outcome:
        raise GuardFailed("return_visit_recorded", _("This visit's outcome is already recorded."))
    if outcome not in dict(OUTCOME_CHOICES):
        raise ApplicationError(
            _("Choose an outcome."), fields={"outcome": [_("Choose a valid outcome.")]}
        )
    guard_date_not_future(value=visited_on, field_name="visited_on", today=timezone.localdate())
    visit.outcome = outcome
    visit.visited_on = visited_on
    visit.notes = notes
    visit.recorded_by = actor
    visit.recorded_at = timezone.now()
    visit.save()
    event = _event(
        procedure,
        actor=actor,
        transition="visit_recorded",
        payload={"visit": visit.pk, "months_after": visit.months_after, "outcome": outcome},
    )
    if outcome in ALARMING_OUTCOMES:
        _alert(procedure, kind=AlertKind.VISIT_ALARMING, visit=visit)
        _send(signals.monitoring_visit_alarming, procedure, event, actor, visit=visit)
    return visit


@transaction.atomic
def monitoring_visit_mark_missed(*, visit_id: int, today: dt.date | None = None) -> bool:
    """Mark a visit missed (no outcome `grace_days` after its due date) and alert both States.
    Safe to run twice: a visit is marked once. Returns whether it was marked now."""
    visit = MonitoringVisit.objects.select_for_update().select_related("procedure").get(pk=visit_id)
    procedure = visit.procedure
    today = today or timezone.localdate()
    grace = return_settings_for(procedure.returning_country_id).grace_days
    if visit.missed_at is not None or not is_missed(
        due_on=visit.due_on, outcome=visit.outcome, today=today, grace_days=grace
    ):
        return False
    visit.missed_at = timezone.now()
    visit.save(update_fields=["missed_at"])
    event = _event(
        procedure,
        actor=None,
        transition="visit_missed",
        payload={
            "visit": visit.pk,
            "months_after": visit.months_after,
            "due_on": visit.due_on.isoformat(),
        },
    )
    _alert(procedure, kind=AlertKind.VISIT_MISSED, visit=visit)
    _send(signals.monitoring_visit_missed, procedure, event, None, visit=visit)
    return True


@transaction.atomic
def return_step_mark_overdue(*, step_id: int, today: dt.date | None = None) -> bool:
    """Alert both States once that the current step passed its due date. Safe to run twice."""
    step = ReturnStep.objects.select_for_update().select_related("procedure").get(pk=step_id)
    today = today or timezone.localdate()
    if step.overdue_alerted_at is not None or not step.is_overdue(today):
        return False
    step.overdue_alerted_at = timezone.now()
    step.save(update_fields=["overdue_alerted_at"])
    procedure = step.procedure
    event = _event(
        procedure,
        actor=None,
        transition="step_overdue",
        payload={"step": step.state, "due_on": step.due_on.isoformat() if step.due_on else None},
    )
    _alert(procedure, kind=AlertKind.STEP_OVERDUE, step=step)
    _send(signals.return_step_due, procedure, event, None, step=step)
    return True


def return_close(*, procedure: ReturnProcedure, actor: Any, reason: str = "") -> ReturnProcedure:
    """monitoring → closed once every visit has an outcome or was marked missed."""
    return _transition(procedure, "close", actor=actor, side=None, reason=reason)


def return_monitoring_sweep(*, today: dt.date | None = None) -> int:
    """Mark every visit missed whose grace period has passed without an outcome (each in its own
    transaction; safe to run twice). Returns how many were marked now."""
    today = today or timezone.localdate()
    candidates = MonitoringVisit.objects.filter(
        outcome="",
        missed_at__isnull=True,
        due_on__lt=today,
        procedure__state=ReturnState.MONITORING,
    ).values_list("pk", flat=True)
    return sum(
        1 for pk in list(candidates) if monitoring_visit_mark_missed(visit_id=pk, today=today)
    )


def return_steps_overdue_sweep(*, today: dt.date | None = None) -> int:
    """Alert both States once for every current step past its due date. Safe to run twice."""
    today = today or timezone.localdate()
    candidates = ReturnStep.objects.filter(
        left_at__isnull=True, due_on__lt=today, overdue_alerted_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(candidates) if return_step_mark_overdue(step_id=pk, today=today))
