"""Periodic tasks of referrals (synced to django-celery-beat by `manage.py sync_schedules`)."""

from __future__ import annotations

from datetime import timedelta

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="referrals: escalate unanswered referrals",
        task="workflows.referrals.tasks.escalate_overdue_referrals",
        every=timedelta(minutes=5),
        description=(
            "A referral not answered by its deadline escalates to the sending organisation's "
            "supervisors and the national coordination body (once per referral)."
        ),
    ),
]
