"""Handing recorded notices to celery after commit, without ever failing the change.

The outbox rows are already committed when `publish` runs, so a broker that is down loses
nothing: the beat sweep (`notifications.tasks.sweep_pending`) sends them once it is back. While
the broker is unreachable, publishing is skipped for `BROKER_RETRY_SECONDS` after each failure, so
that a burst of transitions does not wait on a connection timeout each.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

BROKER_RETRY_SECONDS = 5.0
_state = threading.local()
_broker_down_until = 0.0
_lock = threading.Lock()


def broker_marked_down() -> bool:
    return time.monotonic() < _broker_down_until


def reset_broker_state() -> None:
    global _broker_down_until
    with _lock:
        _broker_down_until = 0.0


def publish(
    *, delivery_ids: list[int], webhook_ids: list[int], subject: dict[str, Any] | None
) -> bool:
    """Queue the delivery task; False (and a log line without any personal detail) when the
    broker is unreachable: the rows stay pending for the sweep."""
    global _broker_down_until
    from .tasks import deliver_event

    if broker_marked_down():
        return False
    try:
        deliver_event.apply_async(
            kwargs={"delivery_ids": delivery_ids, "webhook_ids": webhook_ids, "subject": subject},
            retry=False,
        )
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many kinds; all mean "not queued"
        with _lock:
            _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
        logger.warning(
            "celery broker unreachable (%s); %d deliveries wait for the sweep",
            type(exc).__name__,
            len(delivery_ids) + len(webhook_ids),
        )
        return False
    return True


def publish_after_commit(
    *, delivery_ids: list[int], webhook_ids: list[int], subject: dict[str, Any] | None
) -> None:
    transaction.on_commit(
        lambda: publish(delivery_ids=delivery_ids, webhook_ids=webhook_ids, subject=subject),
        robust=True,
    )
