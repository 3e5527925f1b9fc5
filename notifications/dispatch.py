"""After commit: live notices pushed at once, the rest handed to celery, never failing the change.

The outbox rows are already committed when these run, so nothing is lost when Redis is down:
- The live notices are pushed by the committing process itself (`services.live_deliveries_push`:
  no broker or worker between the commit and the open page). A row it could not push stays
  pending for the task below and the beat sweep. After a channel-layer failure the fast path is
  skipped for `LAYER_RETRY_SECONDS`, so a burst of transitions does not wait on Redis each.
- Then the delivery task is queued for the e-mails, webhooks, page refreshes and any live row
  still pending (it skips the pushed ones). A broker that is down loses nothing: the beat sweep
  (`notifications.tasks.sweep_pending`) sends them once it is back. While the broker is
  unreachable, publishing is skipped for `BROKER_RETRY_SECONDS` after each failure.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

BROKER_RETRY_SECONDS = 5.0
LAYER_RETRY_SECONDS = 5.0
_state = threading.local()
_broker_down_until = 0.0
_layer_down_until = 0.0
_lock = threading.Lock()


def broker_marked_down() -> bool:
    return time.monotonic() < _broker_down_until


def layer_marked_down() -> bool:
    return time.monotonic() < _layer_down_until


def reset_broker_state() -> None:
    global _broker_down_until, _layer_down_until
    with _lock:
        _broker_down_until = 0.0
        _layer_down_until = 0.0


def push_live(delivery_ids: list[int]) -> list[int]:
    """The fast path (see the module's docstring); the ids pushed. Never raises."""
    global _layer_down_until
    from . import services

    if not delivery_ids or layer_marked_down():
        return []
    try:
        pushed, error = services.live_deliveries_push(delivery_ids=delivery_ids)
    except Exception as exc:  # noqa: BLE001 - the database or the layer: the slow path sends
        pushed, error = [], exc
    if error is not None:
        with _lock:
            _layer_down_until = time.monotonic() + LAYER_RETRY_SECONDS
        logger.warning(
            "live push from the committing process failed (%s); the worker sends the rest",
            type(error).__name__,
        )
    return pushed


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
    def after_commit() -> None:
        pushed = set(push_live(delivery_ids))
        rest = [pk for pk in delivery_ids if pk not in pushed]
        if rest or webhook_ids or subject:
            publish(delivery_ids=rest, webhook_ids=webhook_ids, subject=subject)

    transaction.on_commit(after_commit, robust=True)
