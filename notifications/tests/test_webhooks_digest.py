"""Webhooks (signed, no identifying detail, retried with backoff, failures kept) and the daily
digest."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from concord.errors import ApplicationError
from coordination.models import Role
from coordination.tests.factories import make_member_user
from notifications import services
from notifications.models import Channel, Delivery, DeliveryStatus, EmailMode, Kind, WebhookDelivery
from notifications.tasks import send_daily_digests, sweep_pending
from notifications.tests.factories import referral_world, submit_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


class Receiver:
    """A real HTTP endpoint on localhost that records what it is sent and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                """Quiet: the test reads `requests`, not the server's access log."""

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def world(settings):
    settings.DEBUG = True  # plain http:// endpoints are allowed only in development
    return referral_world()


def subscribe(world, url, kinds=(Kind.REFERRAL_SUBMITTED,)):
    return services.webhook_subscription_create(
        organisation=world["shelter"],
        actor=make_member_user(world["shelter"], Role.ORG_ADMIN),
        name="shelter case system",
        url=url,
        kinds=list(kinds),
    )


def test_a_webhook_is_signed_and_carries_references_only(
    world, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(world, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        referral = submit_referral(world)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    expected = hmac.new(
        subscription.secret.encode(),
        headers["X-Concord-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Concord-Signature"] == f"sha256={expected}"
    assert headers["X-Concord-Event"] == "referral_submitted"
    payload = json.loads(body)
    assert payload["reference"] == referral.reference
    assert payload["object_type"] == "referral"
    assert set(payload) == {
        "event",
        "kind",
        "object_type",
        "object_id",
        "reference",
        "state",
        "url",
        "occurred_at",
    }
    row = WebhookDelivery.objects.get()
    assert row.status == DeliveryStatus.DELIVERED
    assert row.last_status_code == 204


def test_only_the_kinds_chosen_and_only_for_the_subscribing_organisations_objects(
    world, receiver, django_capture_on_commit_callbacks
):
    subscribe(world, receiver.url, kinds=[Kind.REFERRAL_WITHDRAWN])
    services.webhook_subscription_create(
        organisation=world["stranger_org"],
        actor=make_member_user(world["stranger_org"], Role.COORDINATOR),
        name="unrelated",
        url=receiver.url,
        kinds=[Kind.REFERRAL_SUBMITTED],
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_referral(world)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_failing_endpoint_is_retried_with_backoff_and_the_failure_is_kept(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 503
    subscribe(world, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        submit_referral(world)
    row = WebhookDelivery.objects.get()
    assert row.status == DeliveryStatus.PENDING
    assert row.attempts == 1
    assert row.last_status_code == 503
    assert row.last_error == "HTTP 503"
    assert row.next_attempt_at > timezone.now()
    # Not due yet: the sweep leaves it alone.
    sweep_pending.apply()
    assert len(receiver.requests) == 1
    # The endpoint recovers; after the backoff the sweep delivers it, once.
    receiver.status = 200
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        sweep_pending.apply()
        sweep_pending.apply()
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 2


def test_subscriptions_refuse_unknown_kinds_and_plain_http_in_production(world, settings):
    with pytest.raises(ApplicationError) as err:
        subscribe(world, "https://x.example.org/h", kinds=["person_moved"])
    assert "kinds" in err.value.fields
    settings.DEBUG = False
    with pytest.raises(ApplicationError) as err:
        subscribe(world, "http://x.example.org/h")
    assert "url" in err.value.fields


def test_the_daily_digest_replaces_single_emails_when_chosen(
    world, django_capture_on_commit_callbacks
):
    services.preferences_set(
        user=world["shelter_officer"], choices={Kind.REFERRAL_SUBMITTED: EmailMode.DIGEST}
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_referral(world)
    assert mail.outbox == []
    digest = Delivery.objects.get(channel=Channel.DIGEST)
    assert digest.status == DeliveryStatus.PENDING
    assert send_daily_digests.apply().get() == 1
    assert len(mail.outbox) == 1
    assert "1 notifications today" in mail.outbox[0].subject
    assert "/referrals/" in mail.outbox[0].body
    assert send_daily_digests.apply().get() == 0


def test_email_off_sends_no_email_but_the_notice_is_in_app(
    world, django_capture_on_commit_callbacks
):
    services.preferences_set(
        user=world["shelter_officer"], choices={Kind.REFERRAL_SUBMITTED: EmailMode.OFF}
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_referral(world)
    assert mail.outbox == []
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.LIVE]


def test_bad_preferences_are_refused_and_nothing_changes(world):
    user = world["shelter_officer"]
    with pytest.raises(ApplicationError) as err:
        services.preferences_set(
            user=user, choices={Kind.REFERRAL_SUBMITTED: "off", "not_a_kind": "off"}
        )
    assert "not_a_kind" in err.value.fields
    with pytest.raises(ApplicationError) as err:
        services.preferences_set(user=user, choices={Kind.REFERRAL_SUBMITTED: "weekly"})
    assert Kind.REFERRAL_SUBMITTED.value in err.value.fields
    assert not user.notification_preferences.exists()
