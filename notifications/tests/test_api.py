"""The notifications API: one's own notices, preferences, webhooks by role."""

from __future__ import annotations

import pytest

from coordination.models import Role
from notifications.models import (
    DeliveryStatus,
    EmailMode,
    Kind,
    Notification,
    Preference,
    WebhookSubscription,
)
from notifications.tests.helpers import make_notice, make_subscription, make_webhook_delivery

pytestmark = pytest.mark.django_db

API = "/api/notifications/"


@pytest.fixture
def org(make_org):
    return make_org(kind="ngo", country="TH", name="Shelter TH")


@pytest.fixture
def user(org, make_member):
    return make_member(org, Role.CASE_OFFICER)


@pytest.fixture
def other(org, make_member):
    return make_member(org, Role.CASE_OFFICER)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    if code:
        assert body["code"] == code
    return body


def test_list_is_ones_own_newest_first(client, login, user, other):
    first, second = make_notice(user), make_notice(user, read=True)
    make_notice(other)
    login(user)
    body = client.get(API).json()
    assert [n["id"] for n in body["results"]] == [second.pk, first.pk]
    assert body["results"][0]["read"] is True
    assert body["results"][1]["read"] is False
    assert {"title", "reference", "url", "kind", "state", "created_at"} <= set(body["results"][0])


def test_filter_unread_and_cursor_since(client, login, user):
    a, b, c = make_notice(user), make_notice(user, read=True), make_notice(user)
    login(user)
    assert [n["id"] for n in client.get(API + "?unread=true").json()["results"]] == [c.pk, a.pk]
    assert [n["id"] for n in client.get(API + "?unread=false").json()["results"]] == [b.pk]
    assert [n["id"] for n in client.get(f"{API}?since={a.pk}").json()["results"]] == [b.pk, c.pk]


@pytest.mark.parametrize("query", ["unread=maybe", "since=abc", "since=-1"])
def test_bad_filters_are_400_with_the_field(client, login, user, query):
    login(user)
    body = assert_error(client.get(f"{API}?{query}"), 400, "invalid")
    assert set(body["fields"]) <= {"unread", "since"}
    assert body["fields"]


def test_retrieve_and_read_others_notice_is_404(client, login, user, other):
    theirs = make_notice(other)
    login(user)
    assert_error(client.get(f"{API}{theirs.pk}/"), 404)
    assert_error(client.post(f"{API}{theirs.pk}/read/"), 404)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_and_read_all_and_unread_count(client, login, user, other):
    notices = [make_notice(user) for _ in range(3)]
    make_notice(other)
    login(user)
    assert client.get(API + "unread-count/").json() == {"unread": 3}
    body = client.post(f"{API}{notices[0].pk}/read/").json()
    assert body["read"] is True
    assert body["id"] == notices[0].pk
    assert client.get(API + "unread-count/").json() == {"unread": 2}
    assert client.post(API + "read-all/").json() == {"marked": 2}
    assert client.get(API + "unread-count/").json() == {"unread": 0}
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_list_query_count_is_fixed(client, login, user, django_assert_max_num_queries):
    login(user)
    make_notice(user)
    client.get(API)
    with django_assert_max_num_queries(10) as few:
        client.get(API)
    for _ in range(80):
        make_notice(user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(API).json()["results"]) == 50


def test_preferences_get_and_put(client, login, user):
    login(user)
    body = client.get(API + "preferences/").json()
    assert set(body) == set(Kind.values)
    assert body[Kind.REFERRAL_SUBMITTED] == EmailMode.IMMEDIATE  # urgent kinds default to e-mail
    response = client.put(
        API + "preferences/",
        {Kind.AGREEMENT_SIGNED: "digest", Kind.REFERRAL_SUBMITTED: "off"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()[Kind.AGREEMENT_SIGNED] == "digest"
    assert response.json()[Kind.REFERRAL_SUBMITTED] == "off"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"no_such_kind": "off"}, "no_such_kind"),
        ({Kind.AGREEMENT_SIGNED: "daily", Kind.REFERRAL_SUBMITTED: "off"}, Kind.AGREEMENT_SIGNED),
        (["off"], "non_field_errors"),
        ({Kind.AGREEMENT_SIGNED: 3}, "non_field_errors"),
    ],
)
def test_invalid_preferences_change_nothing(client, login, user, payload, field):
    login(user)
    response = client.put(API + "preferences/", payload, content_type="application/json")
    body = assert_error(response, 400)
    assert field in body["fields"]
    assert not Preference.objects.filter(user=user).exists()


