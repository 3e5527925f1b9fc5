"""Meetings of a coordination body: scheduling, agenda, attendance, holding, minutes,
decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, Conflict
from concord.events import record_event
from concord.validation import within_length
from coordination.models import CoordinationBody, Organisation
from coordination.work.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Decision,
    Meeting,
    MeetingEvent,
)

from .. import guards, signals
from .action_items import action_item_create
from .common import (
    _apply_changes,
    _fitting_text,
    _reject_unknown,
    _require_secretariat,
    _require_state,
    _required_text,
)

__all__ = [
    "agenda_item_add",
    "agenda_item_remove",
    "agenda_items_reorder",
    "attendance_record",
    "decision_record",
    "meeting_approve_minutes",
    "meeting_cancel",
    "meeting_hold",
    "meeting_schedule",
    "meeting_update_details",
    "minutes_save",
]


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
