"""Writes of the notifications app: recording notices in the causing transaction, delivering
them, reading them, preferences and webhook subscriptions.

Guarantees:
- `notifications_record` runs inside the transaction of the change that caused it (it is called
  by the signal receivers): the notices, their outbox rows and webhook rows commit or roll back
  with the change. After commit their ids are handed to celery (`dispatch_after_commit`); if the
  broker is unreachable the rows simply wait for the beat sweep.
- A delivery is sent at most once: the row is locked (skip-locked, so two workers never hold the
  same row), sent, and marked delivered in one transaction; a second run finds it delivered.
- A failed send is retried with exponential backoff until `MAX_ATTEMPTS`, then marked failed
  (and shown on the page).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError
from coordination.models import Membership

from . import live
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    EmailMode,
    Kind,
    Notification,
    Preference,
    WebhookDelivery,
    WebhookSubscription,
)
from .registry import Rule, Subject, default_email_mode
from .selectors import WEBHOOK_ROLES

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
WEBHOOK_MAX_ATTEMPTS = 10
WEBHOOK_TIMEOUT_SECONDS = 5


def backoff(attempts: int, *, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """2 s, 4 s, 8 s ... capped at an hour."""
    return timedelta(seconds=min(cap, base ** max(1, attempts)))


def event_key_for(*, event: Any, instance: Any, kind: str) -> str:
    if event is not None and getattr(event, "pk", None):
        return f"{event._meta.label_lower}:{event.pk}:{kind}"
    # A signal without an event row (none today): key it on the object and the moment.
    return f"{instance._meta.label_lower}:{instance.pk}:{kind}:{time.time_ns()}"


@dataclass
class Recorded:
    delivery_ids: list[int] = field(default_factory=list)
    webhook_ids: list[int] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)


def recipients_for(
    *, rule: Rule, instance: Any, extra: dict[str, Any], actor: Any
) -> dict[int, tuple[int, str, str]]:
    """user id → (the organisation the notice is addressed to, the user's e-mail, the e-mail mode
    they chose for this kind or its default); one query."""
    condition = Q()
    for target in rule.targets(instance, extra):
        if not target.organisation_ids:
            continue
        if target.signatories:
            condition |= Q(organisation_id__in=target.organisation_ids, can_sign_agreements=True)
        elif target.roles:
            condition |= Q(organisation_id__in=target.organisation_ids, role__in=target.roles)
    if not condition:
        return {}
    rows = (
        Membership.objects.filter(condition, is_active=True, user__is_active=True)
        .order_by("user_id", "organisation_id")
        .annotate(
            chosen=Subquery(
                Preference.objects.filter(user_id=OuterRef("user_id"), kind=rule.kind).values(
                    "email"
                )[:1]
            )
        )
        .values_list("user_id", "organisation_id", "user__email", "chosen")
    )
    actor_id = getattr(actor, "pk", None)
    found: dict[int, tuple[int, str, str]] = {}
    for user_id, organisation_id, email, chosen in rows:
        if user_id != actor_id:
            found.setdefault(
                user_id, (organisation_id, email, chosen or default_email_mode(rule.kind))
            )
    return found


def target_organisation_ids(*, rule: Rule, instance: Any, extra: dict[str, Any]) -> set[int]:
    return {i for target in rule.targets(instance, extra) for i in target.organisation_ids}


def notifications_record(
    *, rule: Rule, instance: Any, event: Any, actor: Any, extra: dict[str, Any]
) -> Recorded:
    """Write the notices, outbox rows and webhook rows of one domain event; call inside the
    causing transaction. Returns the ids to hand to celery after commit."""
    subject: Subject = rule.subject(instance)
    kw = {**extra, "event": event}
    title = rule.title(instance, kw)[:200]
    body = rule.body(instance, kw)
    key = event_key_for(event=event, instance=instance, kind=rule.kind)
    recorded = Recorded()

    recipients = recipients_for(rule=rule, instance=instance, extra=extra, actor=actor)
    if recipients:
        emails = {user_id: email for user_id, (_org, email, _mode) in recipients.items()}
        modes = {user_id: mode for user_id, (_org, _email, mode) in recipients.items()}
        now = timezone.now()
        notices = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id,
                    organisation_id=organisation_id,
                    kind=rule.kind,
                    event_key=key,
                    object_type=subject.object_type,
                    object_id=subject.object_id,
                    reference=subject.reference,
                    state=subject.state,
                    title=title,
                    body=body,
                    url=subject.url,
                    created_at=now,
                )
                for user_id, (organisation_id, _email, _mode) in recipients.items()
            ]
        )
        deliveries: list[Delivery] = []
        for notice in notices:
            deliveries.append(Delivery(notification=notice, channel=Channel.LIVE, created_at=now))
            mode = modes[notice.recipient_id]
            if mode != EmailMode.OFF and emails.get(notice.recipient_id):
                channel = Channel.EMAIL if mode == EmailMode.IMMEDIATE else Channel.DIGEST
                deliveries.append(Delivery(notification=notice, channel=channel, created_at=now))
        Delivery.objects.bulk_create(deliveries)
        recorded.notification_ids = [n.pk for n in notices]
        recorded.delivery_ids = [d.pk for d in deliveries if d.channel != Channel.DIGEST]

    organisation_ids = target_organisation_ids(rule=rule, instance=instance, extra=extra)
    if organisation_ids:
        subscriptions = [
            s
            for s in WebhookSubscription.objects.filter(
                organisation_id__in=organisation_ids, is_active=True
            ).only("pk", "kinds")
            if rule.kind in (s.kinds or [])
        ]
        if subscriptions:
            payload = webhook_payload(key=key, kind=rule.kind, subject=subject, event=event)
            rows = WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(subscription=s, event_key=key, kind=rule.kind, payload=payload)
                    for s in subscriptions
                ]
            )
            recorded.webhook_ids = [r.pk for r in rows]
    return recorded


def webhook_payload(*, key: str, kind: str, subject: Subject, event: Any) -> dict[str, Any]:
    """What an agency's system receives: references, kinds, states and links, nothing more."""
    occurred = getattr(event, "occurred_at", None) or timezone.now()
    return {
        "event": key,
        "kind": kind,
        "object_type": subject.object_type,
        "object_id": subject.object_id,
        "reference": subject.reference,
        "state": subject.state,
        "url": settings.SITE_URL.rstrip("/") + subject.url,
        "occurred_at": occurred.isoformat(),
    }


