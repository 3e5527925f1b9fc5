"""Celery tasks of referrals: thin, take ids or nothing, call services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .selectors import referrals_overdue_unescalated
from .services import referral_escalate


@shared_task(name="workflows.referrals.tasks.escalate_overdue_referrals")
def escalate_overdue_referrals() -> int:
    """Escalate every referral unanswered past its deadline (each once)."""
    count = 0
    for referral in referrals_overdue_unescalated().only("pk"):
        if referral_escalate(referral=referral) is not None:
            count += 1
    return count
