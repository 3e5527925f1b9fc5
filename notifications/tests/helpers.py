"""Notices and webhook rows for the page and API tests of the notification centre (reads only:
the recording itself is tested through the real services in test_recording)."""

from __future__ import annotations

from itertools import count
from typing import Any

from notifications.models import Kind, Notification, WebhookDelivery, WebhookSubscription

_seq = count(1)


def make_notice(user: Any, *, read: bool = False, **fields: Any) -> Notification:
    from django.utils import timezone

    n = next(_seq)
    values: dict[str, Any] = {
        "recipient": user,
        "kind": Kind.REFERRAL_SUBMITTED,
        "event_key": f"test:{n}",
        "object_type": "referral",
        "object_id": n,
        "reference": f"R-TEST-{n:04d}",
        "state": "submitted",
        "title": f"Referral R-TEST-{n:04d} received from Labour TH",
        "body": "Urgency: urgent.",
        "url": f"/referrals/{n}/",
        "read_at": timezone.now() if read else None,
    }
    values.update(fields)
    return Notification.objects.create(**values)


def make_subscription(org: Any, **fields: Any) -> WebhookSubscription:
    values: dict[str, Any] = {
        "organisation": org,
        "name": "Case system",
        "url": "https://hooks.example.org/concord",
        "kinds": [Kind.REFERRAL_SUBMITTED],
    }
    values.update(fields)
    return WebhookSubscription.objects.create(**values)


def make_webhook_delivery(subscription: WebhookSubscription, **fields: Any) -> WebhookDelivery:
    n = next(_seq)
    values: dict[str, Any] = {
        "subscription": subscription,
        "event_key": f"test:{n}",
        "kind": Kind.REFERRAL_SUBMITTED,
        "payload": {"reference": f"R-TEST-{n:04d}"},
    }
    values.update(fields)
    return WebhookDelivery.objects.create(**values)
