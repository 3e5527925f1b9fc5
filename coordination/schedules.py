"""Periodic tasks of the coordination app (celery beat), synced by `manage.py sync_schedules`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="coordination: flag overdue action items",
        task="coordination.work.tasks.flag_overdue_action_items",
        crontab={"minute": "15", "hour": "6"},
        description=(
            "Daily: flag action items past their due date once, and notify their owner "
            "organisation and the body's secretariat (signal action_item_overdue)."
        ),
    ),
    Schedule(
        name="coordination: refresh statistics",
        task="coordination.work.tasks.refresh_statistics",
        every=timedelta(minutes=settings.CONCORD_STATISTICS_REFRESH_MINUTES),
        description=(
            "Rebuilds the statistics rollup the statistics page and API sum their figures from "
            "(every CONCORD_STATISTICS_REFRESH_MINUTES)."
        ),
    ),
]
