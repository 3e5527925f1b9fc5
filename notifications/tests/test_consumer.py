"""The websocket consumer: a user receives notices and state changes of what they may
see, never of what they may not (a foreign object's group is refused), and a reconnecting page
catches up from its cursor. On the real-backends run the channel layer is Redis."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from concord.asgi import application
from notifications.models import Notification
from notifications.tests.conftest import run_async
from notifications.tests.factories import referral_world, submit_referral
from workflows.referrals import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]

ORIGIN = (b"origin", b"http://testserver")


def socket(cookie: bytes | None) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


async def connected(cookie: bytes) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    ws = socket(cookie)
    ok, _ = await ws.connect(timeout=10)
    assert ok
    hello = await ws.receive_json_from(timeout=10)
    assert hello["type"] == "hello"
    return ws, hello


def test_the_receiver_gets_the_notice_live_and_the_stranger_nothing(session_cookie):
    world = referral_world()
    receiver_cookie = session_cookie(world["shelter_officer"])
    stranger_cookie = session_cookie(world["stranger"])

    async def scenario() -> tuple[dict[str, Any], bool]:
        receiver, hello = await connected(receiver_cookie)
        stranger, _ = await connected(stranger_cookie)
        assert hello["unread"] == 0
        await database_sync_to_async(submit_referral)(world)
        message = await receiver.receive_json_from(timeout=10)
        stranger_silent = await stranger.receive_nothing(timeout=0.5)
        await receiver.disconnect()
        await stranger.disconnect()
        return message, stranger_silent

    message, stranger_silent = run_async(scenario())
    assert message["type"] == "notification"
    assert message["unread"] == 1
    notice = message["notification"]
    assert notice["kind"] == "referral_submitted"
    assert notice["object_type"] == "referral"
    assert notice["url"].startswith("/referrals/")
    assert stranger_silent


def test_watching_a_visible_object_relays_its_state_changes(session_cookie):
    world = referral_world()
    referral = submit_referral(world)
    cookie = session_cookie(world["officer"])  # the sender watches its outgoing referral

    async def scenario() -> list[dict[str, Any]]:
        ws, _ = await connected(cookie)
        await ws.send_json_to(
            {"action": "watch", "object_type": "referral", "object_id": referral.pk}
        )
        watching = await ws.receive_json_from(timeout=10)
        await database_sync_to_async(services.referral_accept)(
            referral=referral, actor=world["shelter_officer"]
        )
        got = [watching]
        got.append(await ws.receive_json_from(timeout=10))
        got.append(await ws.receive_json_from(timeout=10))
        await ws.disconnect()
        return got

    watching, *rest = run_async(scenario())
    assert watching == {"type": "watching", "object_type": "referral", "object_id": referral.pk}
    by_type = {m["type"]: m for m in rest}
    assert by_type["changed"]["state"] == "accepted"
    assert by_type["changed"]["reference"] == referral.reference
    assert by_type["notification"]["notification"]["kind"] == "referral_accepted"


def test_joining_a_foreign_objects_group_is_refused(session_cookie):
    world = referral_world()
    referral = submit_referral(world)
    cookie = session_cookie(world["stranger"])

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], bool]:
        ws, _ = await connected(cookie)
        await ws.send_json_to(
            {"action": "watch", "object_type": "referral", "object_id": referral.pk}
        )
        refused = await ws.receive_json_from(timeout=10)
        await ws.send_json_to({"action": "watch", "object_type": "referral", "object_id": 999999})
        missing = await ws.receive_json_from(timeout=10)
        await database_sync_to_async(services.referral_accept)(
            referral=referral, actor=world["shelter_officer"]
        )
        silent = await ws.receive_nothing(timeout=0.5)
        await ws.disconnect()
        return refused, missing, silent

    refused, missing, silent = run_async(scenario())
    # The same answer for a hidden object and a missing one: hidden is not found.
    assert refused == {"type": "error", "code": "not_found", "detail": "No such object."}
    assert missing == refused
    assert silent


def test_a_reconnecting_page_catches_up_from_its_cursor(session_cookie):
    world = referral_world()
    cookie = session_cookie(world["officer"])

    async def first_visit() -> int:
        ws, hello = await connected(cookie)
        await ws.disconnect()
        return hello["cursor"]

    cursor = run_async(first_visit())
    # While the page is closed: two notices for the sender (accepted, then completed path start).
    referral = submit_referral(world)
    services.referral_accept(referral=referral, actor=world["shelter_officer"])
    referral.refresh_from_db()
    services.referral_start(referral=referral, actor=world["shelter_officer"])
    referral.refresh_from_db()
    services.referral_complete(referral=referral, actor=world["shelter_officer"])
    expected = list(
        Notification.objects.filter(recipient=world["officer"], id__gt=cursor)
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert len(expected) == 2

    async def second_visit() -> dict[str, Any]:
        ws, _ = await connected(cookie)
        await ws.send_json_to({"action": "catch_up", "since": cursor})
        missed = await ws.receive_json_from(timeout=10)
        await ws.disconnect()
        return missed

    missed = run_async(second_visit())
    assert missed["type"] == "missed"
    assert [n["id"] for n in missed["notifications"]] == expected
    assert missed["unread"] == 2


@pytest.mark.parametrize("case", ["anonymous", "second_factor_missing"])
def test_sockets_without_a_proper_session_are_refused(case, session_cookie):
    world = referral_world()
    cookie = None if case == "anonymous" else session_cookie(world["officer"], verified=False)

    async def scenario() -> tuple[bool, Any]:
        ws = socket(cookie)
        ok, code = await ws.connect(timeout=10)
        return ok, code

    ok, code = run_async(scenario())
    assert not ok
    assert code == 4401


def test_bad_messages_get_a_clear_error_and_change_nothing(session_cookie):
    world = referral_world()
    cookie = session_cookie(world["officer"])

    async def scenario() -> list[dict[str, Any]]:
        ws, _ = await connected(cookie)
        answers = []
        for message in (
            {"action": "shout"},
            {"action": "watch", "object_type": "person", "object_id": 1},
            {"action": "watch", "object_type": "referral", "object_id": "1"},
            {"action": "catch_up", "since": -1},
        ):
            await ws.send_json_to(message)
            answers.append(await ws.receive_json_from(timeout=10))
        for raw in ("[1, 2]", "not json"):
            await ws.send_to(text_data=raw)
            answers.append(await ws.receive_json_from(timeout=10))
        await ws.disconnect()
        return answers

    answers = run_async(scenario())
    assert all(a["type"] == "error" and a["code"] == "bad_request" for a in answers)
    assert Notification.objects.count() == 0
