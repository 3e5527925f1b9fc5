"""Periodic tasks of return procedures (synced to django-celery-beat by `manage.py
sync_schedules`)."""

from __future__ import annotations

from datetime import timedelta

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="returns: monitoring visits missed",
        task="workflows.returns.tasks.return_monitoring_sweep",
        every=timedelta(hours=1),
        description="Marks post-return monitoring visits missed when no outcome was recorded "
        "within the grace period, and alerts both States (seed 004:355).",
    ),
    Schedule(
        name="returns: steps overdue",
        task="workflows.returns.tasks.return_steps_overdue_sweep",
        every=timedelta(hours=1),
        description="Alerts both States once when a return procedure's step passes its due date.",
    ),
]
