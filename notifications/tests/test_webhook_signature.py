"""A real webhook delivery to a local endpoint verifies with the recipe the README and the
subscription page give; a failing endpoint shows on the subscription's deliveries."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from coordination.models import Role
from notifications import services
from notifications.tests.helpers import make_subscription, make_webhook_delivery

pytestmark = pytest.mark.django_db


def verify(secret: str, headers: Any, body: bytes) -> bool:
    """The README's recipe, verbatim."""
    signed = headers["X-Concord-Timestamp"].encode() + b"." + body
    mac = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(headers["X-Concord-Timestamp"])) < 300
    return fresh and hmac.compare_digest(mac, headers["X-Concord-Signature"])


@pytest.fixture
def endpoint() -> Iterator[dict[str, Any]]:
    """A local HTTP endpoint answering `state["status"]` and keeping what it received."""
    state: dict[str, Any] = {"status": 204, "received": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["received"].append(
                (self.headers, body)
            )  # case-insensitive, as frameworks give them
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    server.shutdown()
    thread.join(timeout=5)


def test_a_delivery_verifies_with_the_documented_recipe(endpoint, make_org):
    # Stored directly: the service refuses http:// outside DEBUG, and this endpoint is local.
    subscription = make_subscription(make_org(name="Shelter TH"), url=endpoint["url"])
    row = make_webhook_delivery(subscription, payload={"reference": "R-TH-0001", "state": "x"})
    assert services.webhook_deliver(webhook_delivery_id=row.pk) is True
    ((headers, body),) = endpoint["received"]
    assert verify(subscription.secret, headers, body)
    assert not verify("another secret", headers, body)
    assert not verify(subscription.secret, headers, body + b" ")


def test_a_failing_endpoint_is_visible_on_the_deliveries(
    endpoint, make_org, make_member, client, login
):
    org = make_org(name="Shelter TH")
    subscription = make_subscription(org, url=endpoint["url"])
    row = make_webhook_delivery(subscription)
    endpoint["status"] = 503
    assert services.webhook_deliver(webhook_delivery_id=row.pk) is False
    login(make_member(org, Role.COORDINATOR))
    rows = client.get(f"/api/notifications/webhooks/{subscription.pk}/deliveries/").json()
    assert rows["results"][0]["status"] == "pending"
    assert rows["results"][0]["attempts"] == 1
    assert rows["results"][0]["last_status_code"] == 503
    assert rows["results"][0]["last_error"] == "HTTP 503"
    page = client.get(f"/notifications/webhooks/{subscription.pk}/").content.decode()
    assert "HTTP 503" in page
