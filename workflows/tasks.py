"""Celery tasks of workflows: thin, take ids or nothing, call services, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="workflows.tasks.anonymise_expired_cases")
def anonymise_expired_cases() -> int:
    """Anonymise closed cases past their country's retention period."""
    from .services.retention import anonymise_expired_cases as run

    return run()


@shared_task(name="workflows.tasks.expire_reflection_periods")
def expire_reflection_periods() -> int:
    """Mark reflection periods whose time ran out as ended."""
    from .services.protection import reflection_periods_expire

    return reflection_periods_expire()


@shared_task(name="workflows.tasks.return_monitoring_sweep")
def return_monitoring_sweep() -> int:
    """Mark post-return monitoring visits missed and alert both States (seed 004:355)."""
    from .services.returns import return_monitoring_sweep as run

    return run()


@shared_task(name="workflows.tasks.return_steps_overdue_sweep")
def return_steps_overdue_sweep() -> int:
    """Alert both States when a return step passes its due date."""
    from .services.returns import return_steps_overdue_sweep as run

    return run()


@shared_task(name="workflows.tasks.escalate_overdue_referrals")
def escalate_overdue_referrals() -> int:
    """Escalate every referral unanswered past its deadline (each once)."""
    from .selectors.referrals import referrals_overdue_unescalated
    from .services.referrals import referral_escalate

    count = 0
    for referral in referrals_overdue_unescalated().only("pk"):
        if referral_escalate(referral=referral) is not None:
            count += 1
    return count
