"""Notifications, their delivery outbox, preferences and webhook subscriptions.

A domain signal (sent inside the service's transaction) becomes, in that same transaction:
- one `Notification` per recipient user (the in-app notice; unique per source event, kind and
  user, so one event never notifies a person twice);
- one `Delivery` per notification and channel (the outbox: the websocket push, an immediate
  e-mail, or a place in the daily digest), unique per (notification, channel), i.e. per
  (event, recipient, channel);
- one `WebhookDelivery` per subscription of a recipient organisation that wants the kind.
After commit the rows' ids go to celery; a beat sweep re-sends whatever is still pending.

No row here holds an identifying detail of a person: titles and bodies are built from references,
kinds, states and organisation names only (`notifications.registry`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.fields import EncryptedTextField
from coordination.models import Organisation


class Kind(models.TextChoices):
    # referrals (seed 004: the receiving organisation answers, the sender follows up)
    REFERRAL_SUBMITTED = "referral_submitted", _("Referral received")
    REFERRAL_RESUBMITTED = "referral_resubmitted", _("Referral resubmitted")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    REFERRAL_INFORMATION_REQUESTED = (
        "referral_information_requested",
        _("Information requested on a referral"),
    )
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("Referral withdrawn")
    REFERRAL_COMPLETED = "referral_completed", _("Referral completed")
    REFERRAL_ESCALATED = "referral_escalated", _("Referral unanswered past its deadline")
    CASE_LEAD_TRANSFERRED = "case_lead_transferred", _("Case lead transferred")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    REFLECTION_PERIOD_ENDED = "reflection_period_ended", _("Reflection period ended")
    CHILD_PROTECTION_MISSING = "child_protection_missing", _("No child protection authority")
    # agreements
    AGREEMENT_CONSULTATION_OPENED = "agreement_consultation_opened", _("Agreement open for comment")
    AGREEMENT_COMMENTED = "agreement_commented", _("Agreement commented")
    AGREEMENT_READY_FOR_SIGNATURE = "agreement_ready_for_signature", _("Agreement ready to sign")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    AGREEMENT_IN_FORCE = "agreement_in_force", _("Agreement in force")
    AGREEMENT_SUSPENDED = "agreement_suspended", _("Agreement suspended")
    AGREEMENT_RESUMED = "agreement_resumed", _("Agreement resumed")
    AGREEMENT_TERMINATED = "agreement_terminated", _("Agreement terminated")
    AGREEMENT_EXPIRED = "agreement_expired", _("Agreement expired")
    AGREEMENT_REVIEW_DUE = "agreement_review_due", _("Agreement review due")
    AGREEMENT_EXPIRY_APPROACHING = "agreement_expiry_approaching", _("Agreement expiry approaching")
    # returns (seed 004: risk assessment before any return; post-return monitoring)
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURN_SUBMITTED_FOR_DECISION = "return_submitted_for_decision", _("Return awaits decision")
    RETURN_DECIDED = "return_decided", _("Return decided")
    RETURN_BLOCKED = "return_blocked", _("Return step blocked by a safeguard")
    RETURN_STEP_DUE = "return_step_due", _("Return step due")
    RETURN_DEPARTED = "return_departed", _("Return under way")
    RETURN_HANDED_OVER = "return_handed_over", _("Person handed over")
    MONITORING_VISIT_MISSED = "monitoring_visit_missed", _("Monitoring visit missed")
    MONITORING_VISIT_ALARMING = "monitoring_visit_alarming", _("Monitoring visit raised concern")
    # coordination work
    ACTION_ITEM_ASSIGNED = "action_item_assigned", _("Action item assigned")
    ACTION_ITEM_OVERDUE = "action_item_overdue", _("Action item overdue")
    MEETING_SCHEDULED = "meeting_scheduled", _("Meeting scheduled")


class Channel(models.TextChoices):
    LIVE = "live", _("In the application (live)")
    EMAIL = "email", _("E-mail at once")
    DIGEST = "digest", _("Daily e-mail digest")


class EmailMode(models.TextChoices):
    OFF = "off", _("No e-mail")
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("In the daily digest")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")
    SKIPPED = "skipped", _("Skipped")


class Notification(models.Model):
    """What one user is told about one event. Read by the notification centre and the API."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The recipient's organisation the notice is addressed to (a user may belong to several).
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=60, choices=Kind.choices)
    # "<app_label.model>:<pk>:<kind>" of the event row that caused it (one per event and kind).
    event_key = models.CharField(max_length=120)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="notification_once_per_event"
            )
        ]
        indexes = [
            # the centre and the badge: a user's notices, unread first, newest first
            models.Index(fields=["recipient", "read_at", "-id"], name="notif_recipient_read_idx"),
            # catch-up after a reconnect: id > cursor for one user
            models.Index(fields=["recipient", "id"], name="notif_recipient_cursor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_id}"

    def as_payload(self) -> dict[str, object]:
        """The websocket and API shape: references, kinds, states and links only."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "reference": self.reference,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "state": self.state,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
            "read": self.read_at is not None,
        }


class Delivery(models.Model):
    """The outbox: one row per (notification, channel), i.e. per (event, recipient, channel)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            # the sweep and the digest: pending rows by channel, oldest due first
            models.Index(
                fields=["status", "channel", "next_attempt_at"], name="delivery_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.notification_id}: {self.status}"


class Preference(models.Model):
    """A user's choice of e-mail for one kind; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60, choices=Kind.choices)
    email = models.CharField(max_length=10, choices=EmailMode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An agency's own system, told of the kinds of events it chose about the objects its
    organisation is notified of (so only objects it may see)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("endpoint URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"), default=new_webhook_secret)
    kinds = models.JSONField(_("kinds of event"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "name"]
        indexes = [
            models.Index(fields=["organisation", "is_active"], name="webhook_org_active_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class WebhookDelivery(models.Model):
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_key = models.CharField(max_length=120)
    kind = models.CharField(max_length=60, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_key"], name="webhook_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_pending_idx"),
            models.Index(fields=["subscription", "-id"], name="webhook_sub_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.subscription_id}: {self.status}"
