"""Action items: created by a decision or on their own, assigned to an owner organisation,
started, completed with evidence, cancelled, flagged overdue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, GuardFailed
from concord.events import record_event
from coordination.models import CoordinationBody, Organisation
from coordination.work.models import (
    ActionItem,
    ActionItemEvent,
    ActionItemState,
    Decision,
    PlanMeasure,
)

from .. import guards, signals
from ..evidence import validate_evidence_file
from ..permissions import (
    can_edit_body,
    can_work_on_item,
    grant_action_item_owner,
    revoke_action_item_owner,
)
from .common import _require_secretariat, _require_state, _required_text

__all__ = [
    "action_item_cancel",
    "action_item_complete",
    "action_item_create",
    "action_item_reassign",
    "action_item_start",
    "action_items_flag_overdue",
]


# --- action items --------------------------------------------------------------------------------


@transaction.atomic
def action_item_create(
    *,
    body: CoordinationBody,
    owner: Organisation,
    description: str,
    due_on: date,
    decision: Decision | None = None,
    measure: PlanMeasure | None = None,
    actor: Any,
) -> ActionItem:
    """Create an action item, grant its owner organisation the right to work on it, and tell the
    owner and the secretariat (action_item_assigned)."""
    _require_secretariat(actor, body.pk)
    description = _required_text(description, "description")
    if due_on is None:
        raise ApplicationError(
            _("An action item needs a due date."), fields={"due_on": [_("This field is required.")]}
        )
    if decision is not None and decision.meeting.body_id != body.pk:
        raise ApplicationError(
            _("The decision belongs to another body."), fields={"decision": [_("Wrong body.")]}
        )
    if measure is not None and measure.plan.body_id != body.pk:
        raise ApplicationError(
            _("The plan measure belongs to another body's plan."),
            fields={"measure": [_("Wrong body.")]},
        )
    guards.guard_owner_holds_seat(body.pk, owner)
    guards.guard_due_date(
        due_on, timezone.localdate(decision.meeting.starts_at) if decision else None
    )
    item = ActionItem.objects.create(
        body=body,
        decision=decision,
        measure=measure,
        owner=owner,
        description=description,
        due_on=due_on,
    )
    grant_action_item_owner(item, owner)
    event = record_event(
        ActionItemEvent,
        action_item=item,
        actor=actor,
        transition="assign",
        to_state=item.state,
        payload={"owner": owner.pk, "due_on": due_on.isoformat()},
    )
    signals.action_item_assigned.send(sender=ActionItem, instance=item, event=event, actor=actor)
    return item


def _lock_item(item: ActionItem) -> ActionItem:
    return ActionItem.objects.select_for_update().select_related("body").get(pk=item.pk)


@transaction.atomic
def action_item_reassign(*, item: ActionItem, owner: Organisation, actor: Any) -> ActionItem:
    item = _lock_item(item)
    if item.state not in (ActionItemState.OPEN, ActionItemState.IN_PROGRESS):
        raise GuardFailed("state", _("Only an open or in-progress item can change owner."))
    _require_secretariat(actor, item.body_id)
    guards.guard_owner_holds_seat(item.body_id, owner)
    previous = item.owner
    if previous.pk == owner.pk:
        return item
    revoke_action_item_owner(item, previous)
    item.owner = owner
    item.save(update_fields=["owner"])
    grant_action_item_owner(item, owner)
    event = record_event(
        ActionItemEvent,
        action_item=item,
        actor=actor,
        transition="reassign",
        from_state=item.state,
        to_state=item.state,
        payload={"from_owner": previous.pk, "owner": owner.pk},
    )
    signals.action_item_assigned.send(sender=ActionItem, instance=item, event=event, actor=actor)
    return item


def _require_owner_or_secretariat(actor: Any, item: ActionItem) -> None:
    if not (can_work_on_item(actor, item) or can_edit_body(actor, item.body_id)):
        raise PermissionDenied(_("Only the owner organisation or the secretariat may do this."))


@transaction.atomic
def action_item_start(*, item: ActionItem, actor: Any) -> ActionItem:
    item = _lock_item(item)
    _require_state(item, item.start, _("start"))
    _require_owner_or_secretariat(actor, item)
    before = item.state
    item.start()
    item.save()
    event = record_event(
        ActionItemEvent,
        action_item=item,
        actor=actor,
        transition="start",
        from_state=before,
        to_state=item.state,
    )
    signals.action_item_started.send(sender=ActionItem, instance=item, event=event, actor=actor)
    return item


@transaction.atomic
def action_item_complete(
    *,
    item: ActionItem,
    evidence_link: str = "",
    evidence_file: Any = None,
    note: str = "",
    actor: Any,
) -> ActionItem:
    """Mark the item done with its evidence (a link or a checked file)."""
    item = _lock_item(item)
    _require_state(item, item.complete, _("be marked done"))
    _require_owner_or_secretariat(actor, item)
    validate_evidence_file(evidence_file)
    guards.guard_completion_evidence(item, evidence_link, evidence_file)
    before = item.state
    if evidence_link:
        item.evidence_link = evidence_link
    if evidence_file is not None:
        item.evidence_file = evidence_file
    item.complete()
    item.save()
    event = record_event(
        ActionItemEvent,
        action_item=item,
        actor=actor,
        transition="complete",
        from_state=before,
        to_state=item.state,
        reason=note,
        payload={
            "evidence_link": bool(item.evidence_link),
            "evidence_file": bool(item.evidence_file),
        },
    )
    signals.action_item_completed.send(sender=ActionItem, instance=item, event=event, actor=actor)
    return item


@transaction.atomic
def action_item_cancel(*, item: ActionItem, grounds: str, actor: Any) -> ActionItem:
    """Cancel an item; the secretariat decides, with written grounds."""
    item = _lock_item(item)
    _require_state(item, item.cancel, _("be cancelled"))
    _require_secretariat(actor, item.body_id)
    guards.guard_cancel_grounds(grounds)
    before = item.state
    item.cancel(grounds=grounds.strip())
    item.save()
    event = record_event(
        ActionItemEvent,
        action_item=item,
        actor=actor,
        transition="cancel",
        from_state=before,
        to_state=item.state,
        reason=grounds.strip(),
    )
    signals.action_item_cancelled.send(sender=ActionItem, instance=item, event=event, actor=actor)
    return item


def action_items_flag_overdue(*, today: date | None = None) -> int:
    """Flag every pending item past its due date once: an event row and `action_item_overdue`
    (which notifies the owner and the secretariat). Safe to run twice: flagged items are skipped."""
    today = today or timezone.localdate()
    ids = list(
        ActionItem.objects.filter(
            state__in=[ActionItemState.OPEN, ActionItemState.IN_PROGRESS],
            due_on__lt=today,
            overdue_notified_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    flagged = 0
    for pk in ids:
        flagged += _flag_one_overdue(pk, today)
    return flagged


@transaction.atomic
def _flag_one_overdue(pk: int, today: date) -> int:
    item = ActionItem.objects.select_for_update().get(pk=pk)
    if not item.is_overdue or item.overdue_notified_at is not None or item.due_on >= today:
        return 0
    item.overdue_notified_at = timezone.now()
    item.save(update_fields=["overdue_notified_at"])
    event = record_event(
        ActionItemEvent,
        action_item=item,
        actor=None,
        transition="flag_overdue",
        from_state=item.state,
        to_state=item.state,
        payload={"due_on": item.due_on.isoformat(), "days_late": (today - item.due_on).days},
    )
    signals.action_item_overdue.send(sender=ActionItem, instance=item, event=event, actor=None)
    return 1
