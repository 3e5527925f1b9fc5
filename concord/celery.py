"""The celery application. Tasks run eagerly on the embedded default (no REDIS_URL)."""

import functools
import os
from typing import Any

from celery import Celery
from celery.worker.consumer import Consumer as CeleryConsumer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")

app = Celery("concord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

RECONNECT_OPTIONS = ("interval_start", "interval_step", "interval_max")


class Consumer(CeleryConsumer):  # type: ignore[misc]  # celery ships no type hints
    """The worker's broker consumer, reconnecting on the schedule of
    `broker_transport_options` (interval_start, interval_step, interval_max) instead of kombu's
    fixed 2, 4, 6 ... 30 s, which celery's consumer does not let settings change. Why the
    schedule is short: CELERY_BROKER_TRANSPORT_OPTIONS in concord/settings.py."""

    def ensure_connected(self, conn: Any) -> Any:
        options = self.app.conf.broker_transport_options or {}
        schedule = {key: options[key] for key in RECONNECT_OPTIONS if key in options}
        if schedule:
            conn.ensure_connection = functools.partial(conn.ensure_connection, **schedule)
        return super().ensure_connected(conn)
