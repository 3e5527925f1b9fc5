"""Meetings: scheduled -> held -> minutes approved (DOMAIN.md SM-10), decisions, event rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from concord.errors import ApplicationError, GuardFailed
from coordination.work import services
from coordination.work.models import Decision, Meeting, MeetingEvent

pytestmark = pytest.mark.django_db


def _schedule(world, when=None, **kw):
    return services.meeting_schedule(
        body=world.body,
        title="Meeting",
        starts_at=when or timezone.now() - timedelta(hours=1),
        place="Bangkok",
        actor=kw.pop("actor", world.sec_user),
        **kw,
    )


def test_secretariat_schedules_with_agenda_and_event(world):
    m = _schedule(world, agenda=["One", "Two", " "])
    assert m.state == "scheduled"
    assert [a.title for a in m.agenda_items.all()] == ["One", "Two"]
    assert MeetingEvent.objects.filter(meeting=m, transition="schedule").count() == 1


@pytest.mark.parametrize("who", ["member_user", "observer_user", "outsider_user", "sec_auditor"])
def test_only_secretariat_schedules(world, who):
    with pytest.raises(PermissionDenied):
        _schedule(world, actor=getattr(world, who))
    assert Meeting.objects.count() == 0


def test_schedule_needs_place_or_call(world):
    with pytest.raises(ApplicationError) as exc:
        services.meeting_schedule(
            body=world.body, title="x", starts_at=timezone.now(), actor=world.sec_user
        )
    assert "place" in exc.value.fields


def test_hold_from_scheduled(world):
    m = _schedule(world)
    services.attendance_record(meeting=m, organisation=world.member, actor=world.sec_user)
    m = services.meeting_hold(meeting=m, actor=world.sec_user)
    assert m.state == "held"
    assert m.held_at
    ev = MeetingEvent.objects.get(meeting=m, transition="hold")
    assert (ev.from_state, ev.to_state, ev.actor) == ("scheduled", "held", world.sec_user)


def test_hold_guard_attendance(world):
    m = _schedule(world)
    with pytest.raises(GuardFailed) as exc:
        services.meeting_hold(meeting=m, actor=world.sec_user)
    assert exc.value.code == "G-MEETING-ATTENDANCE"
    m.refresh_from_db()
    assert m.state == "scheduled"


def test_hold_guard_not_before_start(world):
    m = _schedule(world, when=timezone.now() + timedelta(days=3))
    services.attendance_record(meeting=m, organisation=world.member, actor=world.sec_user)
    with pytest.raises(GuardFailed) as exc:
        services.meeting_hold(meeting=m, actor=world.sec_user)
    assert exc.value.code == "G-MEETING-STARTED"


def test_hold_without_permission(world):
    m = _schedule(world)
    services.attendance_record(meeting=m, organisation=world.member, actor=world.sec_user)
    with pytest.raises(PermissionDenied):
        services.meeting_hold(meeting=m, actor=world.member_user)


def test_hold_from_forbidden_state(held_meeting, world):
    with pytest.raises(GuardFailed) as exc:
        services.meeting_hold(meeting=held_meeting, actor=world.sec_user)
    assert exc.value.code == "state"


def test_attendance_only_for_seat_holders(world):
    m = _schedule(world)
    with pytest.raises(GuardFailed) as exc:
        services.attendance_record(meeting=m, organisation=world.outsider, actor=world.sec_user)
    assert exc.value.code == "G-ATTENDANCE-SEAT"


def test_minutes_and_approval(held_meeting, world):
    with pytest.raises(GuardFailed) as exc:
        services.meeting_approve_minutes(meeting=held_meeting, actor=world.sec_user)
    assert exc.value.code == "G-MINUTES-WRITTEN"
    services.minutes_save(meeting=held_meeting, minutes="We met.", actor=world.sec_user)
    m = services.meeting_approve_minutes(meeting=held_meeting, actor=world.sec_user)
    assert m.state == "minutes_approved"
    with pytest.raises(GuardFailed) as exc:
        services.minutes_save(meeting=m, minutes="changed", actor=world.sec_user)
    assert exc.value.code == "G-MINUTES-FROZEN"
    with pytest.raises(GuardFailed) as exc:
        services.decision_record(meeting=m, text="late", actor=world.sec_user)
    assert exc.value.code == "G-DECISION-HELD"


def test_approve_minutes_forbidden_state_and_permission(world, held_meeting):
    scheduled = _schedule(world)
    with pytest.raises(GuardFailed):
        services.meeting_approve_minutes(meeting=scheduled, actor=world.sec_user)
    services.minutes_save(meeting=held_meeting, minutes="x", actor=world.sec_user)
    with pytest.raises(PermissionDenied):
        services.meeting_approve_minutes(meeting=held_meeting, actor=world.observer_user)


def test_cancel_needs_reason_and_state(world, held_meeting):
    m = _schedule(world)
    with pytest.raises(ApplicationError):
        services.meeting_cancel(meeting=m, reason=" ", actor=world.sec_user)
    m = services.meeting_cancel(meeting=m, reason="Holiday", actor=world.sec_user)
    assert m.state == "cancelled"
    with pytest.raises(GuardFailed):
        services.meeting_cancel(meeting=held_meeting, reason="x", actor=world.sec_user)


def test_decision_creates_action_item(world, held_meeting):
    due = timezone.localdate() + timedelta(days=30)
    d = services.decision_record(
        meeting=held_meeting,
        text="Draft the SOP",
        action_items=[{"owner": world.member, "description": "Draft SOP", "due_on": due}],
        actor=world.sec_user,
    )
    assert d.number == 1
    item = d.action_items.get()
    assert item.owner == world.member
    assert item.state == "open"
    assert item.body == world.body
    d2 = services.decision_record(meeting=held_meeting, text="Second", actor=world.sec_user)
    assert d2.number == 2


def test_decision_rolls_back_when_item_refused(world, held_meeting):
    with pytest.raises(GuardFailed):
        services.decision_record(
            meeting=held_meeting,
            text="x",
            action_items=[
                {"owner": world.observer, "description": "d", "due_on": timezone.localdate()}
            ],
            actor=world.sec_user,
        )
    assert Decision.objects.count() == 0


def test_event_rows_are_append_only(held_meeting):
    ev = MeetingEvent.objects.filter(meeting=held_meeting).first()
    with pytest.raises(ApplicationError):
        ev.save()
    with pytest.raises(ApplicationError):
        ev.delete()
