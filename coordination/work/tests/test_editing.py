"""The secretariat edits what it already recorded: a scheduled meeting's details
(G-MEETING-SCHEDULED), the agenda before the meeting is held (G-AGENDA-FIXED), a plan measure while
the plan is a draft or under review (G-NAP-EDITABLE). Each edit leaves one event row with the old
and new values; a refused edit changes nothing; services, pages and API."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.errors import ApplicationError, Conflict, GuardFailed
from coordination.work import services
from coordination.work.models import (
    ActionPlanEvent,
    FrameworkRow,
    Meeting,
    MeetingEvent,
    PlanMeasure,
)
from coordination.work.tests.test_plan import make_plan

pytestmark = pytest.mark.django_db

NOT_SECRETARIAT = ["member_user", "observer_user", "outsider_user", "sec_auditor"]


def _scheduled(world, agenda=("Opening", "Referrals", "Any other business")):
    return services.meeting_schedule(
        body=world.body,
        title="Quarterly meeting",
        starts_at=timezone.now() + timedelta(days=7),
        place="Bangkok",
        agenda=list(agenda),
        actor=world.sec_user,
    )


def _snapshot(meeting):
    m = Meeting.objects.get(pk=meeting.pk)
    return (m.title, m.starts_at, m.place, m.call_link, m.state)


def _agenda(meeting):
    return list(meeting.agenda_items.order_by("position", "id").values_list("title", flat=True))


def _edits(meeting):
    return MeetingEvent.objects.filter(
        meeting=meeting, transition__in=["edit_details", "remove_agenda_item", "reorder_agenda"]
    ).count()


def _measure_snapshot(measure):
    m = PlanMeasure.objects.get(pk=measure.pk)
    return (m.title, m.target, m.due_on, m.budget_line, m.budget_amount)


def _measure_edits(plan):
    return ActionPlanEvent.objects.filter(plan=plan, transition="edit_measure").count()


# --- meeting details: services -------------------------------------------------------------------


def test_secretariat_edits_scheduled_meeting_and_event_keeps_old_and_new(world):
    m = _scheduled(world)
    old_start = m.starts_at
    new_start = old_start + timedelta(days=1, hours=2)
    m = services.meeting_update_details(
        meeting=m,
        title="Extraordinary meeting",
        starts_at=new_start,
        place="",
        call_link="https://meet.example.org/natc",
        actor=world.sec_user,
    )
    assert _snapshot(m) == (
        "Extraordinary meeting",
        new_start,
        "",
        "https://meet.example.org/natc",
        "scheduled",
    )
    ev = MeetingEvent.objects.get(meeting=m, transition="edit_details")
    assert ev.actor == world.sec_user
    assert (ev.from_state, ev.to_state) == ("scheduled", "scheduled")
    assert ev.payload["changes"] == {
        "title": {"from": "Quarterly meeting", "to": "Extraordinary meeting"},
        "starts_at": {"from": old_start.isoformat(), "to": new_start.isoformat()},
        "place": {"from": "Bangkok", "to": ""},
        "call_link": {"from": "", "to": "https://meet.example.org/natc"},
    }


def test_edit_of_one_field_records_only_that_field(world):
    m = _scheduled(world)
    services.meeting_update_details(meeting=m, place=" Chiang Mai ", actor=world.sec_user)
    ev = MeetingEvent.objects.get(meeting=m, transition="edit_details")
    assert ev.payload["changes"] == {"place": {"from": "Bangkok", "to": "Chiang Mai"}}


def test_edit_that_changes_nothing_leaves_no_event(world):
    m = _scheduled(world)
    services.meeting_update_details(
        meeting=m, title="Quarterly meeting", place="Bangkok", actor=world.sec_user
    )
    assert _edits(m) == 0


@pytest.mark.parametrize("state", ["held", "minutes_approved", "cancelled"])
def test_meeting_details_frozen_once_not_scheduled(world, held_meeting, state):
    if state == "cancelled":
        m = services.meeting_cancel(meeting=_scheduled(world), reason="Flood", actor=world.sec_user)
    else:
        m = held_meeting
        if state == "minutes_approved":
            services.minutes_save(meeting=m, minutes="We met.", actor=world.sec_user)
            m = services.meeting_approve_minutes(meeting=m, actor=world.sec_user)
    before = _snapshot(m)
    with pytest.raises(GuardFailed) as exc:
        services.meeting_update_details(meeting=m, title="Rewritten", actor=world.sec_user)
    assert exc.value.code == "G-MEETING-SCHEDULED"
    assert _snapshot(m) == before
    assert _edits(m) == 0


@pytest.mark.parametrize("who", NOT_SECRETARIAT)
def test_only_secretariat_edits_meeting_details(world, who):
    m = _scheduled(world)
    before = _snapshot(m)
    with pytest.raises(PermissionDenied):
        services.meeting_update_details(meeting=m, title="x", actor=getattr(world, who))
    assert _snapshot(m) == before
    assert _edits(m) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": datetime(2030, 1, 1, 10, 0)}, "starts_at"),  # naive
        ({"place": "", "call_link": ""}, "place"),
        ({"place": ""}, "place"),  # no call link either
        ({"call_link": "not a link"}, "call_link"),
        ({"place": "x" * 201}, "place"),
        ({"state": "held"}, "state"),
    ],
)
def test_bad_meeting_details_name_the_field_and_change_nothing(world, changes, field):
    m = _scheduled(world)
    before = _snapshot(m)
    with pytest.raises(ApplicationError) as exc:
        services.meeting_update_details(meeting=m, actor=world.sec_user, **changes)
    assert not isinstance(exc.value, GuardFailed)
    assert field in exc.value.fields
    assert _snapshot(m) == before
    assert _edits(m) == 0


# --- agenda: services ----------------------------------------------------------------------------


def test_secretariat_removes_agenda_item_with_event(world):
    m = _scheduled(world)
    item = m.agenda_items.get(title="Referrals")
    services.agenda_item_remove(item=item, actor=world.sec_user)
    assert _agenda(m) == ["Opening", "Any other business"]
    ev = MeetingEvent.objects.get(meeting=m, transition="remove_agenda_item")
    assert ev.payload == {"agenda_item": item.pk, "title": "Referrals", "position": 2}
    with pytest.raises(Conflict):
        services.agenda_item_remove(item=item, actor=world.sec_user)


def test_secretariat_reorders_agenda_with_event(world):
    m = _scheduled(world)
    ids = list(m.agenda_items.order_by("position").values_list("pk", flat=True))
    new = [ids[2], ids[0], ids[1]]
    services.agenda_items_reorder(meeting=m, order=new, actor=world.sec_user)
    assert _agenda(m) == ["Any other business", "Opening", "Referrals"]
    assert list(m.agenda_items.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]
    ev = MeetingEvent.objects.get(meeting=m, transition="reorder_agenda")
    assert ev.payload["changes"] == {"order": {"from": ids, "to": new}}
    services.agenda_items_reorder(meeting=m, order=new, actor=world.sec_user)
    assert _edits(m) == 1  # the same order again is no change


@pytest.mark.parametrize("state", ["held", "minutes_approved", "cancelled"])
def test_agenda_fixed_once_held(world, held_meeting, state):
    if state == "cancelled":
        m = services.meeting_cancel(meeting=_scheduled(world), reason="Flood", actor=world.sec_user)
    else:
        m = held_meeting
        if state == "minutes_approved":
            services.minutes_save(meeting=m, minutes="We met.", actor=world.sec_user)
            m = services.meeting_approve_minutes(meeting=m, actor=world.sec_user)
    before = _agenda(m)
    ids = list(m.agenda_items.order_by("position").values_list("pk", flat=True))
    with pytest.raises(GuardFailed) as exc:
        services.agenda_item_remove(item=m.agenda_items.first(), actor=world.sec_user)
    assert exc.value.code == "G-AGENDA-FIXED"
    with pytest.raises(GuardFailed) as exc:
        services.agenda_items_reorder(meeting=m, order=ids[::-1], actor=world.sec_user)
    assert exc.value.code == "G-AGENDA-FIXED"
    assert _agenda(m) == before
    assert _edits(m) == 0


@pytest.mark.parametrize("who", NOT_SECRETARIAT)
def test_only_secretariat_removes_or_reorders(world, who):
    m = _scheduled(world)
    actor = getattr(world, who)
    ids = list(m.agenda_items.order_by("position").values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):
        services.agenda_item_remove(item=m.agenda_items.first(), actor=actor)
    with pytest.raises(PermissionDenied):
        services.agenda_items_reorder(meeting=m, order=ids[::-1], actor=actor)
    assert _agenda(m) == ["Opening", "Referrals", "Any other business"]
    assert _edits(m) == 0


def test_reorder_must_name_every_item_once(world):
    m = _scheduled(world)
    other = _scheduled(world, agenda=["Elsewhere"])
    ids = list(m.agenda_items.order_by("position").values_list("pk", flat=True))
    for bad in (
        ids[:2],
        [*ids, ids[0]],
        [ids[0], ids[1], other.agenda_items.get().pk],
        [],
        ["1", "2", "3"],
    ):
        with pytest.raises(ApplicationError) as exc:
            services.agenda_items_reorder(meeting=m, order=bad, actor=world.sec_user)
        assert "order" in exc.value.fields
    assert _agenda(m) == ["Opening", "Referrals", "Any other business"]
    assert _edits(m) == 0


# --- plan measures: services ---------------------------------------------------------------------


def test_secretariat_edits_draft_measure_with_event(world):
    plan, m = make_plan(world)
    old_due = m.due_on
    new_due = old_due + timedelta(days=30)
    m = services.plan_measure_update(
        measure=m,
        title="Meet every two months",
        target="6 meetings a year",
        due_on=new_due,
        budget_line="Budget line 4.2",
        budget_amount=Decimal("125000.5"),
        actor=world.sec_user,
    )
    assert _measure_snapshot(m) == (
        "Meet every two months",
        "6 meetings a year",
        new_due,
        "Budget line 4.2",
        Decimal("125000.50"),
    )
    ev = ActionPlanEvent.objects.get(plan=plan, transition="edit_measure")
    assert ev.actor == world.sec_user
    assert (ev.from_state, ev.to_state) == ("draft", "draft")
    assert ev.payload == {
        "measure": m.pk,
        "changes": {
            "title": {"from": "Meet quarterly", "to": "Meet every two months"},
            "target": {"from": "4 meetings a year", "to": "6 meetings a year"},
            "due_on": {"from": old_due.isoformat(), "to": new_due.isoformat()},
            "budget_line": {"from": "Budget line 4.1", "to": "Budget line 4.2"},
            "budget_amount": {"from": None, "to": "125000.50"},
        },
    }
    services.plan_measure_update(measure=m, title="Meet every two months", actor=world.sec_user)
    assert _measure_edits(plan) == 1  # no change, no row


def test_measure_editable_again_under_review(world):
    plan, m = make_plan(world)
    for step in (
        services.action_plan_adopt,
        services.action_plan_start_implementation,
        services.action_plan_open_review,
    ):
        plan = step(plan=plan, actor=world.sec_user)
    m = services.plan_measure_update(measure=m, due_on=None, actor=world.sec_user)
    assert m.due_on is None
    ev = ActionPlanEvent.objects.get(plan=plan, transition="edit_measure")
    assert (ev.from_state, ev.to_state) == ("under_review", "under_review")


@pytest.mark.parametrize("state", ["adopted", "in_implementation", "updated"])
def test_measure_frozen_while_plan_adopted_or_superseded(world, state):
    plan, m = make_plan(world)
    plan = services.action_plan_adopt(plan=plan, actor=world.sec_user)
    if state != "adopted":
        plan = services.action_plan_start_implementation(plan=plan, actor=world.sec_user)
    if state == "updated":
        plan = services.action_plan_open_review(plan=plan, actor=world.sec_user)
        services.action_plan_update(plan=plan, notes="New version", actor=world.sec_user)
        plan.refresh_from_db()
    assert plan.state == state
    before = _measure_snapshot(m)
    with pytest.raises(GuardFailed) as exc:
        services.plan_measure_update(measure=m, target="Changed", actor=world.sec_user)
    assert exc.value.code == "G-NAP-EDITABLE"
    assert _measure_snapshot(m) == before
    assert _measure_edits(plan) == 0


@pytest.mark.parametrize("who", NOT_SECRETARIAT)
def test_only_secretariat_edits_measures(world, who):
    plan, m = make_plan(world)
    before = _measure_snapshot(m)
    with pytest.raises(PermissionDenied):
        services.plan_measure_update(measure=m, target="x", actor=getattr(world, who))
    assert _measure_snapshot(m) == before
    assert _measure_edits(plan) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"budget_line": "x" * 201}, "budget_line"),
        ({"budget_amount": Decimal("-1")}, "budget_amount"),
        ({"budget_amount": Decimal("1e12")}, "budget_amount"),
        ({"budget_amount": Decimal("NaN")}, "budget_amount"),
        ({"budget_amount": "12"}, "budget_amount"),
        ({"due_on": "2030-01-01"}, "due_on"),
        ({"owner": None}, "owner"),
    ],
)
def test_bad_measure_input_names_the_field_and_changes_nothing(world, changes, field):
    plan, m = make_plan(world)
    before = _measure_snapshot(m)
    with pytest.raises(ApplicationError) as exc:
        services.plan_measure_update(measure=m, actor=world.sec_user, **changes)
    assert not isinstance(exc.value, GuardFailed)
    assert field in exc.value.fields
    assert _measure_snapshot(m) == before
    assert _measure_edits(plan) == 0


# --- pages ---------------------------------------------------------------------------------------


def test_meeting_page_edit_controls_only_for_secretariat_while_scheduled(
    client, login, world, held_meeting
):
    m = _scheduled(world)
    url = f"/work/meetings/{m.pk}/"
    login(world.observer_user)
    page = client.get(url).content.decode()
    assert "details-form" not in page
    assert "agenda-remove" not in page
    login(world.sec_user)
    page = client.get(url).content.decode()
    assert "details-form" in page
    assert "agenda-remove" in page
    assert "agenda-move" in page
    page = client.get(f"/work/meetings/{held_meeting.pk}/").content.decode()
    assert "details-form" not in page
    assert "agenda-remove" not in page


def test_secretariat_edits_details_on_page(client, login, world):
    m = _scheduled(world)
    login(world.sec_user)
    when = timezone.localtime(m.starts_at + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(
        f"/work/meetings/{m.pk}/details/",
        {"title": "Moved meeting", "starts_at": when, "place": "Bangkok", "call_link": ""},
        follow=True,
    )
    assert resp.status_code == 200
    m.refresh_from_db()
    assert m.title == "Moved meeting"
    assert timezone.localtime(m.starts_at).strftime("%Y-%m-%dT%H:%M") == when
    ev = MeetingEvent.objects.get(meeting=m, transition="edit_details")
    assert set(ev.payload["changes"]) == {"title", "starts_at"}  # place unchanged, not recorded
    assert "Quarterly meeting → Moved meeting" in resp.content.decode()  # the history shows it


def test_page_form_as_shown_is_no_change(client, login, world):
    m = _scheduled(world)  # starts_at has seconds; the page shows minutes
    login(world.sec_user)
    form = client.get(f"/work/meetings/{m.pk}/").context["details_form"]
    data = {k: form[k].value() for k in ("title", "place", "call_link")}
    data["starts_at"] = form["starts_at"].as_widget().split('value="')[1].split('"')[0]
    client.post(f"/work/meetings/{m.pk}/details/", data)
    assert _edits(m) == 0


def test_page_refusals_change_nothing(client, login, world, held_meeting):
    m = _scheduled(world)
    before = _snapshot(m)
    login(world.sec_user)
    resp = client.post(
        f"/work/meetings/{m.pk}/details/",
        {"title": "", "starts_at": "soon", "place": "x"},
        follow=True,
    )
    (message,) = [str(msg) for msg in resp.context["messages"] if msg.level_tag == "error"]
    assert "title:" in message
    assert "starts_at:" in message
    assert _snapshot(m) == before
    resp = client.post(
        f"/work/meetings/{held_meeting.pk}/details/",
        {"title": "Rewritten", "starts_at": "2030-01-01T10:00", "place": "x"},
        follow=True,
    )
    assert "only while the meeting is scheduled" in resp.content.decode()
    assert Meeting.objects.get(pk=held_meeting.pk).title == "Quarterly meeting"
    login(world.member_user)
    resp = client.post(
        f"/work/meetings/{m.pk}/details/",
        {"title": "Mine", "starts_at": "2030-01-01T10:00", "place": "x"},
    )
    assert resp.status_code == 403
    item = m.agenda_items.first()
    assert (
        client.post(f"/work/meetings/{m.pk}/agenda-remove/", {"item": item.pk}).status_code == 403
    )
    login(world.outsider_user)
    resp = client.post(f"/work/meetings/{m.pk}/details/", {"title": "x"})
    assert resp.status_code == 404
    assert _snapshot(m) == before
    assert _edits(m) == 0


def test_agenda_remove_and_move_on_page(client, login, world, held_meeting):
    m = _scheduled(world)
    login(world.sec_user)
    first, second, third = m.agenda_items.order_by("position")
    client.post(f"/work/meetings/{m.pk}/agenda-move/", {"item": third.pk, "direction": "up"})
    assert _agenda(m) == ["Opening", "Any other business", "Referrals"]
    client.post(f"/work/meetings/{m.pk}/agenda-move/", {"item": first.pk, "direction": "up"})
    assert _agenda(m) == ["Opening", "Any other business", "Referrals"]  # already first
    client.post(f"/work/meetings/{m.pk}/agenda-remove/", {"item": second.pk})
    assert _agenda(m) == ["Opening", "Any other business"]
    # an item of another meeting, or no number, is not found
    other = held_meeting.agenda_items.first()
    assert client.post(f"/work/meetings/{m.pk}/agenda-remove/", {"item": other.pk}).status_code == (
        404
    )
    for junk in ("x", "²", "9" * 40):
        resp = client.post(f"/work/meetings/{m.pk}/agenda-remove/", {"item": junk})
        assert resp.status_code == 404
    assert client.post(f"/work/meetings/{m.pk}/agenda-move/", {}).status_code == 404
    resp = client.post(
        f"/work/meetings/{held_meeting.pk}/agenda-remove/", {"item": other.pk}, follow=True
    )
    assert "only while the meeting is scheduled" in resp.content.decode()
    assert held_meeting.agenda_items.filter(pk=other.pk).exists()


def test_measure_edit_on_plan_page(client, login, world):
    plan, m = make_plan(world)
    url = f"/work/plans/{plan.pk}/"
    login(world.member_user)
    assert "measure-edit" not in client.get(url).content.decode()
    resp = client.post(f"{url}measure-edit/", {"measure": m.pk, "title": "Mine"})
    assert resp.status_code == 403
    login(world.sec_user)
    page = client.get(url).content.decode()
    assert "measure-edit" in page
    assert 'value="Budget line 4.1"' in page
    client.post(
        f"{url}measure-edit/",
        {
            "measure": m.pk,
            "title": "Meet quarterly",
            "target": "5 meetings a year",
            "due_on": m.due_on.isoformat(),
            "budget_line": "Budget line 4.1",
            "budget_amount": "2500.75",
        },
    )
    assert _measure_snapshot(m)[1:] == (
        "5 meetings a year",
        m.due_on,
        "Budget line 4.1",
        Decimal("2500.75"),
    )
    ev = ActionPlanEvent.objects.get(plan=plan, transition="edit_measure")
    assert set(ev.payload["changes"]) == {"target", "budget_amount"}
    before = _measure_snapshot(m)
    resp = client.post(
        f"{url}measure-edit/", {"measure": m.pk, "title": "", "budget_amount": "-3"}, follow=True
    )
    (message,) = [str(msg) for msg in resp.context["messages"] if msg.level_tag == "error"]
    assert "title:" in message
    assert "budget_amount:" in message
    assert _measure_snapshot(m) == before
    assert client.post(f"{url}measure-edit/", {"measure": "abc"}).status_code == 404
    services.action_plan_adopt(plan=plan, actor=world.sec_user)
    assert "measure-edit" not in client.get(url).content.decode()
    resp = client.post(
        f"{url}measure-edit/", {"measure": m.pk, "title": "Late change"}, follow=True
    )
    assert "only while the plan is a draft or under review" in resp.content.decode()
    assert _measure_snapshot(m) == before


# --- API -----------------------------------------------------------------------------------------


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def test_api_edit_meeting_details(client, login, world, held_meeting):
    m = _scheduled(world)
    url = f"/api/meetings/{m.pk}/"
    login(world.sec_user)
    r = _patch(client, url, {"title": "By API", "call_link": "https://meet.example.org/x"})
    assert r.status_code == 200
    assert (r.json()["title"], r.json()["place"]) == ("By API", "Bangkok")
    assert r.json()["call_link"] == "https://meet.example.org/x"
    ev = MeetingEvent.objects.get(meeting=m, transition="edit_details")
    assert set(ev.payload["changes"]) == {"title", "call_link"}
    r = _patch(client, f"/api/meetings/{held_meeting.pk}/", {"title": "Rewritten"})
    assert r.status_code == 409
    assert r.json()["code"] == "G-MEETING-SCHEDULED"
    assert Meeting.objects.get(pk=held_meeting.pk).title == "Quarterly meeting"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"starts_at": "next week"}, "starts_at"),
        ({"call_link": "not a link"}, "call_link"),
        ({"place": ""}, "place"),  # no call link either
        ({"state": "held"}, "state"),
        ({"minutes": "x"}, "minutes"),
    ],
)
def test_api_bad_meeting_details_400_names_field(client, login, world, data, field):
    m = _scheduled(world)
    before = _snapshot(m)
    login(world.sec_user)
    r = _patch(client, f"/api/meetings/{m.pk}/", data)
    assert r.status_code == 400
    assert set(r.json()) == {"code", "detail", "fields"}
    assert field in r.json()["fields"]
    assert _snapshot(m) == before
    assert _edits(m) == 0


def test_api_meeting_edits_refused_for_others(client, login, world):
    m = _scheduled(world)
    item = m.agenda_items.first()
    before = _snapshot(m)
    for who, code in (("member_user", 403), ("observer_user", 403), ("outsider_user", 404)):
        login(getattr(world, who))
        assert _patch(client, f"/api/meetings/{m.pk}/", {"title": "x"}).status_code == code
        r = client.delete(f"/api/meetings/{m.pk}/agenda-items/{item.pk}/")
        assert r.status_code == code
        r = client.post(
            f"/api/meetings/{m.pk}/agenda-order/",
            {"order": [item.pk]},
            content_type="application/json",
        )
        assert r.status_code == code
        assert set(r.json()) == {"code", "detail", "fields"}
    assert _snapshot(m) == before
    assert _agenda(m) == ["Opening", "Referrals", "Any other business"]
    assert _edits(m) == 0


def test_api_agenda_remove_and_reorder(client, login, world, held_meeting):
    m = _scheduled(world)
    login(world.sec_user)
    ids = list(m.agenda_items.order_by("position").values_list("pk", flat=True))
    r = client.post(
        f"/api/meetings/{m.pk}/agenda-order/",
        {"order": ids[::-1]},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert [a["title"] for a in r.json()["agenda_items"]] == [
        "Any other business",
        "Referrals",
        "Opening",
    ]
    r = client.post(
        f"/api/meetings/{m.pk}/agenda-order/", {"order": ids[:1]}, content_type="application/json"
    )
    assert r.status_code == 400
    assert "order" in r.json()["fields"]
    r = client.post(f"/api/meetings/{m.pk}/agenda-order/", {}, content_type="application/json")
    assert r.status_code == 400
    assert "order" in r.json()["fields"]
    r = client.delete(f"/api/meetings/{m.pk}/agenda-items/{ids[1]}/")
    assert r.status_code == 200
    assert [a["title"] for a in r.json()["agenda_items"]] == ["Any other business", "Opening"]
    assert client.delete(f"/api/meetings/{m.pk}/agenda-items/{ids[1]}/").status_code == 404
    held_item = held_meeting.agenda_items.first()
    # an item of another meeting is not found through this one
    assert client.delete(f"/api/meetings/{m.pk}/agenda-items/{held_item.pk}/").status_code == 404
    r = client.delete(f"/api/meetings/{held_meeting.pk}/agenda-items/{held_item.pk}/")
    assert r.status_code == 409
    assert r.json()["code"] == "G-AGENDA-FIXED"
    held_ids = list(held_meeting.agenda_items.values_list("pk", flat=True))
    r = client.post(
        f"/api/meetings/{held_meeting.pk}/agenda-order/",
        {"order": held_ids[::-1]},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["code"] == "G-AGENDA-FIXED"
    assert held_meeting.agenda_items.count() == 2


def test_api_edit_measure(client, login, world):
    plan, m = make_plan(world)
    url = f"/api/plan-measures/{m.pk}/"
    login(world.sec_user)
    r = _patch(client, url, {"budget_line": "Line 9", "budget_amount": "10.50", "due_on": None})
    assert r.status_code == 200
    assert (r.json()["budget_line"], r.json()["budget_amount"], r.json()["due_on"]) == (
        "Line 9",
        "10.50",
        None,
    )
    ev = ActionPlanEvent.objects.get(plan=plan, transition="edit_measure")
    assert set(ev.payload["changes"]) == {"budget_line", "budget_amount", "due_on"}
    before = _measure_snapshot(m)
    for who, code in (("member_user", 403), ("observer_user", 403), ("outsider_user", 404)):
        login(getattr(world, who))
        assert _patch(client, url, {"target": "x"}).status_code == code
    login(world.sec_user)
    services.action_plan_adopt(plan=plan, actor=world.sec_user)
    r = _patch(client, url, {"target": "Too late"})
    assert r.status_code == 409
    assert r.json()["code"] == "G-NAP-EDITABLE"
    assert _measure_snapshot(m) == before
    assert _measure_edits(plan) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "  "}, "title"),
        ({"budget_amount": "-1"}, "budget_amount"),
        ({"budget_amount": "1.005"}, "budget_amount"),
        ({"budget_amount": "lots"}, "budget_amount"),
        ({"due_on": "31/12/2030"}, "due_on"),
        ({"budget_line": "x" * 201}, "budget_line"),
        ({"owner": 1}, "owner"),
        ({"plan": 1}, "plan"),
    ],
)
def test_api_bad_measure_input_400_names_field(client, login, world, data, field):
    plan, m = make_plan(world)
    before = _measure_snapshot(m)
    login(world.sec_user)
    r = _patch(client, f"/api/plan-measures/{m.pk}/", data)
    assert r.status_code == 400
    assert field in r.json()["fields"]
    assert _measure_snapshot(m) == before
    assert _measure_edits(plan) == 0


def test_schema_documents_the_edits(client, login, world):
    login(world.sec_user)
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "patch" in paths["/api/meetings/{id}/"]
    assert "patch" in paths["/api/plan-measures/{id}/"]
    assert "delete" in paths["/api/meetings/{id}/agenda-items/{item_pk}/"]
    assert "post" in paths["/api/meetings/{id}/agenda-order/"]
    patch = paths["/api/meetings/{id}/"]["patch"]
    assert {"200", "400", "403", "404", "409"} <= set(patch["responses"])
    assert "G-MEETING-SCHEDULED" in patch["description"]


# --- query counts --------------------------------------------------------------------------------


def test_pages_with_edit_controls_make_fixed_queries(client, login, world):
    """The meeting and plan pages make as many queries with 2 agenda items and measures as with 20
    (each measure's edit and indicator forms included)."""
    m = _scheduled(world, agenda=["Item 0", "Item 1"])
    plan, _first = make_plan(world)
    login(world.sec_user)

    def grow(to):
        for i in range(m.agenda_items.count(), to):
            services.agenda_item_add(meeting=m, title=f"Item {i}", actor=world.sec_user)
        for i in range(plan.measures.count(), to):
            services.plan_measure_add(
                plan=plan,
                framework_row=FrameworkRow.objects.get(code="T5-R1" if i % 2 else "T4-R2"),
                title=f"Measure {i}",
                owner=world.member,
                budget_amount=Decimal(i),
                actor=world.sec_user,
            )

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return len(queries), page

    counts = {}
    for n in (2, 20):
        grow(n)
        counts[n] = (count(f"/work/meetings/{m.pk}/")[0], count(f"/work/plans/{plan.pk}/")[0])
        _n, page = count(f"/work/plans/{plan.pk}/")
        assert page.count("measure-edit/") == n
    assert counts[2] == counts[20]
