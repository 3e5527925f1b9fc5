"""Referrals through the API and the pages: representations, actions, errors, and who sees what."""

from __future__ import annotations

import logging

import pytest

from workflows.cases.tests.factories import make_consent
from workflows.referrals.models import Referral
from workflows.referrals.tests.factories import submit_referral

pytestmark = pytest.mark.django_db

MARKERS = {
    "given_names": "Zzmarkergiven",
    "family_name": "Zzmarkerfamily",
    "date_of_birth": "1999-09-09",
}


@pytest.fixture
def world(make_org, make_member, make_case):
    sender = make_org(kind="labour_inspectorate", country="TH")
    receiver = make_org(kind="ngo", country="TH", services=["shelter", "medical"])
    unrelated = make_org(kind="ngo", country="TH")
    case = make_case(sender, country="TH", nationality="TH", identifying=MARKERS)
    make_consent(case, organisations=[receiver])
    users = {}
    for side, org in (("sender", sender), ("receiver", receiver), ("unrelated", unrelated)):
        for role in (
            "case_officer",
            "supervisor",
            "coordinator",
            "ministry_official",
            "auditor",
            "organisation_admin",
        ):
            users[(side, role)] = make_member(org, role)
    return {"sender": sender, "receiver": receiver, "case": case, "users": users}


def _submitted(world):
    return submit_referral(
        case=world["case"],
        receiver=world["receiver"],
        actor=world["users"][("sender", "case_officer")],
        urgency="emergency",
    )


