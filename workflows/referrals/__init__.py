"""Referrals between agencies (app `referrals`): the state machine, the need-to-know summary until
accepted, the inbox and outbox listing (ReferralVisibility) and escalation."""
