"""Writes for meetings, action items and action plans.

Each service is atomic and runs: lock the row -> state check -> permission -> guards ->
transition -> save -> event row -> domain signal, all in one transaction, so a refused step changes
nothing and a notification is recorded with the change that caused it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from concord.errors import ApplicationError, Conflict, GuardFailed
from concord.events import record_event
from concord.validation import within_length
from coordination.models import (
    ActionItem,
    ActionItemEvent,
    ActionItemState,
    ActionPlan,
    ActionPlanEvent,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CoordinationBody,
    Decision,
    FrameworkItem,
    FrameworkRow,
    MeasureIndicator,
    Meeting,
    MeetingEvent,
    Organisation,
    PlanMeasure,
    ProgressReport,
)

from . import guards, signals
from .evidence import validate_evidence_file
from .permissions import (
    can_edit_body,
    can_report_on_measure,
    can_work_on_item,
    grant_action_item_owner,
    grant_measure_owner,
    revoke_action_item_owner,
    revoke_measure_owner,
)


def _require_secretariat(actor: Any, body_id: int) -> None:
    if not can_edit_body(actor, body_id):
        raise PermissionDenied(
            _("Only the body's secretariat edits its meetings, items and plans.")
        )


def _require_state(obj: Any, method: Any, label: str) -> None:
    if not can_proceed(method):
        raise GuardFailed(
            "state",
            _("%(what)s cannot %(step)s from the state %(state)s.")
            % {"what": obj._meta.verbose_name.capitalize(), "step": label, "state": obj.state},
        )


def _required_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            _("%(field)s is required.") % {"field": field},
            fields={field: [_("This field is required.")]},
        )
    return value


def _fitting_text(value: Any, model: type[models.Model], field: str, *, required: bool) -> str:
    """`value` stripped, checked against the column's length (a too long value is a 400 naming the
    field, never a database error)."""
    text = _required_text(value, field) if required else str(value or "").strip()
    max_length = getattr(model._meta.get_field(field), "max_length", None)
    if max_length and len(text) > max_length:
        raise ApplicationError(
            _("%(field)s is too long.") % {"field": field},
            fields={field: [_("At most %(n)d characters.") % {"n": max_length}]},
        )
    return text


def _reject_unknown(changes: dict[str, Any], allowed: tuple[str, ...], message: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ApplicationError(_("Unknown fields."), fields={k: [message] for k in sorted(unknown)})


def _as_json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _apply_changes(obj: models.Model, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set each value that differs from the object's and return {field: {"from": old, "to": new}}
    (JSON values) for the event row; fields that do not change are left out."""
    changes: dict[str, dict[str, Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = {"from": _as_json(old), "to": _as_json(new)}
            setattr(obj, field, new)
    return changes


# --- meetings ------------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    body: CoordinationBody,
    title: str,
    starts_at: datetime,
    place: str = "",
    call_link: str = "",
    agenda: list[str] | None = None,
    actor: Any,
) -> Meeting:
    """Schedule a meeting of `body` with its agenda; only the secretariat may."""
    _require_secretariat(actor, body.pk)
    title = _required_text(title, "title")
    if starts_at is None:
        raise ApplicationError(
            _("A meeting needs a date."), fields={"starts_at": [_("This field is required.")]}
        )
    if not (place or "").strip() and not (call_link or "").strip():
        raise ApplicationError(
            _("Give a place or a call link."),
            fields={"place": [_("Give a place or a call link.")]},
        )
    title = within_length(Meeting, "title", title)
    place = within_length(Meeting, "place", (place or "").strip())
    items = [
        within_length(AgendaItem, "title", a.strip(), field="agenda")
        for a in (agenda or [])
        if a.strip()
    ]
    meeting = Meeting.objects.create(
        body=body, title=title, starts_at=starts_at, place=place, call_link=call_link
    )
    for pos, item in enumerate(items):
        AgendaItem.objects.create(meeting=meeting, position=pos + 1, title=item)
    event = record_event(
        MeetingEvent, meeting=meeting, actor=actor, transition="schedule", to_state=meeting.state
    )
    signals.meeting_scheduled.send(sender=Meeting, instance=meeting, event=event, actor=actor)
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, title: str, notes: str = "", actor: Any) -> AgendaItem:
    meeting = _lock_meeting(meeting)
    _require_secretariat(actor, meeting.body_id)
    guards.guard_agenda_editable(meeting)
    title = within_length(AgendaItem, "title", _required_text(title, "title"))
    last = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
    return AgendaItem.objects.create(meeting=meeting, position=last + 1, title=title, notes=notes)


