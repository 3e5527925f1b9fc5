"""Reads of the notifications app. A user reads only their own notices; an object's live group is
joined only if the object's own `*_visible_to` selector lets the user see it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Kind, Notification, Preference, WebhookSubscription
from .registry import default_email_mode


def notifications_of(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def notifications_since(*, user: Any, cursor: int, limit: int = 200) -> list[Notification]:
    """What a reconnecting page missed: the user's notices with id > cursor, oldest first."""
    return list(
        Notification.objects.filter(recipient_id=user.pk, id__gt=cursor).order_by("id")[:limit]
    )


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def latest_cursor(*, user: Any) -> int:
    last = Notification.objects.filter(recipient_id=user.pk).order_by("-id").values("id").first()
    return int(last["id"]) if last else 0


def preferences_of(*, user: Any) -> list[dict[str, Any]]:
    """Every kind with the user's e-mail mode (their choice, else the kind's default)."""
    chosen = dict(Preference.objects.filter(user_id=user.pk).values_list("kind", "email"))
    return [
        {
            "kind": kind.value,
            "label": str(kind.label),
            "email": chosen.get(kind.value, default_email_mode(kind.value)),
            "default": default_email_mode(kind.value),
        }
        for kind in Kind
    ]


def user_organisation_ids(*, user: Any, roles: tuple[str, ...] | None = None) -> list[int]:
    from coordination.models import Membership

    qs = Membership.objects.filter(user_id=user.pk, is_active=True)
    if roles is not None:
        qs = qs.filter(role__in=roles)
    return list(qs.values_list("organisation_id", flat=True).distinct())


# Who manages an organisation's webhook subscriptions: its administrators and coordinators.
WEBHOOK_ROLES = ("organisation_admin", "coordinator")


def webhook_subscriptions_visible_to(*, user: Any) -> QuerySet[WebhookSubscription]:
    orgs = user_organisation_ids(user=user, roles=WEBHOOK_ROLES)
    return (
        WebhookSubscription.objects.filter(organisation_id__in=orgs)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def object_visible(*, user: Any, object_type: str, object_id: int) -> bool:
    """May this user see this object? Asked of the object's own app selector (hidden is hidden)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if object_type == "referral":
        from workflows.referrals.selectors import referrals_visible_to

        return referrals_visible_to(user=user).filter(pk=object_id).exists()
    if object_type == "agreement":
        from agreements.selectors import agreements_visible_to

        return agreements_visible_to(user=user).filter(pk=object_id).exists()
    if object_type == "return":
        from workflows.returns.selectors import returns_visible_to

        return returns_visible_to(user=user).filter(pk=object_id).exists()
    if object_type == "case":
        from workflows.cases.selectors import cases_visible_to

        return cases_visible_to(user=user).filter(pk=object_id).exists()
    if object_type == "action_item":
        from coordination.work.selectors import action_items_visible_to

        return action_items_visible_to(user=user).filter(pk=object_id).exists()
    if object_type == "meeting":
        from coordination.work.selectors import meetings_visible_to

        return meetings_visible_to(user=user).filter(pk=object_id).exists()
    return False
