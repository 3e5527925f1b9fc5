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