MEETING_DETAILS = ("title", "starts_at", "place", "call_link")


@transaction.atomic
def meeting_update_details(*, meeting: Meeting, actor: Any, **changes: Any) -> Meeting:
    """Change a scheduled meeting's title, date and time, place or call link (any of them).

    Guarantees: only the body's secretariat (PermissionDenied otherwise); only while the meeting is
    scheduled (G-MEETING-SCHEDULED); the meeting keeps a title, a date and a place or a call link,
    or nothing changes (ApplicationError naming the field); one event row `edit_details` whose
    payload holds each changed field's old and new value, and `meeting_details_changed`. An edit
    that changes nothing leaves no row."""
    meeting = _lock_meeting(meeting)
    _require_secretariat(actor, meeting.body_id)
    guards.guard_meeting_details_editable(meeting)
    _reject_unknown(changes, MEETING_DETAILS, _("Not a detail of a meeting."))
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _fitting_text(changes["title"], Meeting, "title", required=True)
    if "starts_at" in changes:
        starts_at = changes["starts_at"]
        if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
            raise ApplicationError(
                _("A meeting needs a date and time."),
                fields={"starts_at": [_("Give a date and time.")]},
            )
        values["starts_at"] = starts_at
    if "place" in changes:
        values["place"] = _fitting_text(changes["place"], Meeting, "place", required=False)
    if "call_link" in changes:
        link = _fitting_text(changes["call_link"], Meeting, "call_link", required=False)
        if link:
            try:
                URLValidator()(link)
            except ValidationError:
                raise ApplicationError(
                    _("The call link is not a web address."),
                    fields={"call_link": [_("Enter a valid URL.")]},
                ) from None
        values["call_link"] = link
    if not values.get("place", meeting.place) and not values.get("call_link", meeting.call_link):
        raise ApplicationError(
            _("Give a place or a call link."),
            fields={"place": [_("Give a place or a call link.")]},
        )
    changed = _apply_changes(meeting, values)
    if not changed:
        return meeting
    meeting.save(update_fields=sorted(changed))
    event = record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="edit_details",
        from_state=meeting.state,
        to_state=meeting.state,
        payload={"changes": changed},
    )
    signals.meeting_details_changed.send(sender=Meeting, instance=meeting, event=event, actor=actor)
    return meeting


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor: Any) -> Meeting:
    """Take an item off the agenda of a scheduled meeting (G-AGENDA-FIXED); the secretariat only.
    The event row `remove_agenda_item` keeps the item's title and position."""
    meeting = _lock_meeting(item.meeting)
    _require_secretariat(actor, meeting.body_id)
    guards.guard_agenda_items_removable(meeting)
    locked = meeting.agenda_items.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise Conflict(_("This agenda item has already been removed."))
    record = {"agenda_item": locked.pk, "title": locked.title, "position": locked.position}
    locked.delete()
    record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="remove_agenda_item",
        from_state=meeting.state,
        to_state=meeting.state,
        payload=record,
    )
    return meeting


@transaction.atomic
def agenda_items_reorder(*, meeting: Meeting, order: list[int], actor: Any) -> Meeting:
    """Put the agenda of a scheduled meeting in the given order of item ids (G-AGENDA-FIXED).

    `order` names every item of the agenda exactly once, or nothing changes (ApplicationError on
    `order`). Positions become 1..n; the event row `reorder_agenda` holds the old and new order."""
    meeting = _lock_meeting(meeting)
    _require_secretariat(actor, meeting.body_id)
    guards.guard_agenda_items_removable(meeting)
    items = list(meeting.agenda_items.select_for_update().order_by("position", "id"))
    before = [a.pk for a in items]
    if (
        not isinstance(order, list)
        or not all(isinstance(pk, int) for pk in order)
        or sorted(order) != sorted(before)
    ):
        raise ApplicationError(
            _("The new order must name every agenda item of the meeting exactly once."),
            fields={"order": [_("Give every agenda item of this meeting exactly once.")]},
        )
    if order == before:
        return meeting
    by_pk = {a.pk: a for a in items}
    for position, pk in enumerate(order, start=1):
        by_pk[pk].position = position
    AgendaItem.objects.bulk_update(items, ["position"])
    record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="reorder_agenda",
        from_state=meeting.state,
        to_state=meeting.state,
        payload={"changes": {"order": {"from": before, "to": list(order)}}},
    )
    return meeting


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    organisation: Organisation,
    status: str = AttendanceStatus.PRESENT,
    representatives: int = 1,
    actor: Any,
) -> Attendance:
    """Record (or correct) one member organisation's attendance."""
    meeting = _lock_meeting(meeting)
    _require_secretariat(actor, meeting.body_id)
    guards.guard_agenda_editable(meeting)
    guards.guard_attendee_is_member(meeting, organisation)
    if status not in AttendanceStatus.values:
        raise ApplicationError(
            _("Unknown attendance status."), fields={"status": [_("Choose a valid status.")]}
        )
    if representatives < 0:
        raise ApplicationError(
            _("Representatives cannot be negative."),
            fields={"representatives": [_("Must be 0 or more.")]},
        )
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting,
        organisation=organisation,
        defaults={"status": status, "representatives": representatives},
    )
    return attendance