def test_create_and_submit_through_the_api(world, login):
    client = login(world["users"][("sender", "case_officer")])
    response = client.post(
        "/api/referrals/",
        {
            "case": world["case"].pk,
            "receiver": world["receiver"].pk,
            "services": ["shelter"],
            "urgency": "urgent",
            "submit": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "submitted"
    assert body["case"]["reference"] == world["case"].reference
    assert "Zzmarker" not in response.content.decode()


def test_bad_input_names_the_field_and_changes_nothing(world, login):
    client = login(world["users"][("sender", "case_officer")])
    response = client.post(
        "/api/referrals/",
        {"case": world["case"].pk, "receiver": world["receiver"].pk, "urgency": "soon"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "urgency" in response.json()["fields"]
    response = client.post(
        "/api/referrals/",
        {"case": world["case"].pk, "receiver": 999999},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "receiver" in response.json()["fields"]
    assert not Referral.objects.exists()


def test_guard_refusal_is_a_409_naming_the_guard(world, login, make_org):
    client = login(world["users"][("sender", "case_officer")])
    other = make_org(kind="health", country="TH")
    response = client.post(
        "/api/referrals/",
        {"case": world["case"].pk, "receiver": other.pk, "submit": True},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "consent_missing"
    assert "Zzmarker" not in response.content.decode()
    # created and submitted together or not at all: the refusal leaves no draft behind
    assert not Referral.objects.exists()


def test_receiver_answers_through_actions(world, login):
    r = _submitted(world)
    client = login(world["users"][("receiver", "case_officer")])
    inbox = client.get("/api/referrals/?box=inbox&urgency=emergency").json()
    assert [row["id"] for row in inbox["results"]] == [r.pk]
    assert (
        client.post(
            f"/api/referrals/{r.pk}/decline/", {"reason": "nope"}, content_type="application/json"
        ).status_code
        == 400
    )
    response = client.post(f"/api/referrals/{r.pk}/accept/")
    assert response.status_code == 200
    assert response.json()["state"] == "accepted"
    again = client.post(f"/api/referrals/{r.pk}/accept/")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"
    details = client.get(f"/api/cases/{world['case'].pk}/details/")
    assert details.status_code == 200
    assert "Zzmarkergiven" in details.content.decode()
    events = client.get(f"/api/referrals/{r.pk}/events/").json()
    assert [e["transition"] for e in events] == ["create", "submit", "accept"]


def test_accept_answers_from_the_locked_row_in_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    r = _submitted(world)
    client = login(world["users"][("receiver", "case_officer")])
    # sign-in (session, user, second-factor device), the user's memberships once for the whole
    # request, the visible referral's key; in the transaction (a savepoint under the test's own):
    # lock, UPDATE, consent, event row, inbox/outbox rows, grant, the notices' recipients,
    # notices, their outbox rows, webhook subscriptions; then the services for the response.
    with django_assert_max_num_queries(18) as captured:
        response = client.post(f"/api/referrals/{r.pk}/accept/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "accepted"
    assert body["answered_at"] is not None
    assert body["services"] == ["shelter"]
    assert body["case"]["reference"] == world["case"].reference
    assert body["case"]["owner"]["id"] == world["sender"].pk
    assert "Zzmarker" not in response.content.decode()
    (update,) = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "referrals_referral" ')]
    assert update.split(" WHERE ")[0].count("=") == 2  # state and answered_at, not every column
    memberships = [q for q in captured if 'FROM "coordination_membership"' in q["sql"]]
    assert len(memberships) == 2  # the actor's, once; the notices' recipients
    # what the response said is what was committed, and the grant it relied on is there
    assert client.get(f"/api/referrals/{r.pk}/").json() == body
    assert client.get(f"/api/cases/{world['case'].pk}/details/").status_code == 200


def test_invalid_filter_is_a_400(world, login):
    client = login(world["users"][("receiver", "case_officer")])
    response = client.get("/api/referrals/?box=elsewhere")
    assert response.status_code == 400
    assert "box" in response.json()["fields"]


ROLES = (
    "case_officer",
    "supervisor",
    "coordinator",
    "ministry_official",
    "auditor",
    "organisation_admin",
)


@pytest.mark.parametrize("side", ["sender", "receiver", "unrelated"])
@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix(world, login, side, role, caplog):
    """Every referral endpoint and page x role x (sending, receiving, unrelated organisation):
    the exact status, and no identifying field anywhere but the case details."""
    caplog.set_level(logging.DEBUG)
    r = _submitted(world)
    client = login(world["users"][(side, role)])
    worker = role in ("case_officer", "supervisor")
    sees = side in ("sender", "receiver")
    pages = {
        f"/api/referrals/{r.pk}/": 200 if sees else 404,
        f"/api/referrals/{r.pk}/events/": 200 if sees else 404,
        f"/referrals/{r.pk}/": 200 if sees else 404,
        "/referrals/": 200,
        "/referrals/outbox/": 200,
        "/api/referrals/": 200,
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == expected, (url, response.status_code)
        assert "Zzmarker" not in response.content.decode(), url
    listed = [row["id"] for row in client.get("/api/referrals/?box=inbox").json()["results"]]
    assert listed == ([r.pk] if side == "receiver" else [])
    # acting: only the receiving organisation's case workers accept; others 403, strangers 404
    response = client.post(f"/api/referrals/{r.pk}/accept/")
    expected = 200 if (side == "receiver" and worker) else (403 if sees else 404)
    assert response.status_code == expected, response.content
    assert "Zzmarker" not in response.content.decode()
    assert "Zzmarker" not in caplog.text  # nor in any log line


def test_inbox_api_query_count_is_fixed(world, login, django_assert_max_num_queries):
    client = login(world["users"][("receiver", "case_officer")])
    for n in (1, 8):
        while Referral.objects.count() < n:
            _submitted(world)
        # 4 for the list itself (organisations, count, rows, services) + 4 of sign-in overhead
        # (session, user, device, second-factor policy); the same bound at 1 and 8 referrals
        with django_assert_max_num_queries(8):
            assert len(client.get("/api/referrals/").json()["results"]) == n


def test_inbox_counts_stop_a_fixed_number_of_rows_past_the_page(
    world, login, settings, django_assert_max_num_queries
):
    """The inbox's count looks at most CONCORD_LIST_COUNT_CAP rows past the page asked for
    (1,000 in production, 3 here): beyond, the list says "3+" and Next still leads on."""
    settings.CONCORD_LIST_COUNT_CAP = 3
    for _ in range(8):
        _submitted(world)
    client = login(world["users"][("receiver", "case_officer")])
    seen = []
    expected = [(3, True), (5, True), (7, True), (8, False)]  # (count, capped) on pages 1 to 4
    url = "/api/referrals/?page_size=2"
    for count, capped in expected:
        with django_assert_max_num_queries(8):
            body = client.get(url).json()
        assert (body["count"], body["count_capped"]) == (count, capped)
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert url is None
    assert sorted(seen) == sorted(Referral.objects.values_list("pk", flat=True))
    assert len(seen) == 8
    # Past the end: the last page there is, as everywhere in the API.
    assert client.get("/api/referrals/?page_size=2&page=9").status_code == 404

    # A page holds 50: it is counted whole whatever the cap.
    assert "8 referrals" in client.get("/referrals/").content.decode()


def test_inbox_page_query_count_is_fixed(world, login, django_assert_max_num_queries):
    client = login(world["users"][("receiver", "case_officer")])
    for n in (1, 8):
        while Referral.objects.count() < n:
            _submitted(world)
        # 3 for the list (organisations, capped count, rows), 5 for the page's frame (session,
        # user, device, second-factor policy, the unread badge); the same bound at 1 and 8
        with django_assert_max_num_queries(8):
            page = client.get("/referrals/").content.decode()
        assert page.count('<td data-label="Referral">') == n


def test_inbox_page_shows_a_capped_count_and_pages_on(world, login, settings):
    settings.CONCORD_LIST_COUNT_CAP = 60
    for _ in range(51):
        _submitted(world)
    client = login(world["users"][("receiver", "case_officer")])
    first = client.get("/referrals/").content.decode()
    assert "51 referrals" in first
    assert "Page 1 of 2<" in first
    settings.CONCORD_LIST_COUNT_CAP = 10  # below the page size: the page itself is counted
    first = client.get("/referrals/").content.decode()
    assert "50+ referrals" in first
    assert "Page 1 of 2+" in first
    assert "?page=2&state=" in first  # Next: there are more rows than counted
    second = client.get("/referrals/?page=2").content.decode()
    assert "51 referrals" in second  # counted from row 51 on: exact again
    assert "Page 2 of 2<" in second
    assert second.count('<td data-label="Referral">') == 1  # the 51st


def test_pages_refer_then_accept_and_messages_on_refusal(world, login, make_org):
    sender_client = login(world["users"][("sender", "case_officer")])
    page = sender_client.get(f"/cases/{world['case'].pk}/")
    assert "Refer to another organisation" in page.content.decode()
    form = sender_client.get(f"/cases/{world['case'].pk}/refer/")
    assert form.status_code == 200
    response = sender_client.post(
        f"/cases/{world['case'].pk}/refer/",
        {
            "receiver": world["receiver"].pk,
            "services": ["shelter"],
            "urgency": "urgent",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    r = Referral.objects.get()
    assert r.state == "submitted"
    bad = sender_client.post(f"/cases/{world['case'].pk}/refer/", {"receiver": "abc"})
    assert bad.status_code == 400
    receiver_client = login(
        world["users"][("receiver", "case_officer")], c=__import__("django.test").test.Client()
    )
    assert r.reference in receiver_client.get("/referrals/").content.decode()
    response = receiver_client.post(
        f"/referrals/{r.pk}/act/decline/",
        {"reason": "other", "text": ""},
        HTTP_REFERER=f"/referrals/{r.pk}/",
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == "submitted"  # refused: "other" needs an explanation, shown as a message
    receiver_client.post(f"/referrals/{r.pk}/act/accept/")
    r.refresh_from_db()
    assert r.state == "accepted"
    assert receiver_client.post(f"/referrals/{r.pk}/act/fly/").status_code == 404
