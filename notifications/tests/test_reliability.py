"""Delivery survives a broker outage, a task run twice and a worker killed mid-task.

- Broker unreachable: transitions commit, their notices wait in the outbox; once the broker is
  back a sweep delivers every one of them, each once (counted on the user's live socket).
- A delivery task run twice sends once.
- A worker child killed (SIGKILL) while sending: the message is requeued (acks late, reject on
  worker lost), another child sends it, exactly one e-mail leaves.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.core import mail

from concord.asgi import application
from notifications import dispatch
from notifications.models import Channel, Delivery, DeliveryStatus, Notification
from notifications.tasks import deliver_event, sweep_pending
from notifications.tests.conftest import run_async
from notifications.tests.factories import referral_world, submit_referral
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals import services

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def broker_unreachable() -> Any:
    """Point celery at a closed port, as if Redis-the-broker were down; restore afterwards."""
    from concord.celery import app

    before = app.conf.broker_url
    _use_broker(app, "redis://127.0.0.1:1/0")
    yield
    _use_broker(app, before)


def _use_broker(app: Any, url: str) -> None:
    """Point the celery app at `url`: new connection and producer pools, breaker reset."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    dispatch.reset_broker_state()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_broker_down_200_transitions_wait_then_a_sweep_delivers_each_once(
    broker_unreachable, session_cookie, settings
):
    settings.CONCORD_NOTIFY_SWEEP_DELAY_SECONDS = 0
    world = referral_world()
    cases = [make_case(world["sender"], country="TH", nationality="TH") for _ in range(99)]
    for case in cases:
        make_consent(case, organisations=[world["shelter"]])
    cases.insert(0, world["case"])
    started = time.monotonic()
    referrals = []
    for case in cases:  # 100 submissions + 100 acceptances = 200 transitions
        referral = services.referral_create(
            case=case, receiver=world["shelter"], actor=world["officer"], services=["shelter"]
        )
        referrals.append(services.referral_submit(referral=referral, actor=world["officer"]))
    for referral in referrals:
        services.referral_accept(referral=referral, actor=world["shelter_officer"])
    elapsed = time.monotonic() - started
    live = Delivery.objects.filter(channel=Channel.LIVE)
    assert live.count() == 200
    assert set(live.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    # The outage cost one connection attempt, not one per transition.
    assert elapsed < 120

    cookies = [session_cookie(world["officer"]), session_cookie(world["shelter_officer"])]
    from concord.celery import app

    async def scenario() -> list[dict[str, Any]]:
        sockets = []
        for cookie in cookies:
            ws = WebsocketCommunicator(
                application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", cookie)]
            )
            assert (await ws.connect(timeout=10))[0]
            await ws.receive_json_from(timeout=10)  # hello
            sockets.append(ws)
        # The broker is back; the beat sweep runs (here in-process, as beat's worker would).
        _use_broker(app, settings.REDIS_URL)
        from channels.db import database_sync_to_async

        await database_sync_to_async(sweep_pending.apply)()
        received = []
        for ws in sockets:
            while True:
                if await ws.receive_nothing(timeout=1):
                    break
                received.append(await ws.receive_json_from(timeout=5))
            await ws.disconnect()
        return received

    received = run_async(scenario(), timeout=300)
    ids = [m["notification"]["id"] for m in received if m["type"] == "notification"]
    assert len(ids) == 200
    assert len(set(ids)) == 200
    assert set(live.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    # A second sweep finds nothing left to send.
    assert sweep_pending.apply().get()["delivered"] == 0


@pytest.mark.django_db
def test_a_delivery_task_run_twice_delivers_once(django_capture_on_commit_callbacks):
    world = referral_world()
    with django_capture_on_commit_callbacks(execute=False):
        submit_referral(world)
    ids = list(Delivery.objects.values_list("pk", flat=True))
    first = deliver_event.apply(kwargs={"delivery_ids": ids}).get()
    second = deliver_event.apply(kwargs={"delivery_ids": ids}).get()
    assert first["delivered"] == len(ids) == 2  # live push + e-mail
    assert second["delivered"] == 0
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_loses_nothing(celery_worker_process, tmp_path):
    gate = tmp_path / "gate"
    celery_worker_process(
        EMAIL_BACKEND="notifications.tests.blocking_email.EmailBackend",
        CONCORD_TEST_EMAIL_GATE=str(gate),
    )
    world = referral_world()
    submit_referral(world)  # after commit: deliver_event goes to the real broker and worker
    email = Delivery.objects.get(channel=Channel.EMAIL)

    pid = _wait_for_file(gate.with_suffix(".started"))
    os.kill(int(pid), signal.SIGKILL)  # the child running the task dies mid-send
    gate.with_suffix(".started").unlink()
    gate.with_suffix(".open").touch()
    # The parent requeues the unacknowledged message; a fresh child sends it.
    _wait_until(lambda: Delivery.objects.get(pk=email.pk).status == DeliveryStatus.DELIVERED)
    sent = list((tmp_path / "mail").glob("*.log"))
    assert len(sent) == 1
    assert Notification.objects.count() == 1


def _wait_for_file(path: Path, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} did not appear within {seconds} s")


def _wait_until(condition: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")