@transaction.atomic
def meeting_hold(*, meeting: Meeting, actor: Any) -> Meeting:
    """Record that the meeting took place (scheduled -> held)."""
    meeting = _lock_meeting(meeting)
    _require_state(meeting, meeting.hold, _("be recorded as held"))
    _require_secretariat(actor, meeting.body_id)
    guards.guard_meeting_has_started(meeting)
    guards.guard_meeting_attendance_recorded(meeting)
    before = meeting.state
    meeting.hold()
    meeting.save()
    event = record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="hold",
        from_state=before,
        to_state=meeting.state,
    )
    signals.meeting_held.send(sender=Meeting, instance=meeting, event=event, actor=actor)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, actor: Any) -> Meeting:
    meeting = _lock_meeting(meeting)
    _require_state(meeting, meeting.cancel, _("be cancelled"))
    _require_secretariat(actor, meeting.body_id)
    reason = _required_text(reason, "reason")
    before = meeting.state
    meeting.cancel()
    meeting.save()
    event = record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="cancel",
        from_state=before,
        to_state=meeting.state,
        reason=reason,
    )
    signals.meeting_cancelled.send(sender=Meeting, instance=meeting, event=event, actor=actor)
    return meeting


@transaction.atomic
def minutes_save(*, meeting: Meeting, minutes: str, actor: Any) -> Meeting:
    """Write the minutes of a held meeting (each save leaves an event row)."""
    meeting = _lock_meeting(meeting)
    _require_secretariat(actor, meeting.body_id)
    guards.guard_minutes_editable(meeting)
    meeting.minutes = minutes or ""
    meeting.save(update_fields=["minutes"])
    record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="edit_minutes",
        from_state=meeting.state,
        to_state=meeting.state,
        payload={"length": len(meeting.minutes)},
    )
    return meeting


@transaction.atomic
def meeting_approve_minutes(*, meeting: Meeting, actor: Any) -> Meeting:
    meeting = _lock_meeting(meeting)
    _require_state(meeting, meeting.approve_minutes, _("have its minutes approved"))
    _require_secretariat(actor, meeting.body_id)
    guards.guard_minutes_written(meeting)
    before = meeting.state
    meeting.approve_minutes()
    meeting.save()
    event = record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="approve_minutes",
        from_state=before,
        to_state=meeting.state,
    )
    signals.meeting_minutes_approved.send(
        sender=Meeting, instance=meeting, event=event, actor=actor
    )
    return meeting


@transaction.atomic
def decision_record(
    *,
    meeting: Meeting,
    text: str,
    action_items: list[dict[str, Any]] | None = None,
    actor: Any,
) -> Decision:
    """Record a decision of a held meeting; each entry of `action_items` (owner, description,
    due_on, optional measure) becomes an action item assigned to its owner organisation."""
    meeting = _lock_meeting(meeting)
    _require_secretariat(actor, meeting.body_id)
    guards.guard_decisions_open(meeting)
    text = _required_text(text, "text")
    number = (meeting.decisions.aggregate(m=Max("number"))["m"] or 0) + 1
    decision = Decision.objects.create(meeting=meeting, number=number, text=text, created_by=actor)
    record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        transition="record_decision",
        from_state=meeting.state,
        to_state=meeting.state,
        payload={"decision": decision.pk, "number": number},
    )
    for spec in action_items or []:
        action_item_create(body=meeting.body, decision=decision, actor=actor, **spec)
    return decision


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


