"""Periodic tasks of the coordination app (celery beat), synced by `manage.py sync_schedules`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

try:
    from concord.schedules import Schedule
except ImportError:  # pragma: no cover - the foundation's Schedule has not landed in this tree
    Schedule = None

SCHEDULES = (
    []
    if Schedule is None
    else [
        Schedule(
            name="coordination: flag overdue action items",
            task="coordination.work.tasks.flag_overdue_action_items",
            crontab={"minute": "15", "hour": "6"},
            description=str(
                _("Daily: flag action items past their due date and notify owners and secretariat.")
            ),
        )
    ]
)
