"""Domain signals of case work, sent inside the service's transaction with
`sender=<ModelClass>, instance=obj, event=<event row>, actor=user`."""

from __future__ import annotations

from django.dispatch import Signal

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
# A (known or presumed) child's case is to be referred to child protection at once (seed 004:314):
# sent with sender=Case, instance=case, actor=user, receiver=<Organisation: the country's child
# protection authority>; the referrals app creates the referral in the same transaction.
child_protection_referral_requested = Signal()