# --- action plans --------------------------------------------------------------------------------


PLAN_FIELDS = ("title", "period_start", "period_end", "funding_requirements", "funding_sources")


@transaction.atomic
def action_plan_create(
    *,
    body: CoordinationBody,
    title: str,
    period_start: date | None = None,
    period_end: date | None = None,
    funding_requirements: str = "",
    funding_sources: str = "",
    actor: Any,
) -> ActionPlan:
    _require_secretariat(actor, body.pk)
    title = _required_text(title, "title")
    _check_period(period_start, period_end)
    plan = ActionPlan.objects.create(
        body=body,
        title=title,
        period_start=period_start,
        period_end=period_end,
        funding_requirements=funding_requirements,
        funding_sources=funding_sources,
    )
    record_event(ActionPlanEvent, plan=plan, actor=actor, transition="create", to_state=plan.state)
    return plan


def _check_period(start: date | None, end: date | None) -> None:
    if start and end and end <= start:
        raise ApplicationError(
            _("The period must end after it starts."),
            fields={"period_end": [_("Must be after the start.")]},
        )


def _lock_plan(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().get(pk=plan.pk)


@transaction.atomic
def action_plan_update_details(*, plan: ActionPlan, actor: Any, **changes: Any) -> ActionPlan:
    plan = _lock_plan(plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown fields."), fields={k: [_("Not a plan field.")] for k in sorted(unknown)}
        )
    for key, value in changes.items():
        setattr(plan, key, value)
    if "title" in changes:
        plan.title = _required_text(plan.title, "title")
    _check_period(plan.period_start, plan.period_end)
    plan.save()
    record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="edit",
        from_state=plan.state,
        to_state=plan.state,
        payload={"fields": sorted(changes)},
    )
    return plan


@transaction.atomic
def plan_measure_add(
    *,
    plan: ActionPlan,
    framework_row: FrameworkRow,
    title: str,
    owner: Organisation,
    target: str = "",
    due_on: date | None = None,
    budget_line: str = "",
    budget_amount: Decimal | None = None,
    framework_measure: FrameworkItem | None = None,
    actor: Any,
) -> PlanMeasure:
    plan = _lock_plan(plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    guards.guard_framework_measure(framework_row, framework_measure)
    title = _required_text(title, "title")
    if budget_amount is not None and budget_amount < 0:
        raise ApplicationError(
            _("A budget cannot be negative."), fields={"budget_amount": [_("Must be 0 or more.")]}
        )
    position = (plan.measures.aggregate(m=Max("position"))["m"] or 0) + 1
    measure = PlanMeasure.objects.create(
        plan=plan,
        framework_row=framework_row,
        framework_measure=framework_measure,
        title=title,
        owner=owner,
        target=target,
        due_on=due_on,
        budget_line=budget_line,
        budget_amount=budget_amount,
        position=position,
    )
    grant_measure_owner(measure, owner)
    record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="add_measure",
        from_state=plan.state,
        to_state=plan.state,
        payload={"measure": measure.pk, "framework_row": framework_row.pk, "owner": owner.pk},
    )
    return measure


@transaction.atomic
def plan_measure_change_owner(
    *, measure: PlanMeasure, owner: Organisation, actor: Any
) -> PlanMeasure:
    plan = _lock_plan(measure.plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    measure = PlanMeasure.objects.select_for_update().get(pk=measure.pk)
    revoke_measure_owner(measure, measure.owner)
    measure.owner = owner
    measure.save(update_fields=["owner"])
    grant_measure_owner(measure, owner)
    record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="change_measure_owner",
        from_state=plan.state,
        to_state=plan.state,
        payload={"measure": measure.pk, "owner": owner.pk},
    )
    return measure


MEASURE_DETAILS = ("title", "target", "due_on", "budget_line", "budget_amount")
# PlanMeasure.budget_amount: max_digits=14, decimal_places=2.
BUDGET_LIMIT = Decimal("1e12")