# --- delivery ---------------------------------------------------------------------------------


@dataclass
class SendResult:
    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )


def _email_for(notice: Notification) -> EmailMessage:
    link = settings.SITE_URL.rstrip("/") + notice.url
    body = "\n\n".join(
        part
        for part in (
            notice.title,
            notice.body,
            f"Open it in Concord: {link}",
            "You receive this e-mail because of your notification preferences: "
            + settings.SITE_URL.rstrip("/")
            + "/notifications/preferences/",
        )
        if part
    )
    return EmailMessage(subject=f"[Concord] {notice.title}", body=body, to=[notice.recipient.email])


def deliveries_send(*, delivery_ids: Iterable[int]) -> SendResult:
    """Send the pending deliveries among `delivery_ids` (live pushes and immediate e-mails).

    Each row is locked with SKIP LOCKED, sent, and marked in the same transaction: a delivery
    another worker holds is left to it, one already delivered is skipped, so running this twice
    sends nothing twice."""
    result = SendResult()
    ids = list(delivery_ids)
    if not ids:
        return result
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "notification__recipient")
            .filter(
                pk__in=ids,
                status=DeliveryStatus.PENDING,
                channel__in=[Channel.LIVE, Channel.EMAIL],
            )
            .order_by("pk")
        )
        if not rows:
            return result
        now = timezone.now()
        live_rows = [r for r in rows if r.channel == Channel.LIVE]
        unread = _unread_counts({r.notification.recipient_id for r in live_rows})
        mail_connection = None
        for row in rows:
            notice = row.notification
            try:
                if row.channel == Channel.LIVE:
                    live.push_notification(
                        user_id=notice.recipient_id,
                        payload=notice.as_payload(),
                        unread=unread.get(notice.recipient_id, 0),
                    )
                else:
                    if mail_connection is None:
                        mail_connection = get_connection()
                    message = _email_for(notice)
                    message.connection = mail_connection
                    message.send()
            except Exception as exc:  # noqa: BLE001 - any transport failure is retried
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:300]
                row.next_attempt_at = now + backoff(row.attempts)
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = DeliveryStatus.FAILED
                row.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
                result.failed.append(row.pk)
                logger.warning(
                    "notification delivery %s (%s) failed: %s", row.pk, row.channel, row.last_error
                )
                continue
            row.attempts += 1
            row.status = DeliveryStatus.DELIVERED
            row.delivered_at = now
            row.last_error = ""
            result.delivered.append(row.pk)
        Delivery.objects.bulk_update(
            [r for r in rows if r.pk in set(result.delivered)],
            ["attempts", "status", "delivered_at", "last_error"],
        )
    return result


