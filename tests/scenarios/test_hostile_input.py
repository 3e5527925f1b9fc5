"""Oversized, malformed and hostile input, through the API and the pages: every row is refused
as bad input naming the field, and nothing changes (the rows counted before and after are the
same, the object's state is the same). Script in text fields is shown escaped on every page
that shows it.

PostgreSQL is where most of these used to fail (it enforces varchar lengths and refuses NUL in
text); the rows run on SQLite too, where they check the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coordination.models import BodySeat, CoordinationBody, Country, Organisation, Role
from coordination.work.models import ActionItem, AgendaItem, FrameworkRow, Meeting, ProgressReport

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("owned")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;"


@dataclass
class World:
    body: CoordinationBody
    secretariat: Organisation
    member: Organisation
    police: Organisation
    coordinator: Any
    officer: Any
    item: ActionItem
    indicator: Any
    meeting: Meeting


@pytest.fixture
def world(make_org, make_member) -> World:
    from coordination.work import services

    th = Country.objects.get(code="TH")
    body = CoordinationBody.objects.create(
        name="National Anti-Trafficking Committee", kind="national_committee", country=th
    )
    secretariat = make_org(kind="government_ministry", country="TH", name="Ministry of Welfare")
    member = make_org(kind="ngo", country="TH", name="Shelter NGO")
    police = make_org(kind="law_enforcement", country="TH", name="Police", services=[])
    BodySeat.objects.create(body=body, organisation=secretariat, seat="secretariat")
    BodySeat.objects.create(body=body, organisation=member, seat="member")
    coordinator = make_member(secretariat, Role.COORDINATOR, username="coord")
    officer = make_member(police, Role.CASE_OFFICER, username="officer")
    item = services.action_item_create(
        body=body,
        owner=secretariat,
        description="Map the shelters",
        due_on=timezone.localdate() + timedelta(days=10),
        actor=coordinator,
    )
    plan = services.action_plan_create(body=body, title="National plan", actor=coordinator)
    measure = services.plan_measure_add(
        plan=plan,
        framework_row=FrameworkRow.objects.order_by("position").first(),
        title="Train the police",
        owner=secretariat,
        actor=coordinator,
    )
    indicator = services.measure_indicator_add(
        measure=measure,
        name="Officers trained",
        baseline=Decimal(0),
        target_value=Decimal(100),
        actor=coordinator,
    )
    meeting = services.meeting_schedule(
        body=body,
        title="Quarterly meeting",
        starts_at=timezone.now() + timedelta(days=3),
        place="Bangkok",
        agenda=["Opening"],
        actor=coordinator,
    )
    return World(body, secretariat, member, police, coordinator, officer, item, indicator, meeting)


def _snapshot(world: World) -> tuple[Any, ...]:
    from workflows.cases.models import Case

    world.item.refresh_from_db()
    return (
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        ActionItem.objects.count(),
        ProgressReport.objects.count(),
        Case.objects.count(),
        world.item.state,
        bool(world.item.evidence_file),
    )


# --- the API -------------------------------------------------------------------------------------

LONG = "x" * 5000


def _meeting(w: World, **overrides: Any) -> dict[str, Any]:
    return {
        "body": w.body.pk,
        "title": "Extra meeting",
        "starts_at": (timezone.now() + timedelta(days=5)).isoformat(),
        "place": "Phnom Penh",
        "agenda": ["Opening"],
    } | overrides


def _item(w: World, **overrides: Any) -> dict[str, Any]:
    return {
        "body": w.body.pk,
        "owner": w.member.pk,
        "description": "Train the shelter staff",
        "due_on": str(timezone.localdate() + timedelta(days=30)),
    } | overrides


def _case(w: World, **overrides: Any) -> dict[str, Any]:
    return {
        "owner": w.police.pk,
        "gender": "Female",
        "minor_status": "adult",
        "identifying": {"given_names": "Test"},
    } | overrides


def _progress(w: World, **overrides: Any) -> dict[str, Any]:
    return {"value": "10.00", "reported_on": str(timezone.localdate())} | overrides


def _upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# (id, who, url, body builder, format, the field the error must name)
API_ROWS: list[tuple[str, str, Callable[[World], str], Callable[[World], Any], str, str]] = [
    (
        "meeting title too long",
        "coordinator",
        lambda w: "/api/meetings/",
        lambda w: _meeting(w, title="t" * 201),
        "json",
        "title",
    ),
    (
        "meeting place too long",
        "coordinator",
        lambda w: "/api/meetings/",
        lambda w: _meeting(w, place=LONG),
        "json",
        "place",
    ),
    (
        "meeting agenda item too long",
        "coordinator",
        lambda w: "/api/meetings/",
        lambda w: _meeting(w, agenda=["Opening", LONG]),
        "json",
        "agenda",
    ),
    (
        "meeting title with NUL",
        "coordinator",
        lambda w: "/api/meetings/",
        lambda w: _meeting(w, title="Quarterly\x00meeting"),
        "json",
        "title",
    ),
    (
        "meeting agenda with NUL",
        "coordinator",
        lambda w: "/api/meetings/",
        lambda w: _meeting(w, agenda=["a\x00b"]),
        "json",
        "agenda",
    ),
    (
        "meeting date 0000-00-00",
        "coordinator",
        lambda w: "/api/meetings/",
        lambda w: _meeting(w, starts_at="0000-00-00T00:00:00Z"),
        "json",
        "starts_at",
    ),
    (
        "meeting call link not a URL",
        "coordinator",
        lambda w: "/api/meetings/",
        lambda w: _meeting(w, call_link="javascript:alert(1)"),
        "json",
        "call_link",
    ),
    (
        "agenda item title too long",
        "coordinator",
        lambda w: f"/api/meetings/{w.meeting.pk}/agenda-items/",
        lambda w: {"title": LONG},
        "json",
        "title",
    ),
    (
        "action item due 0000-00-00",
        "coordinator",
        lambda w: "/api/action-items/",
        lambda w: _item(w, due_on="0000-00-00"),
        "json",
        "due_on",
    ),
    (
        "action item due in year 99999",
        "coordinator",
        lambda w: "/api/action-items/",
        lambda w: _item(w, due_on="99999-01-01"),
        "json",
        "due_on",
    ),
    (
        "action item description with NUL",
        "coordinator",
        lambda w: "/api/action-items/",
        lambda w: _item(w, description="\x00"),
        "json",
        "description",
    ),
    (
        "evidence of a forbidden type",
        "coordinator",
        lambda w: f"/api/action-items/{w.item.pk}/complete/",
        lambda w: {"evidence_file": _upload("run.exe", b"MZ\x90\x00", "application/octet-stream")},
        "multipart",
        "evidence_file",
    ),
    (
        "evidence whose content is not its type",
        "coordinator",
        lambda w: f"/api/action-items/{w.item.pk}/complete/",
        lambda w: {
            "evidence_file": _upload("minutes.pdf", b"<html>not a pdf</html>", "application/pdf")
        },
        "multipart",
        "evidence_file",
    ),
    (
        "evidence too large",
        "coordinator",
        lambda w: f"/api/action-items/{w.item.pk}/complete/",
        lambda w: {
            "evidence_file": _upload("big.pdf", b"%PDF-1.4\n" + b"0" * 2048, "application/pdf")
        },
        "multipart",
        "evidence_file",
    ),
    (
        "evidence note with NUL",
        "coordinator",
        lambda w: f"/api/action-items/{w.item.pk}/complete/",
        lambda w: {"evidence_link": "https://example.org/report", "note": "a\x00b"},
        "json",
        "note",
    ),
    (
        "progress value out of range",
        "coordinator",
        lambda w: f"/api/measure-indicators/{w.indicator.pk}/progress-reports/",
        lambda w: _progress(w, value="1e20"),
        "json",
        "value",
    ),
    (
        "progress value not a number",
        "coordinator",
        lambda w: f"/api/measure-indicators/{w.indicator.pk}/progress-reports/",
        lambda w: _progress(w, value="NaN"),
        "json",
        "value",
    ),
    (
        "progress dated 0000-00-00",
        "coordinator",
        lambda w: f"/api/measure-indicators/{w.indicator.pk}/progress-reports/",
        lambda w: _progress(w, reported_on="0000-00-00"),
        "json",
        "reported_on",
    ),
    (
        "case name with NUL",
        "officer",
        lambda w: "/api/cases/",
        lambda w: _case(w, identifying={"given_names": "So\x00kha"}),
        "json",
        "identifying",
    ),
    (
        "case language too long",
        "officer",
        lambda w: "/api/cases/",
        lambda w: _case(w, preferred_language="k" * 41),
        "json",
        "preferred_language",
    ),
    (
        "case identified on 0000-00-00",
        "officer",
        lambda w: "/api/cases/",
        lambda w: _case(w, identified_on="0000-00-00"),
        "json",
        "identified_on",
    ),
    (
        "case nationality with NUL",
        "officer",
        lambda w: "/api/cases/",
        lambda w: _case(w, nationality="\x00K"),
        "json",
        "nationality",
    ),
    (
        "case owner id out of range",
        "officer",
        lambda w: "/api/cases/",
        lambda w: _case(w, owner=2**70),
        "json",
        "owner",
    ),
    (
        "case with an unknown indicator",
        "officer",
        lambda w: "/api/cases/",
        lambda w: _case(w, indicators=["NOT-AN-INDICATOR"]),
        "json",
        "indicators",
    ),
    (
        "case with a lone surrogate",
        "officer",
        lambda w: "/api/cases/",
        lambda w: _case(w, identifying={"given_names": "\ud800"}),
        "raw-json",
        "identifying",
    ),
]


def _users(w: World) -> dict[str, Any]:
    return {"coordinator": w.coordinator, "officer": w.officer}


@pytest.mark.parametrize(
    ("who", "url", "payload", "fmt", "field"),
    [pytest.param(*row[1:], id=row[0]) for row in API_ROWS],
)
def test_api_refuses_bad_input_naming_the_field_and_changes_nothing(
    world, client, login, settings, who, url, payload, fmt, field
):
    settings.CONCORD_EVIDENCE_MAX_BYTES = 1024
    login(_users(world)[who])
    before = _snapshot(world)
    data = payload(world)
    if fmt == "json":
        response = client.post(url(world), data, content_type="application/json")
    elif fmt == "raw-json":
        # json.dumps keeps a lone surrogate as the escape \ud800, as a client's encoder would
        response = client.post(url(world), json.dumps(data), content_type="application/json")
    else:
        response = client.post(url(world), data)
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["code"] == "invalid" or body["code"].startswith("evidence_"), body
    assert field in body["fields"], body
    assert _snapshot(world) == before


def test_api_refuses_a_body_that_is_not_utf8(world, client, login):
    login(world.coordinator)
    before = _snapshot(world)
    raw = b'{"body": %d, "title": "Caf\xe9 \xff", "starts_at": "2030-01-01T10:00:00Z"}' % (
        world.body.pk
    )
    response = client.post("/api/meetings/", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert _snapshot(world) == before


def test_api_refuses_nul_in_a_query_parameter_naming_it(world, client, login):
    login(world.coordinator)
    response = client.get("/api/organisations/", {"search": "shel\x00ter"})
    assert response.status_code == 400
    assert "search" in response.json()["fields"]


def test_api_refuses_nul_in_a_path_key(world, client, login):
    login(world.coordinator)
    response = client.get("/api/countries/T%00/")
    assert response.status_code == 400
    assert response.json()["fields"] == {"path": [response.json()["fields"]["path"][0]]}


# --- the pages -----------------------------------------------------------------------------------


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


PAGE_ROWS = [
    (
        "meeting title too long",
        "coordinator",
        lambda w: f"/work/bodies/{w.body.pk}/meetings/new/",
        lambda w: {"title": "t" * 201, "starts_at": "2030-01-01T10:00", "place": "Bangkok"},
        "title",
    ),
    (
        "meeting agenda line too long",
        "coordinator",
        lambda w: f"/work/bodies/{w.body.pk}/meetings/new/",
        lambda w: {
            "title": "Extra",
            "starts_at": "2030-01-01T10:00",
            "place": "Bangkok",
            "agenda": "Opening\n" + LONG,
        },
        "agenda",
    ),
    (
        "meeting title with NUL",
        "coordinator",
        lambda w: f"/work/bodies/{w.body.pk}/meetings/new/",
        lambda w: {"title": "a\x00b", "starts_at": "2030-01-01T10:00", "place": "Bangkok"},
        "title",
    ),
    (
        "meeting dated 0000-00-00",
        "coordinator",
        lambda w: f"/work/bodies/{w.body.pk}/meetings/new/",
        lambda w: {"title": "Extra", "starts_at": "0000-00-00T00:00", "place": "Bangkok"},
        "starts_at",
    ),
    (
        "evidence of a forbidden type",
        "coordinator",
        lambda w: f"/work/items/{w.item.pk}/complete/",
        lambda w: {"evidence_file": _upload("run.exe", b"MZ\x90\x00", "application/octet-stream")},
        "evidence_file",
    ),
    (
        "evidence too large",
        "coordinator",
        lambda w: f"/work/items/{w.item.pk}/complete/",
        lambda w: {
            "evidence_file": _upload("big.pdf", b"%PDF-1.4\n" + b"0" * 2048, "application/pdf")
        },
        "evidence_file",
    ),
    (
        "case name too long",
        "officer",
        lambda w: "/cases/new/",
        lambda w: {
            "owner": w.police.pk,
            "given_names": LONG,
            "gender": "Female",
            "minor_status": "adult",
            "age_band": "unknown",
        },
        "given_names",
    ),
    (
        "case name with NUL",
        "officer",
        lambda w: "/cases/new/",
        lambda w: {
            "owner": w.police.pk,
            "given_names": "So\x00kha",
            "gender": "Female",
            "minor_status": "adult",
            "age_band": "unknown",
        },
        "given_names",
    ),
]


@pytest.mark.parametrize(
    ("who", "url", "payload", "field"), [pytest.param(*row[1:], id=row[0]) for row in PAGE_ROWS]
)
def test_pages_refuse_bad_input_naming_the_field_and_change_nothing(
    world, client, login, settings, who, url, payload, field
):
    settings.CONCORD_EVIDENCE_MAX_BYTES = 1024
    login(_users(world)[who])
    before = _snapshot(world)
    response = client.post(url(world), payload(world))
    if response.status_code == 302:  # an action page: back to the page with the message
        text = _messages(response)
    else:
        assert response.status_code == 400
        text = response.content.decode()
    assert field in text, text[:2000]
    assert _snapshot(world) == before


def test_pages_refuse_nul_in_a_query_string(world, client, login):
    login(world.coordinator)
    response = client.get("/directory/", {"q": "shel\x00ter"})
    assert response.status_code == 400
    assert "q:" in response.content.decode()


# --- script in text fields is shown escaped ------------------------------------------------------


def test_script_in_text_fields_is_escaped_on_every_page_that_shows_it(world, client, login):
    from coordination.work import services as work
    from workflows.cases.services.cases import case_register

    Organisation.objects.filter(pk=world.member.pk).update(name=f"Shelter {SCRIPT}")
    meeting = work.meeting_schedule(
        body=world.body,
        title=f"Meeting {SCRIPT}",
        starts_at=timezone.now() + timedelta(days=2),
        place=SCRIPT,
        agenda=[f"Item {SCRIPT}"],
        actor=world.coordinator,
    )
    item = work.action_item_create(
        body=world.body,
        owner=world.member,
        description=f"Task {SCRIPT}",
        due_on=timezone.localdate() + timedelta(days=3),
        actor=world.coordinator,
    )
    case = case_register(
        owner=world.police,
        actor=world.officer,
        identifying={"given_names": SCRIPT, "family_name": SCRIPT},
        preferred_language=SCRIPT[:40],
    )
    pages = {
        world.coordinator: [
            "/directory/",
            f"/organisations/{world.member.pk}/",
            f"/bodies/{world.body.pk}/",
            f"/work/bodies/{world.body.pk}/",
            f"/work/bodies/{world.body.pk}/board/",
            f"/work/meetings/{meeting.pk}/",
            f"/work/items/{item.pk}/",
        ],
        world.officer: [f"/cases/{case.pk}/"],
    }
    for user, urls in pages.items():
        login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            at = html.find(SCRIPT)
            assert at < 0, (url, html[max(0, at - 600) : at + 200])
            assert "&lt;script&gt;" in html, url


@pytest.mark.parametrize(
    "path",
    [
        "/api/agreements/x1/compliance/",
        "/api/cases/%F3%99%A2%B5dd/consents/withdraw/",
        "/api/meetings/1e3/",
        "/api/referrals/-1/",
    ],
)
def test_api_object_key_that_is_not_a_number_is_a_404(world, client, login, path):
    login(world.officer)
    before = _snapshot(world)
    response = client.post(path, {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert _snapshot(world) == before


# --- form posts that are not UTF-8 ---------------------------------------------------------------
# Django decodes form posts with errors="replace": without the checks in concord.validation these
# would be stored as "Caf\ufffd". A JSON body that is not UTF-8 is a parse error (above).

BOUNDARY = "concord-hostile-boundary"


def _multipart(fields: list[tuple[bytes, bytes]], files: list[tuple[bytes, bytes, bytes]]) -> bytes:
    """A multipart body built by hand, so that its bytes can be anything a client sends."""
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (BOUNDARY.encode(), name, value)
        for name, value in fields
    ]
    parts += [
        b'--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%s\r\n" % (BOUNDARY.encode(), name, filename, data)
        for name, filename, data in files
    ]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


def _post_raw(client: Any, url: str, body: bytes, fmt: str) -> Any:
    if fmt == "urlencoded":
        return client.post(url, body, content_type="application/x-www-form-urlencoded")
    return client.post(url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


PDF = b"%PDF-1.4\nminutes\n"

# (id, who, url, format, body, the field the error must name)
RawRow = tuple[str, str, Callable[[World], str], str, Callable[[World], bytes], str]
NOT_UTF8_PAGE_ROWS: list[RawRow] = [
    (
        "meeting title percent-encoded latin-1",
        "coordinator",
        lambda w: f"/work/bodies/{w.body.pk}/meetings/new/",
        "urlencoded",
        lambda w: b"title=Caf%E9&starts_at=2030-01-01T10%3A00&place=Bangkok",
        "title",
    ),
    (
        "meeting place as raw latin-1 bytes",
        "coordinator",
        lambda w: f"/work/bodies/{w.body.pk}/meetings/new/",
        "urlencoded",
        lambda w: b"title=Extra&starts_at=2030-01-01T10%3A00&place=Caf\xe9",
        "place",
    ),
    (
        "meeting agenda with an encoded surrogate",
        "coordinator",
        lambda w: f"/work/bodies/{w.body.pk}/meetings/new/",
        "urlencoded",
        lambda w: b"title=Extra&starts_at=2030-01-01T10%3A00&place=Bangkok&agenda=%ED%A0%80",
        "agenda",
    ),
    (
        "case name in a multipart form",
        "officer",
        lambda w: "/cases/new/",
        "multipart",
        lambda w: _multipart(
            [
                (b"owner", str(w.police.pk).encode()),
                (b"given_names", b"So\xffkha"),
                (b"gender", b"Female"),
                (b"minor_status", b"adult"),
                (b"age_band", b"unknown"),
            ],
            [],
        ),
        "given_names",
    ),
    (
        "evidence note beside a file",
        "coordinator",
        lambda w: f"/work/items/{w.item.pk}/complete/",
        "multipart",
        lambda w: _multipart([(b"note", b"Caf\xe9")], [(b"evidence_file", b"minutes.pdf", PDF)]),
        "note",
    ),
]


@pytest.mark.parametrize(
    ("who", "url", "fmt", "body", "field"),
    [pytest.param(*row[1:], id=row[0]) for row in NOT_UTF8_PAGE_ROWS],
)
def test_pages_refuse_form_fields_that_are_not_utf8_naming_them(
    world, client, login, who, url, fmt, body, field
):
    login(_users(world)[who])
    before = _snapshot(world)
    response = _post_raw(client, url(world), body(world), fmt)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"{field}: This is not valid UTF-8 text." in text, text[:2000]
    assert "\ufffd" not in text
    assert _snapshot(world) == before


NOT_UTF8_API_ROWS: list[RawRow] = [
    (
        "meeting title percent-encoded latin-1",
        "coordinator",
        lambda w: "/api/meetings/",
        "urlencoded",
        lambda w: b"body=%d&title=Caf%%E9&starts_at=2030-01-01T10%%3A00Z&place=Bangkok" % w.body.pk,
        "title",
    ),
    (
        "evidence note in a multipart form",
        "coordinator",
        lambda w: f"/api/action-items/{w.item.pk}/complete/",
        "multipart",
        lambda w: _multipart(
            [(b"evidence_link", b"https://example.org/report"), (b"note", b"Caf\xe9")], []
        ),
        "note",
    ),
    (
        "agenda item title as raw latin-1 bytes",
        "coordinator",
        lambda w: f"/api/meetings/{w.meeting.pk}/agenda-items/",
        "urlencoded",
        lambda w: b"title=Caf\xe9",
        "title",
    ),
]


@pytest.mark.parametrize(
    ("who", "url", "fmt", "body", "field"),
    [pytest.param(*row[1:], id=row[0]) for row in NOT_UTF8_API_ROWS],
)
def test_api_refuses_form_fields_that_are_not_utf8_naming_them(
    world, client, login, who, url, fmt, body, field
):
    login(_users(world)[who])
    before = _snapshot(world)
    response = _post_raw(client, url(world), body(world), fmt)
    assert response.status_code == 400, response.content[:500]
    assert response.json()["fields"] == {field: ["This is not valid UTF-8 text."]}
    assert _snapshot(world) == before


def test_form_posts_in_utf8_keep_every_character_a_replacement_character_included(
    world, client, login
):
    login(world.coordinator)
    title = "Café \ufffd ខ្មែរ"
    body = (
        b"title=Caf%C3%A9+%EF%BF%BD+"
        + "ខ្មែរ".encode()
        + b"&starts_at=2030-01-01T10%3A00&place=Bangkok"
    )
    response = _post_raw(client, f"/work/bodies/{world.body.pk}/meetings/new/", body, "urlencoded")
    assert response.status_code == 302, response.content[:2000]
    assert Meeting.objects.filter(title=title).exists()
    multipart = _multipart(
        [
            (b"body", str(world.body.pk).encode()),
            (b"title", "Réunion".encode()),
            (b"starts_at", b"2030-02-01T10:00:00Z"),
            (b"place", b"Phnom Penh"),
        ],
        [],
    )
    response = _post_raw(client, "/api/meetings/", multipart, "multipart")
    assert response.status_code == 201, response.content[:500]
    assert Meeting.objects.filter(title="Réunion").exists()
