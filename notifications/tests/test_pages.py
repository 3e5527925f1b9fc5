"""The notification pages: the centre, preferences, webhooks, the header badge."""

from __future__ import annotations

import pytest
from django.urls import reverse

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

CENTRE = "/notifications/"


@pytest.fixture
def org(make_org):
    return make_org(kind="ngo", country="TH", name="Shelter TH", services=["shelter"])


@pytest.fixture
def user(org, make_member):
    return make_member(org, Role.CASE_OFFICER)


@pytest.fixture
def other(org, make_member):
    return make_member(org, Role.CASE_OFFICER)


# --- the centre --------------------------------------------------------------------------------


def test_centre_lists_unread_by_default_and_all_on_the_all_tab(client, login, user, other):
    unread = make_notice(user, title="Referral R-1 received")
    read = make_notice(user, title="Referral R-2 accepted", read=True)
    make_notice(other, title="Someone else's notice")
    login(user)

    page = client.get(CENTRE).content.decode()
    assert unread.title in page
    assert unread.reference in page
    assert unread.url in page
    assert read.title not in page
    assert "Someone else" not in page
    assert "Mark all read" in page

    page = client.get(CENTRE + "?tab=all").content.decode()
    assert unread.title in page
    assert read.title in page
    assert "Someone else" not in page