@transaction.atomic
def plan_measure_update(*, measure: PlanMeasure, actor: Any, **changes: Any) -> PlanMeasure:
    """Change a measure's title, target, due date, budget line or budget amount (any of them).

    Guarantees: only the body's secretariat (PermissionDenied otherwise); only while the plan is a
    draft or under review (G-NAP-EDITABLE, as for adding measures); a measure keeps its title, a
    budget is not negative, or nothing changes (ApplicationError naming the field); one event row
    `edit_measure` on the plan whose payload holds each changed field's old and new value, and
    `plan_measure_changed`. An edit that changes nothing leaves no row."""
    plan = _lock_plan(measure.plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    _reject_unknown(changes, MEASURE_DETAILS, _("Not a detail of a plan measure."))
    measure = PlanMeasure.objects.select_for_update().get(pk=measure.pk)
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _fitting_text(changes["title"], PlanMeasure, "title", required=True)
    if "target" in changes:
        values["target"] = _fitting_text(changes["target"], PlanMeasure, "target", required=False)
    if "due_on" in changes:
        due_on = changes["due_on"]
        if due_on is not None and (not isinstance(due_on, date) or isinstance(due_on, datetime)):
            raise ApplicationError(
                _("The due date is not a date."), fields={"due_on": [_("Give a date.")]}
            )
        values["due_on"] = due_on
    if "budget_line" in changes:
        values["budget_line"] = _fitting_text(
            changes["budget_line"], PlanMeasure, "budget_line", required=False
        )
    if "budget_amount" in changes:
        amount = changes["budget_amount"]
        if amount is not None:
            if not isinstance(amount, Decimal | int) or not Decimal(amount).is_finite():
                raise ApplicationError(
                    _("The budget amount is not a number."),
                    fields={"budget_amount": [_("Give a number.")]},
                )
            if amount < 0:
                raise ApplicationError(
                    _("A budget cannot be negative."),
                    fields={"budget_amount": [_("Must be 0 or more.")]},
                )
            if amount >= BUDGET_LIMIT:
                raise ApplicationError(
                    _("The budget amount is too large."),
                    fields={"budget_amount": [_("Must be below 1,000,000,000,000.")]},
                )
            amount = Decimal(amount).quantize(Decimal("0.01"))
        values["budget_amount"] = amount
    changed = _apply_changes(measure, values)
    if not changed:
        return measure
    measure.save(update_fields=sorted(changed))
    event = record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="edit_measure",
        from_state=plan.state,
        to_state=plan.state,
        payload={"measure": measure.pk, "changes": changed},
    )
    signals.plan_measure_changed.send(
        sender=PlanMeasure, instance=measure, event=event, actor=actor
    )
    return measure


@transaction.atomic
def measure_indicator_add(
    *,
    measure: PlanMeasure,
    name: str,
    baseline: Decimal,
    target_value: Decimal,
    unit: str = "",
    framework_indicator: FrameworkItem | None = None,
    actor: Any,
) -> MeasureIndicator:
    plan = _lock_plan(measure.plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    guards.guard_framework_indicator(framework_indicator)
    name = _required_text(name, "name")
    if baseline is None or target_value is None:
        raise ApplicationError(
            _("An indicator needs a baseline and a target value."),
            fields={
                k: [_("This field is required.")]
                for k, v in (("baseline", baseline), ("target_value", target_value))
                if v is None
            },
        )
    indicator = MeasureIndicator.objects.create(
        measure=measure,
        framework_indicator=framework_indicator,
        name=name,
        unit=unit,
        baseline=baseline,
        target_value=target_value,
    )
    record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="add_indicator",
        from_state=plan.state,
        to_state=plan.state,
        payload={"measure": measure.pk, "indicator": indicator.pk},
    )
    return indicator


def _plan_transition(
    *,
    plan: ActionPlan,
    actor: Any,
    name: str,
    label: str,
    signal: Any,
    reason: str = "",
    before_guards: Any = None,
    **kwargs: Any,
) -> ActionPlan:
    plan = _lock_plan(plan)
    method = getattr(plan, name)
    _require_state(plan, method, label)
    _require_secretariat(actor, plan.body_id)
    if before_guards is not None:
        before_guards(plan)
    before = plan.state
    method(**kwargs)
    plan.save()
    event = record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition=name,
        from_state=before,
        to_state=plan.state,
        reason=reason,
    )
    signal.send(sender=ActionPlan, instance=plan, event=event, actor=actor)
    return plan


@transaction.atomic
def action_plan_adopt(*, plan: ActionPlan, actor: Any) -> ActionPlan:
    """Adopt a draft plan; G-NAP-CONTENT checks period, targets, indicators and funding."""
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="adopt",
        label=_("be adopted"),
        signal=signals.action_plan_adopted,
        before_guards=guards.guard_plan_content,
    )


