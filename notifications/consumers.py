"""`/ws/notifications/`: the live side of the notification centre.

The consumer authenticates the session user (and their second factor, where their role needs
one), joins `user.<id>`, and on request the group of an object the page shows, after
`selectors.object_visible` said the user may see it (a refused join is answered with an error and
nothing is joined). It relays new notices and state changes, and answers a catch-up request with
the notices after the page's cursor. It writes nothing.

Client → server (JSON):
    {"action": "watch", "object_type": "referral", "object_id": 12}
    {"action": "catch_up", "since": 1234}
Server → client:
    {"type": "hello", "cursor": <latest id>, "unread": n}
    {"type": "notification", "notification": {...}, "unread": n}
    {"type": "missed", "notifications": [...], "unread": n}
    {"type": "watching", "object_type": ..., "object_id": ...}
    {"type": "changed", "object_type": ..., "object_id": ..., "state": ..., "reference": ...}
    {"type": "heartbeat", "cursor": <latest id>}   (every CONCORD_WS_HEARTBEAT_SECONDS)
    {"type": "error", "code": "not_found" | "bad_request", "detail": ...}

The heartbeat re-joins the socket's groups (a Redis restart forgets them) and gives the latest
cursor, so a page whose cursor is behind asks for a catch-up: a message the channel layer dropped
(it delivers at most once) is never a lost notification.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from concord.second_factor import requires_second_factor

from . import live, selectors

MAX_WATCHED = 20
CLOSE_UNAUTHENTICATED = 4401


def _second_factor_ok(scope: dict[str, Any], user: Any) -> bool:
    if not requires_second_factor(user):
        return True
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    session = scope.get("session")
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id, for_verify=False)
    return device is not None and device.user_id == user.pk and device.confirmed


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(_second_factor_ok)(self.scope, user):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.watched: set[str] = set()
        await self.channel_layer.group_add(live.user_group(user.pk), self.channel_name)
        await self.accept()
        cursor, unread = await database_sync_to_async(self._hello)()
        await self.send_json({"type": "hello", "cursor": cursor, "unread": unread})
        self._heartbeat = asyncio.ensure_future(self._beat())

    async def _beat(self) -> None:
        period = float(getattr(settings, "CONCORD_WS_HEARTBEAT_SECONDS", 20))
        while True:
            await asyncio.sleep(period)
            for group in (live.user_group(self.user.pk), *self.watched):
                await self.channel_layer.group_add(group, self.channel_name)
            cursor = await database_sync_to_async(selectors.latest_cursor)(user=self.user)
            await self.send_json({"type": "heartbeat", "cursor": cursor})

    def _hello(self) -> tuple[int, int]:
        return selectors.latest_cursor(user=self.user), selectors.unread_count(user=self.user)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "user"):
            return
        heartbeat = getattr(self, "_heartbeat", None)
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await heartbeat
        await self.channel_layer.group_discard(live.user_group(self.user.pk), self.channel_name)
        for group in getattr(self, "watched", set()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._error("bad_request", "Send JSON text frames.")
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self._error("bad_request", "Send valid JSON.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._error("bad_request", "Send a JSON object.")
            return
        action = content.get("action")
        if action == "watch":
            await self._watch(content)
        elif action == "catch_up":
            await self._catch_up(content)
        else:
            await self._error("bad_request", "Unknown action; use 'watch' or 'catch_up'.")

    async def _watch(self, content: dict[str, Any]) -> None:
        object_type = content.get("object_type")
        object_id = content.get("object_id")
        if object_type not in live.LIVE_OBJECT_TYPES or not isinstance(object_id, int):
            await self._error("bad_request", "Give object_type and an integer object_id.")
            return
        if len(self.watched) >= MAX_WATCHED:
            await self._error("bad_request", f"At most {MAX_WATCHED} objects per page.")
            return
        visible = await database_sync_to_async(selectors.object_visible)(
            user=self.user, object_type=object_type, object_id=object_id
        )
        if not visible:
            # The same answer whether the object exists or not: hidden is not found.
            await self._error("not_found", "No such object.")
            return
        group = live.object_group(object_type, object_id)
        await self.channel_layer.group_add(group, self.channel_name)
        self.watched.add(group)
        await self.send_json(
            {"type": "watching", "object_type": object_type, "object_id": object_id}
        )

    async def _catch_up(self, content: dict[str, Any]) -> None:
        since = content.get("since")
        if not isinstance(since, int) or since < 0:
            await self._error("bad_request", "Give since as the last notification id you saw.")
            return
        missed, unread = await database_sync_to_async(self._missed)(since)
        await self.send_json({"type": "missed", "notifications": missed, "unread": unread})

    def _missed(self, since: int) -> tuple[list[dict[str, Any]], int]:
        notices = selectors.notifications_since(user=self.user, cursor=since)
        return [n.as_payload() for n in notices], selectors.unread_count(user=self.user)

    async def _error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    # --- channel layer events ---
    async def notification_new(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread": event.get("unread"),
            }
        )

    async def object_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "changed",
                "object_type": event["object_type"],
                "object_id": event["object_id"],
                "reference": event.get("reference", ""),
                "state": event.get("state", ""),
                "transition": event.get("transition", ""),
            }
        )