def test_mark_read_marks_only_that_notice_and_returns_to_the_centre(client, login, user):
    first, second = make_notice(user), make_notice(user)
    login(user)
    response = client.post(reverse("notifications:mark-read", args=[first.pk]), {"next": CENTRE})
    assert response.status_code == 302
    assert response["Location"] == CENTRE
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_another_users_notice_is_a_404_and_stays_unread(client, login, user, other):
    theirs = make_notice(other)
    login(user)
    response = client.post(reverse("notifications:mark-read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_post_and_csrf(user):
    from django.test import Client

    from coordination.tests.factories import login_verified

    notice = make_notice(user)
    strict = Client(enforce_csrf_checks=True)
    login_verified(strict, user)
    url = reverse("notifications:mark-read", args=[notice.pk])
    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_marks_only_ones_own(client, login, user, other):
    mine = [make_notice(user) for _ in range(3)]
    theirs = make_notice(other)
    login(user)
    response = client.post(reverse("notifications:mark-all-read"), follow=True)
    assert "3 notifications marked read." in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "Nothing unread" in client.get(CENTRE).content.decode()


def test_an_unsafe_next_is_ignored(client, login, user):
    notice = make_notice(user)
    login(user)
    response = client.post(
        reverse("notifications:mark-read", args=[notice.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == CENTRE


@pytest.mark.parametrize("tab", ["unread", "all"])
def test_centre_query_count_does_not_grow_with_the_number_of_notices(
    client, login, user, tab, django_assert_max_num_queries
):
    login(user)
    make_notice(user)
    client.get(f"{CENTRE}?tab={tab}")  # warm up (session, content types)
    with django_assert_max_num_queries(12) as few:
        client.get(f"{CENTRE}?tab={tab}")
    for _ in range(60):
        make_notice(user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"{CENTRE}?tab={tab}&page=2")
    assert response.status_code == 200
    assert "2 / 3" in response.content.decode()


def test_centre_needs_sign_in(client):
    response = client.get(CENTRE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- the header badge ----------------------------------------------------------------------------


def test_header_badge_shows_the_unread_count_and_links_to_the_centre(client, login, user, other):
    make_notice(user)
    make_notice(user)
    make_notice(user, read=True)
    make_notice(other)
    login(user)
    page = client.get("/").content.decode()
    assert 'id="notif-badge" data-count="2"' in page
    assert f'href="{CENTRE}" class="notif-link"' in page
    assert "notifications/live.js" in page


def test_header_badge_costs_one_query(client, login, user):
    login(user)
    client.get(reverse("notifications:preferences"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("notifications:preferences"))
    badge = [
        q for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "notification" in q["sql"]
    ]
    assert len(badge) == 1


def test_signed_out_pages_have_no_badge_and_no_live_script(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'id="notif-badge"' not in page
    assert "live.js" not in page


# --- preferences -------------------------------------------------------------------------------


def test_preferences_list_every_kind_and_say_in_app_is_always_on(client, login, user):
    login(user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    for kind in Kind:
        assert f'name="{kind.value}"' in page
    assert "cannot be turned off" in page


def test_preferences_save(client, login, user):
    login(user)
    response = client.post(
        reverse("notifications:preferences"),
        {Kind.AGREEMENT_SIGNED: EmailMode.DIGEST, Kind.REFERRAL_SUBMITTED: EmailMode.OFF},
    )
    assert response.status_code == 302
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "email"))
    assert chosen == {Kind.AGREEMENT_SIGNED: EmailMode.DIGEST, Kind.REFERRAL_SUBMITTED: "off"}


def test_invalid_preferences_name_the_field_and_change_nothing(client, login, user):
    Preference.objects.create(user=user, kind=Kind.AGREEMENT_SIGNED, email=EmailMode.DIGEST)
    login(user)
    response = client.post(
        reverse("notifications:preferences"),
        {Kind.AGREEMENT_SIGNED: EmailMode.OFF, Kind.REFERRAL_ACCEPTED: "carrier-pigeon"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Referral accepted" in page
    assert 'aria-invalid="true"' in page
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "email"))
    assert chosen == {Kind.AGREEMENT_SIGNED: EmailMode.DIGEST}


# --- webhooks ------------------------------------------------------------------------------------


@pytest.fixture
def admin(org, make_member):
    return make_member(org, Role.ORG_ADMIN)


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.COORDINATOR])
def test_admins_and_coordinators_see_their_organisations_webhooks(
    client, login, org, make_org, make_member, role
):
    mine = make_subscription(org, name="Our case system")
    make_subscription(make_org(name="Elsewhere"), name="Their system")
    login(make_member(org, role))
    page = client.get(reverse("notifications:webhooks")).content.decode()
    assert "Our case system" in page
    assert "Their system" not in page
    assert client.get(reverse("notifications:webhook-detail", args=[mine.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.SUPERVISOR, Role.AUDITOR])
def test_other_roles_get_404_on_webhook_pages(client, login, org, make_member, role):
    subscription = make_subscription(org)
    login(make_member(org, role))
    assert client.get(reverse("notifications:webhooks")).status_code == 404
    url = reverse("notifications:webhook-detail", args=[subscription.pk])
    assert client.get(url).status_code == 404
    action = reverse("notifications:webhook-action", args=[subscription.pk, "delete"])
    assert client.post(action).status_code == 404
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_another_organisations_subscription_is_a_404(client, login, admin, make_org):
    theirs = make_subscription(make_org(name="Elsewhere"))
    login(admin)
    assert client.get(reverse("notifications:webhook-detail", args=[theirs.pk])).status_code == 404
    action = reverse("notifications:webhook-action", args=[theirs.pk, "rotate"])
    assert client.post(action).status_code == 404


def test_creating_shows_the_secret_once_and_explains_the_signature(client, login, admin, org):
    login(admin)
    response = client.post(
        reverse("notifications:webhooks"),
        {
            "organisation": org.pk,
            "name": "Case system",
            "url": "https://hooks.example.org/concord",
            "kinds": [Kind.REFERRAL_SUBMITTED, Kind.REFERRAL_ACCEPTED],
        },
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get(organisation=org)
    assert subscription.kinds == sorted([Kind.REFERRAL_SUBMITTED, Kind.REFERRAL_ACCEPTED])
    page = response.content.decode()
    assert subscription.secret in page
    assert "shown only this once" in page
    assert "X-Concord-Signature" in page
    assert "no-store" in response["Cache-Control"]

    later = client.get(reverse("notifications:webhook-detail", args=[subscription.pk]))
    assert subscription.secret not in later.content.decode()
    assert subscription.secret not in client.get(reverse("notifications:webhooks")).content.decode()


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("url", {"url": "http://hooks.example.org/"}),
        ("url", {"url": "not a url"}),
        ("name", {"name": ""}),
        ("kinds", {"kinds": []}),
        ("kinds", {"kinds": ["no_such_kind"]}),
    ],
)
def test_invalid_subscriptions_are_refused_with_the_field_named(
    client, login, admin, org, field, data
):
    login(admin)
    form = {
        "organisation": org.pk,
        "name": "Case system",
        "url": "https://hooks.example.org/",
        "kinds": [Kind.REFERRAL_SUBMITTED],
        **data,
    }
    response = client.post(reverse("notifications:webhooks"), form)
    assert response.status_code == 400
    assert f"{field}:" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_cannot_create_for_an_organisation_one_does_not_administer(client, login, admin, make_org):
    elsewhere = make_org(name="Elsewhere")
    login(admin)
    response = client.post(
        reverse("notifications:webhooks"),
        {
            "organisation": elsewhere.pk,
            "name": "X",
            "url": "https://hooks.example.org/",
            "kinds": [Kind.REFERRAL_SUBMITTED],
        },
    )
    assert response.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_detail_shows_failures(client, login, admin, org):
    subscription = make_subscription(org)
    make_webhook_delivery(
        subscription, status=DeliveryStatus.DELIVERED, attempts=1, last_status_code=200
    )
    make_webhook_delivery(
        subscription,
        status=DeliveryStatus.FAILED,
        attempts=10,
        last_status_code=503,
        last_error="HTTP 503",
    )
    make_webhook_delivery(
        subscription, attempts=2, last_error="URLError: <urlopen error timed out>"
    )
    login(admin)
    page = client.get(reverse("notifications:webhook-detail", args=[subscription.pk])).content
    page = page.decode()
    assert 'id="webhook-failed"' in page
    assert "1 failed" in page
    assert "HTTP 503" in page
    assert "503" in page
    assert "timed out" in page
    assert "Failed (gave up)" in page
    assert subscription.secret not in page


def test_pause_resume_rotate_delete(client, login, admin, org):
    subscription = make_subscription(org)
    old_secret = subscription.secret
    login(admin)

    def act(action):
        return client.post(reverse("notifications:webhook-action", args=[subscription.pk, action]))

    assert act("pause").status_code == 302
    subscription.refresh_from_db()
    assert subscription.is_active is False
    act("resume")
    subscription.refresh_from_db()
    assert subscription.is_active is True

    response = act("rotate")
    subscription.refresh_from_db()
    assert subscription.secret != old_secret
    assert subscription.secret in response.content.decode()

    assert act("nonsense").status_code == 404
    assert act("delete").status_code == 302
    assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_no_badge_or_socket_before_the_second_factor(client, user):
    make_notice(user)
    client.force_login(user)  # password only: a case officer must still prove the second factor
    page = client.get("/accounts/second-factor/").content.decode()
    assert 'id="notif-badge"' not in page
    assert "live.js" not in page
