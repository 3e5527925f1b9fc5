"""Reminders and escalations on the embedded default, without Redis or a separate process.

On PostgreSQL + Redis the periodic tasks run under `celery beat` and a celery worker. On the
embedded default (no REDIS_URL: eager celery, in-memory channel layer) `manage.py serve` ticks
celery beat's own scheduler, django-celery-beat's `DatabaseScheduler` (so the same PeriodicTask
rows, editable in the admin, decide what runs when), inside the ASGI server's event loop. Eager
celery runs each due task in a worker thread of that process (`sync_to_async`), so what a task
pushes over the in-memory channel layer reaches the sockets open in the same server.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

logger = logging.getLogger(__name__)

MAX_SLEEP_SECONDS = 5.0


def embedded_mode() -> bool:
    """True when tasks run eagerly in-process (no broker to hand them to)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


class EmbeddedScheduler:
    def __init__(self) -> None:
        self._scheduler: Any = None

    def _ensure(self) -> Any:
        if self._scheduler is None:
            from django_celery_beat.schedulers import DatabaseScheduler

            from concord.celery import app

            self._scheduler = DatabaseScheduler(app=app, lazy=False)
        return self._scheduler

    def tick(self) -> float:
        """Run every periodic task that is due; returns seconds until the next one."""
        scheduler = self._ensure()
        return float(scheduler.tick())

    def close(self) -> None:
        """Write the schedule's last-run times back (beat's own close) while the DB is there."""
        if self._scheduler is not None:
            self._scheduler.close()
            self._scheduler = None

    def describe(self) -> list[str]:
        from django_celery_beat.models import PeriodicTask

        return list(PeriodicTask.objects.filter(enabled=True).values_list("name", flat=True))

    async def run_forever(self) -> None:
        while True:
            try:
                delay = await sync_to_async(self.tick, thread_sensitive=True)()
            except Exception:
                logger.exception("embedded scheduler tick failed")
                delay = MAX_SLEEP_SECONDS
            await asyncio.sleep(min(max(delay, 0.2), MAX_SLEEP_SECONDS))
