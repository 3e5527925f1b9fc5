"""Pages and API: visibility (hidden is 404), observers read only, the secretariat edits, errors
name the field or the guard, list pages make a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coordination.work import services
from coordination.work.models import ActionItem, Meeting

pytestmark = pytest.mark.django_db


def test_meeting_page_visibility(client, login, world, held_meeting):
    url = f"/work/meetings/{held_meeting.pk}/"
    login(world.outsider_user)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/meetings/{held_meeting.pk}/").status_code == 404
    login(world.observer_user)
    resp = client.get(url)
    assert resp.status_code == 200
    assert b"decision-form" not in resp.content  # observers read only
    login(world.sec_user)
    assert b"decision-form" in client.get(url).content


def test_secretariat_records_decision_with_item_on_page(client, login, world, held_meeting):
    login(world.sec_user)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    resp = client.post(
        f"/work/meetings/{held_meeting.pk}/decision/",
        {
            "text": "Adopt the SOP",
            "item_description": "Draft SOP",
            "item_owner": world.member.pk,
            "item_due_on": due,
        },
    )
    assert resp.status_code == 302
    item = ActionItem.objects.get()
    assert item.owner == world.member
    assert item.decision.text == "Adopt the SOP"


def test_page_refusal_is_a_message_and_changes_nothing(client, login, world):
    m = services.meeting_schedule(
        body=world.body, title="M", starts_at=timezone.now(), place="x", actor=world.sec_user
    )
    login(world.sec_user)
    resp = client.post(f"/work/meetings/{m.pk}/hold/", follow=True)
    assert "Record which member organisations attended" in resp.content.decode()
    m.refresh_from_db()
    assert m.state == "scheduled"
    login(world.observer_user)
    resp = client.post(f"/work/meetings/{m.pk}/agenda/", {"title": "x"})
    assert resp.status_code == 403


def test_api_errors_name_guard_and_field(client, login, world, held_meeting):
    login(world.sec_user)
    r = client.post(f"/api/meetings/{held_meeting.pk}/hold/")
    assert r.status_code == 409
    assert r.json()["code"] == "state"
    r = client.post(
        f"/api/meetings/{held_meeting.pk}/decisions/", {"text": ""}, content_type="application/json"
    )
    assert r.status_code == 400
    assert "text" in r.json()["fields"]
    r = client.post(
        "/api/meetings/",
        {
            "body": world.body.pk,
            "title": "API meeting",
            "starts_at": timezone.now().isoformat(),
            "place": "Online",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["state"] == "scheduled"
    login(world.member_user)
    r = client.post(f"/api/meetings/{held_meeting.pk}/approve-minutes/")
    assert r.status_code == 403


def test_api_item_complete_with_file(client, login, world):
    item = services.action_item_create(
        body=world.body,
        owner=world.member,
        description="x",
        due_on=timezone.localdate(),
        actor=world.sec_user,
    )
    login(world.member_user)
    r = client.post(f"/api/action-items/{item.pk}/complete/", {}, content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "G-ACTION-EVIDENCE"
    r = client.post(
        f"/api/action-items/{item.pk}/complete/",
        {"evidence_file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert r.status_code == 400
    assert "evidence_file" in r.json()["fields"]
    r = client.post(
        f"/api/action-items/{item.pk}/complete/",
        {"evidence_file": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 x")},
    )
    assert r.status_code == 200
    assert r.json()["state"] == "done"
    assert r.json()["evidence_file"] is True


def test_schema_lists_work_endpoints(client, login, world):
    login(world.sec_user)
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/meetings/{id}/hold/",
        "/api/action-items/{id}/complete/",
        "/api/action-plans/{id}/adopt/",
        "/api/statistics/",
    ):
        assert path in schema
    assert "G-" in schema or "guard" in schema


def _meetings(world, n):
    for i in range(n):
        Meeting.objects.create(body=world.body, title=f"m{i}", starts_at=timezone.now(), place="x")
        ActionItem.objects.create(
            body=world.body, owner=world.member, description=f"i{i}", due_on=timezone.localdate()
        )


@pytest.mark.parametrize("n", [2, 25])
def test_list_pages_fixed_queries(client, login, world, django_assert_max_num_queries, n):
    _meetings(world, n)
    login(world.member_user)
    with django_assert_max_num_queries(16):  # 15 + the header's unread badge (notifications)
        assert client.get(f"/work/bodies/{world.body.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/work/bodies/{world.body.pk}/board/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/action-items/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/meetings/").status_code == 200


def test_dashboard_panel_shows_owned_items(client, login, world):
    services.action_item_create(
        body=world.body,
        owner=world.member,
        description="Publish the referral directory",
        due_on=timezone.localdate() - timedelta(days=1),
        actor=world.sec_user,
    )
    login(world.member_user)
    body = client.get("/").content.decode()
    assert "Publish the referral directory" in body
    assert "overdue" in body
    login(world.observer_user)
    assert "Publish the referral directory" not in client.get("/").content.decode()