@transaction.atomic
def action_plan_start_implementation(*, plan: ActionPlan, actor: Any) -> ActionPlan:
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="start_implementation",
        label=_("start implementation"),
        signal=signals.action_plan_implementation_started,
    )


@transaction.atomic
def action_plan_open_review(*, plan: ActionPlan, actor: Any) -> ActionPlan:
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="open_review",
        label=_("go under review"),
        signal=signals.action_plan_review_opened,
    )


@transaction.atomic
def action_plan_close_review(*, plan: ActionPlan, notes: str, actor: Any) -> ActionPlan:
    """Close a review and continue implementing; G-NAP-REVIEW needs its findings."""
    guards.guard_review_recorded(notes)
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="close_review",
        label=_("close its review"),
        signal=signals.action_plan_review_closed,
        reason=notes.strip(),
        notes=notes.strip(),
    )


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, notes: str, actor: Any) -> ActionPlan:
    """End a review by updating the plan: this version becomes `updated` and a new draft version
    copies its measures and indicators, each indicator's baseline being its latest reported value.
    Returns the new draft."""
    guards.guard_review_recorded(notes)
    old = _plan_transition(
        plan=plan,
        actor=actor,
        name="supersede",
        label=_("be updated"),
        signal=signals.action_plan_updated,
        reason=notes.strip(),
        notes=notes.strip(),
    )
    new = ActionPlan.objects.create(
        body_id=old.body_id,
        title=old.title,
        period_start=old.period_start,
        period_end=old.period_end,
        funding_requirements=old.funding_requirements,
        funding_sources=old.funding_sources,
        version=old.version + 1,
        previous_version=old,
    )
    for m in old.measures.select_related("owner").prefetch_related("indicators__reports"):
        copy = PlanMeasure.objects.create(
            plan=new,
            framework_row_id=m.framework_row_id,
            framework_measure_id=m.framework_measure_id,
            title=m.title,
            owner=m.owner,
            target=m.target,
            due_on=m.due_on,
            budget_line=m.budget_line,
            budget_amount=m.budget_amount,
            position=m.position,
        )
        grant_measure_owner(copy, m.owner)
        for ind in m.indicators.all():
            reports = list(ind.reports.all())  # ordered newest first
            MeasureIndicator.objects.create(
                measure=copy,
                framework_indicator_id=ind.framework_indicator_id,
                name=ind.name,
                unit=ind.unit,
                baseline=reports[0].value if reports else ind.baseline,
                target_value=ind.target_value,
            )
    record_event(
        ActionPlanEvent,
        plan=new,
        actor=actor,
        transition="create_version",
        to_state=new.state,
        payload={"previous_version": old.pk},
    )
    return new


@transaction.atomic
def progress_report_add(
    *,
    indicator: MeasureIndicator,
    value: Decimal,
    reported_on: date,
    narrative: str = "",
    evidence_link: str = "",
    evidence_file: Any = None,
    actor: Any,
) -> ProgressReport:
    """Report an indicator's value; the measure's owner organisation or the secretariat may."""
    measure = indicator.measure
    plan = _lock_plan(measure.plan)
    if not (can_report_on_measure(actor, measure) or can_edit_body(actor, plan.body_id)):
        raise PermissionDenied(
            _("Only the measure's owner organisation or the secretariat reports progress.")
        )
    guards.guard_plan_reporting(plan)
    if value is None:
        raise ApplicationError(_("Give a value."), fields={"value": [_("This field is required.")]})
    if reported_on is None or reported_on > timezone.localdate():
        raise ApplicationError(
            _("The date of a report cannot be in the future."),
            fields={"reported_on": [_("Not in the future.")]},
        )
    validate_evidence_file(evidence_file)
    report = ProgressReport.objects.create(
        indicator=indicator,
        value=value,
        reported_on=reported_on,
        narrative=narrative,
        evidence_link=evidence_link,
        evidence_file=evidence_file or "",
        organisation=measure.owner,
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event = record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="report_progress",
        from_state=plan.state,
        to_state=plan.state,
        payload={"indicator": indicator.pk, "report": report.pk, "value": str(value)},
    )
    signals.progress_reported.send(sender=ProgressReport, instance=report, event=event, actor=actor)
    return report
