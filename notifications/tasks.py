"""Celery tasks: thin, take ids, safe to run twice (each row is locked and marked as it is sent),
acknowledged late so that a worker killed mid-task leaves its message to another worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings

from . import live, services


def sweep_delay() -> timedelta:
    """How long a pending row waits for its after-commit task before the sweep sends it itself
    (CONCORD_NOTIFY_SWEEP_DELAY_SECONDS, default 5)."""
    return timedelta(seconds=getattr(settings, "CONCORD_NOTIFY_SWEEP_DELAY_SECONDS", 5))


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=services.MAX_ATTEMPTS
)
def deliver_event(
    self: Any,
    delivery_ids: list[int],
    webhook_ids: list[int] | None = None,
    subject: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Push the live notices, send the immediate e-mails, then the webhooks, then tell the pages
    showing the object. Failed rows are retried with backoff (and by the sweep)."""
    result = services.deliveries_send(delivery_ids=delivery_ids)
    if subject:
        try:
            live.broadcast_state(subject=subject)
        except Exception:  # noqa: BLE001 - a page refresh is a convenience; notices are not lost
            subject = None
    webhooks_failed = 0
    for webhook_id in webhook_ids or []:
        if services.webhook_deliver(webhook_delivery_id=webhook_id) is False:
            webhooks_failed += 1
    if result.failed and not self.request.is_eager:
        raise self.retry(
            kwargs={"delivery_ids": result.failed, "webhook_ids": [], "subject": None},
            countdown=services.backoff(self.request.retries + 1).total_seconds(),
        )
    return {
        "delivered": len(result.delivered),
        "failed": len(result.failed),
        "webhooks_failed": webhooks_failed,
    }


@shared_task(acks_late=True)
def sweep_pending() -> dict[str, int]:
    """Beat: send whatever is still pending (recorded while the broker or a worker was down, or
    whose sending failed), and the webhook deliveries whose backoff has passed."""
    delivered = failed = 0
    while True:
        ids = services.deliveries_due(older_than=sweep_delay())
        if not ids:
            break
        result = services.deliveries_send(delivery_ids=ids)
        delivered += len(result.delivered)
        failed += len(result.failed)
        if not result.delivered:
            break
    webhooks = 0
    for webhook_id in services.webhooks_due():
        if services.webhook_deliver(webhook_delivery_id=webhook_id):
            webhooks += 1
    return {"delivered": delivered, "failed": failed, "webhooks": webhooks}


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    return services.digests_send()
