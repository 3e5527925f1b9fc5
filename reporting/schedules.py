"""Periodic tasks of reporting (celery beat), synced by `manage.py sync_schedules`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="reporting: refresh statistics",
        task="reporting.tasks.refresh_statistics",
        every=timedelta(minutes=settings.CONCORD_STATISTICS_REFRESH_MINUTES),
        description=(
            "Rebuilds the statistics rollup the statistics page and API sum their figures from "
            "(every CONCORD_STATISTICS_REFRESH_MINUTES)."
        ),
    ),
]
