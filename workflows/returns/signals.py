"""Domain signals of return procedures, sent inside the service's transaction with
`sender=ReturnProcedure, instance=procedure, event=<ReturnEvent>, actor=user,
organisations=<list of Organisation to alert: both States' lead authorities and participants>`."""

from __future__ import annotations

from django.dispatch import Signal

return_requested = Signal()
return_assessment_started = Signal()
return_submitted_for_decision = Signal()
return_reassessed = Signal()
return_approved = Signal()
return_alternative_granted = Signal()
return_cancelled = Signal()
return_departed = Signal()
return_handed_over = Signal()
return_monitoring_started = Signal()
return_closed = Signal()
# Sent after approve, alternative and cancel-at-decision, besides the transition's own signal.
return_decided = Signal()
# A safeguard refused a transition (payload: the guard's code; sent in its own transaction, since
# the refused change rolls back).
return_blocked = Signal()
# A step passed its due date (beat task); extra kwarg step=<ReturnStep>.
return_step_due = Signal()
# Post-return monitoring (seed 004:355); extra kwarg visit=<MonitoringVisit>.
monitoring_visit_missed = Signal()
monitoring_visit_alarming = Signal()
