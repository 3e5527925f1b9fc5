"""Periodic tasks of agreements (synced to django-celery-beat by `manage.py sync_schedules`)."""

from __future__ import annotations

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="agreements: daily lifecycle",
        task="agreements.tasks.run_lifecycle",
        crontab={"minute": "5", "hour": "0"},
        description=(
            "Brings signed agreements into force on their effective date, expires agreements "
            "past their end date, and sends review-due and expiry-approaching reminders."
        ),
    ),
]