def deliveries_due(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Pending live and e-mail deliveries the sweep should (re)send: recorded at least
    `older_than` ago (so it does not race the after-commit task) and past their backoff."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            channel__in=[Channel.LIVE, Channel.EMAIL],
            next_attempt_at__lte=now,
            created_at__lte=now - older_than,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def digests_send() -> int:
    """One e-mail per user listing the notices waiting for the daily digest; returns how many
    e-mails went out. Rows are locked and marked delivered in the same transaction."""
    sent = 0
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "notification__recipient")
            .filter(status=DeliveryStatus.PENDING, channel=Channel.DIGEST)
            .order_by("notification__recipient_id", "pk")
        )
        by_user: dict[int, list[Delivery]] = {}
        for row in rows:
            by_user.setdefault(row.notification.recipient_id, []).append(row)
        now = timezone.now()
        connection = get_connection()
        site = settings.SITE_URL.rstrip("/")
        for user_rows in by_user.values():
            recipient = user_rows[0].notification.recipient
            lines = [f"- {r.notification.title}\n  {site}{r.notification.url}" for r in user_rows]
            message = EmailMessage(
                subject=f"[Concord] {len(user_rows)} notifications today",
                body="Your Concord notifications of the last day:\n\n" + "\n".join(lines),
                to=[recipient.email],
                connection=connection,
            )
            try:
                message.send()
            except Exception as exc:  # noqa: BLE001 - left pending for tomorrow's digest
                logger.warning("digest for user %s failed: %s", recipient.pk, exc)
                for r in user_rows:
                    r.attempts += 1
                    r.last_error = f"{type(exc).__name__}: {exc}"[:300]
                Delivery.objects.bulk_update(user_rows, ["attempts", "last_error"])
                continue
            for r in user_rows:
                r.status = DeliveryStatus.DELIVERED
                r.delivered_at = now
                r.attempts += 1
            Delivery.objects.bulk_update(user_rows, ["status", "delivered_at", "attempts"])
            sent += 1
    return sent


# --- webhooks ---------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex; sent as `X-Concord-Signature: sha256=<hex>`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, validated on subscribe
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def webhook_deliver(*, webhook_delivery_id: int) -> bool | None:
    """Send one webhook delivery if it is pending and due; True delivered, False failed (will be
    retried), None nothing to do. Locked while sending, so never sent twice at once."""
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=webhook_delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if row is None:
            return None
        subscription = row.subscription
        now = timezone.now()
        if not subscription.is_active:
            row.status = DeliveryStatus.SKIPPED
            row.save(update_fields=["status"])
            return None
        body = json.dumps(row.payload, sort_keys=True, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Concord-Webhooks/1",
            "X-Concord-Event": row.kind,
            "X-Concord-Delivery": str(row.pk),
            "X-Concord-Timestamp": timestamp,
            "X-Concord-Signature": "sha256="
            + webhook_signature(secret=subscription.secret, timestamp=timestamp, body=body),
        }
        row.attempts += 1
        try:
            status = _post(subscription.url, body, headers)
            row.last_status_code = status
            ok = 200 <= status < 300
            row.last_error = "" if ok else f"HTTP {status}"
        except (OSError, ValueError) as exc:
            ok = False
            row.last_status_code = None
            row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        if ok:
            row.status = DeliveryStatus.DELIVERED
            row.delivered_at = now
        else:
            row.next_attempt_at = now + backoff(row.attempts, base=3.0)
            if row.attempts >= WEBHOOK_MAX_ATTEMPTS:
                row.status = DeliveryStatus.FAILED
        row.save()
        return ok


