"""Periodic tasks of case work (synced to django-celery-beat by `manage.py sync_schedules`)."""

from __future__ import annotations

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="cases: anonymise closed cases past retention",
        task="workflows.cases.tasks.anonymise_expired_cases",
        crontab={"minute": "30", "hour": "2"},
        description=(
            "Erases the identifying details of closed cases whose country's retention period "
            "has passed; statistics and the event history are kept."
        ),
    ),
    Schedule(
        name="cases: end reflection periods that ran out",
        task="workflows.cases.tasks.expire_reflection_periods",
        crontab={"minute": "15", "hour": "0"},
        description="Marks reflection periods whose time ran out as ended (an event per case).",
    ),
]