def test_api_needs_authentication(client):
    assert_error(client.get(API), 401)


# --- webhooks ----------------------------------------------------------------------------------

HOOKS = API + "webhooks/"


@pytest.fixture
def admin(org, make_member):
    return make_member(org, Role.ORG_ADMIN)


def test_create_returns_the_secret_once(client, login, admin, org):
    login(admin)
    response = client.post(
        HOOKS,
        {
            "organisation": org.pk,
            "name": "Case system",
            "url": "https://hooks.example.org/c",
            "kinds": [Kind.REFERRAL_SUBMITTED],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    subscription = WebhookSubscription.objects.get()
    assert response.json()["secret"] == subscription.secret
    assert "secret" not in client.get(f"{HOOKS}{subscription.pk}/").json()
    assert "secret" not in client.get(HOOKS).json()["results"][0]
    rotated = client.post(f"{HOOKS}{subscription.pk}/rotate-secret/").json()["secret"]
    subscription.refresh_from_db()
    assert rotated == subscription.secret != response.json()["secret"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "http://hooks.example.org/"}, "url"),
        ({"url": "nope"}, "url"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["nope"]}, "kinds"),
        ({"name": ""}, "name"),
        ({"organisation": 999999}, "organisation"),
    ],
)
def test_create_invalid_is_400_naming_the_field(client, login, admin, org, change, field):
    login(admin)
    data = {
        "organisation": org.pk,
        "name": "Case system",
        "url": "https://hooks.example.org/c",
        "kinds": [Kind.REFERRAL_SUBMITTED],
        **change,
    }
    body = assert_error(client.post(HOOKS, data, content_type="application/json"), 400)
    assert field in body["fields"]
    assert not WebhookSubscription.objects.exists()


def test_create_for_another_organisation_is_refused(client, login, admin, make_org):
    login(admin)
    data = {
        "organisation": make_org(name="Elsewhere").pk,
        "name": "x",
        "url": "https://hooks.example.org/c",
        "kinds": [Kind.REFERRAL_SUBMITTED],
    }
    body = assert_error(client.post(HOOKS, data, content_type="application/json"), 400)
    assert "organisation" in body["fields"]


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.SUPERVISOR, Role.AUDITOR])
def test_other_roles_see_no_subscriptions_and_get_404(client, login, org, make_member, role):
    subscription = make_subscription(org)
    login(make_member(org, role))
    assert client.get(HOOKS).json()["results"] == []
    for method, suffix in [
        ("get", ""),
        ("get", "deliveries/"),
        ("delete", ""),
        ("post", "rotate-secret/"),
    ]:
        assert_error(getattr(client, method)(f"{HOOKS}{subscription.pk}/{suffix}"), 404)
    assert_error(
        client.patch(
            f"{HOOKS}{subscription.pk}/", {"is_active": False}, content_type="application/json"
        ),
        404,
    )
    subscription.refresh_from_db()
    assert subscription.is_active


def test_pause_update_and_delete(client, login, admin, org):
    subscription = make_subscription(org)
    login(admin)
    url = f"{HOOKS}{subscription.pk}/"
    body = client.patch(
        url, {"is_active": False, "kinds": [Kind.AGREEMENT_SIGNED]}, content_type="application/json"
    ).json()
    assert body["is_active"] is False
    assert body["kinds"] == [Kind.AGREEMENT_SIGNED]
    assert_error(
        client.patch(url, {"url": "http://insecure.example/"}, content_type="application/json"),
        400,
    )
    assert client.delete(url).status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_deliveries_show_failures(client, login, admin, org):
    subscription = make_subscription(org)
    make_webhook_delivery(
        subscription,
        status=DeliveryStatus.FAILED,
        attempts=10,
        last_status_code=500,
        last_error="HTTP 500",
    )
    make_webhook_delivery(
        subscription, status=DeliveryStatus.DELIVERED, attempts=1, last_status_code=204
    )
    login(admin)
    rows = client.get(f"{HOOKS}{subscription.pk}/deliveries/").json()["results"]
    assert [r["status"] for r in rows] == ["delivered", "failed"]
    assert rows[1]["last_status_code"] == 500
    assert rows[1]["last_error"] == "HTTP 500"
    assert rows[1]["attempts"] == 10
