"""Periodic tasks of the working side (celery beat), synced by `manage.py sync_schedules`."""

from __future__ import annotations

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
]
