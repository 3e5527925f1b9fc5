"""The append-only event rows every transition leaves.

Each app declares one concrete model per entity, e.g.::

    class ReferralEvent(Event):
        referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")

and its services call `record_event(ReferralEvent, referral=..., actor=..., ...)` inside the same
transaction as the change. Rows are never updated or deleted: Python refuses it, and on
PostgreSQL a trigger refuses it too (pgtrigger.Protect below).

The trigger reaches every concrete subclass whatever its own Meta says: a subclass that writes
`class Meta:` without inheriting `Event.Meta` would lose the abstract Meta's `triggers`, so the
`class_prepared` receiver below adds the Protect trigger to any concrete Event model that lacks it
(before pgtrigger registers triggers and before makemigrations reads the model's options).
`concord/tests/test_events.py` checks every Event table in the project has it installed.
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

APPEND_ONLY_TRIGGER = "events_append_only"


def append_only_trigger() -> pgtrigger.Protect:
    return pgtrigger.Protect(
        name=APPEND_ONLY_TRIGGER, operation=pgtrigger.Update | pgtrigger.Delete
    )


class Event(models.Model):
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transition = models.CharField(_("transition"), max_length=64)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    reason = models.TextField(_("why"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "id"]
        triggers = [append_only_trigger()]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ApplicationError("Event rows are append-only.", code="event_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ApplicationError("Event rows are append-only.", code="event_immutable")


@receiver(class_prepared)
def _ensure_append_only_trigger(sender: type[models.Model], **kwargs: Any) -> None:
    """Give every concrete Event model the append-only trigger, even if its Meta dropped it."""
    if not issubclass(sender, Event) or sender._meta.abstract or sender._meta.proxy:
        return
    triggers = list(getattr(sender._meta, "triggers", []))
    if any(t.name == APPEND_ONLY_TRIGGER for t in triggers):
        return
    trigger = append_only_trigger()
    sender._meta.triggers = [*triggers, trigger]  # type: ignore[attr-defined]  # pgtrigger's option
    original = list(sender._meta.original_attrs.get("triggers", []))
    sender._meta.original_attrs["triggers"] = [*original, trigger]


def record_event[E: Event](
    model: type[E],
    *,
    actor: Any,
    transition: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    **subject: Any,
) -> E:
    """Write one event row; call it inside the service's transaction, after the change."""
    return model._default_manager.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        transition=transition,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        payload=payload or {},
        **subject,
    )
