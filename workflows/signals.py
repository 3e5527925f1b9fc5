"""Domain signals of workflows, sent inside the service's transaction with
`sender=<ModelClass>, instance=obj, event=<event row>, actor=user`.

Cases (this module's first half; referrals and returns add theirs below):
"""

from __future__ import annotations

from django.dispatch import Signal

# --- cases ---
case_registered = Signal()
case_identification_changed = Signal()  # presumed, identified, confirmed, ruled out, reopened
case_closed = Signal()
case_anonymised = Signal()
consent_recorded = Signal()
consent_withdrawn = Signal()  # receivers must stop sharing at once
reflection_period_started = Signal()
reflection_period_ended = Signal()
minority_presumed = Signal()
guardian_appointed = Signal()
best_interests_determined = Signal()
# The country has no child protection authority in the directory: alert its coordination body.
# Sent with sender=Case, instance=case, event=<CaseEvent>, actor=user, country=<Country>,
# bodies=[<CoordinationBody> of that country] (the ones to alert).
child_protection_missing = Signal()

# --- returns (sent with sender=ReturnProcedure, instance=procedure, event=<ReturnEvent>,
# actor=user, organisations=<list of Organisation to alert: both States' lead authorities and
# participants>) ---
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
# --- referrals: sent with sender=Referral, instance=referral, event=<ReferralEvent>, actor=user ---
referral_submitted = Signal()
referral_resubmitted = Signal()
referral_accepted = Signal()
referral_declined = Signal()
referral_information_requested = Signal()
referral_started = Signal()
referral_completed = Signal()
referral_withdrawn = Signal()
# Unanswered past its deadline: alert the sending organisation's supervisors and the national
# coordination body (extra kwarg bodies=[CoordinationBody]).
referral_escalated = Signal()
# sender=Case, instance=case, event=<CaseEvent>, actor, previous_owner=<Organisation>
case_lead_transferred = Signal()
