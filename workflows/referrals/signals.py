"""Domain signals of referrals, sent inside the service's transaction with `sender=Referral,
instance=referral, event=<ReferralEvent>, actor=user`."""

from __future__ import annotations

from django.dispatch import Signal

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