def webhooks_due(*, limit: int = 200) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _require_endpoint_url(url: str) -> None:
    if not (url.startswith("https://") or (settings.DEBUG and url.startswith("http://"))):
        raise ApplicationError(
            "The endpoint must be an https:// URL.", fields={"url": ["https required"]}
        )


def _require_webhook_manager(*, actor: Any, organisation_id: int) -> None:
    """Only the organisation's admins and coordinators manage its webhook subscriptions (the
    same rule as `selectors.webhook_subscriptions_visible_to`); there is no system actor here."""
    manages = (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and Membership.objects.filter(
            user_id=actor.pk,
            organisation_id=organisation_id,
            is_active=True,
            role__in=WEBHOOK_ROLES,
        ).exists()
    )
    if not manages:
        raise PermissionDenied(
            _("Only the organisation's admins and coordinators manage its webhook subscriptions.")
        )


@transaction.atomic
def webhook_subscription_create(
    *, organisation: Any, actor: Any, name: str, url: str, kinds: list[str]
) -> WebhookSubscription:
    """Create a subscription of `organisation` to `kinds`. PermissionDenied unless the actor is
    one of its admins or coordinators; ApplicationError for unknown kinds or a non-https URL."""
    _require_webhook_manager(actor=actor, organisation_id=organisation.pk)
    unknown = sorted(set(kinds) - set(Kind.values))
    if unknown:
        raise ApplicationError(
            f"Unknown kinds of event: {', '.join(unknown)}.",
            code="invalid",
            fields={"kinds": unknown},
        )
    if not kinds:
        raise ApplicationError("Choose at least one kind of event.", fields={"kinds": ["required"]})
    _require_endpoint_url(url)
    return WebhookSubscription.objects.create(
        organisation=organisation, name=name, url=url, kinds=sorted(set(kinds)), created_by=actor
    )


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, actor: Any, **changes: Any
) -> WebhookSubscription:
    """Change the name, URL, kinds or `is_active` (pause/resume), or replace the signing secret
    (`rotate_secret=True`). PermissionDenied unless the actor is one of the organisation's
    admins or coordinators."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    _require_webhook_manager(actor=actor, organisation_id=subscription.organisation_id)
    if changes.get("url") is not None:
        _require_endpoint_url(changes["url"])
    kinds = changes.get("kinds")
    if kinds is not None:
        unknown = sorted(set(kinds) - set(Kind.values))
        if unknown or not kinds:
            raise ApplicationError(
                "Choose known kinds of event.", fields={"kinds": unknown or ["required"]}
            )
        subscription.kinds = sorted(set(kinds))
    for name in ("name", "url", "is_active"):
        if name in changes and changes[name] is not None:
            setattr(subscription, name, changes[name])
    if changes.get("rotate_secret"):
        from .models import new_webhook_secret

        subscription.secret = new_webhook_secret()
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, actor: Any) -> None:
    """Delete the subscription and its delivery history (pending deliveries are never sent).
    PermissionDenied unless the actor is one of the organisation's admins or coordinators."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    _require_webhook_manager(actor=actor, organisation_id=subscription.organisation_id)
    subscription.delete()


# --- reading and preferences --------------------------------------------------------------------


def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    notice = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notice is None:
        from django.http import Http404

        raise Http404
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_set(*, user: Any, choices: dict[str, str]) -> None:
    """Set the e-mail mode per kind; unknown kinds or modes are refused, nothing changes."""
    bad_kinds = sorted(k for k in choices if k not in Kind.values)
    bad_modes = sorted(k for k, v in choices.items() if v not in EmailMode.values)
    if bad_kinds or bad_modes:
        fields: dict[str, list[str]] = {}
        for k in bad_kinds:
            fields[k] = ["unknown kind"]
        for k in bad_modes:
            fields.setdefault(k, []).append(f"choose one of {', '.join(EmailMode.values)}")
        raise ApplicationError("Some preferences are not valid.", fields=fields)
    for kind, mode in choices.items():
        if mode == default_email_mode(kind):
            Preference.objects.filter(user=user, kind=kind).delete()
        else:
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"email": mode})
