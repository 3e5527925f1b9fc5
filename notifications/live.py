"""The channel layer side: group names and the messages sent to open pages.

Groups:
- `user.<id>`: the notices of one user (joined by each of the user's sockets);
- `obj.<type>.<id>`: state changes of one object, joined only after `selectors.object_visible`
  said the user may see it.
Messages carry references, kinds, states and links only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Awaitable
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

LIVE_OBJECT_TYPES = ("referral", "agreement", "return", "case", "action_item", "meeting")


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def object_group(object_type: str, object_id: int) -> str:
    return f"obj.{object_type}.{object_id}"


_thread_loops = threading.local()


def _run_on_thread_loop(awaitable: Awaitable[None]) -> None:
    """Run a channel-layer call from sync code (the celery task) on this thread's own long-lived
    event loop. channels_redis pools its Redis connections per event loop, and async_to_sync
    starts a fresh loop for every call, so each message paid for a new connection: ~50 ms per
    push on a busy host against ~1-4 ms on a kept loop (bench/README.md, "Notification latency").
    A connection broken by a Redis restart is replaced by redis-py on the next command."""
    loop = getattr(_thread_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread_loops.loop = asyncio.new_event_loop()
    loop.run_until_complete(awaitable)


def _under_an_event_loop() -> bool:
    """True in a thread that runs an event loop, or that sync_to_async runs for one (the ASGI
    server, the embedded scheduler, async tests): there async_to_sync hands the call to that
    loop, where an in-memory channel layer's consumers wait, so it must keep doing so."""
    with contextlib.suppress(RuntimeError):  # RuntimeError: no loop runs in this thread
        asyncio.get_running_loop()
        return True
    outer = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    pid = getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None)
    return outer is not None and pid == os.getpid() and outer.is_running()


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if _under_an_event_loop():
        async_to_sync(layer.group_send)(group, message)
    else:  # a celery worker's thread
        _run_on_thread_loop(layer.group_send(group, message))


def push_notification(*, user_id: int, payload: dict[str, Any], unread: int) -> None:
    """Raises when the channel layer is unreachable (the delivery stays pending and is retried)."""
    _group_send(
        user_group(user_id),
        {"type": "notification.new", "notification": payload, "unread": unread},
    )


def broadcast_state(*, subject: dict[str, Any]) -> None:
    """Tell the pages showing this object that its state changed (they refresh themselves)."""
    if subject.get("object_type") not in LIVE_OBJECT_TYPES:
        return
    _group_send(
        object_group(subject["object_type"], int(subject["object_id"])),
        {
            "type": "object.changed",
            "object_type": subject["object_type"],
            "object_id": subject["object_id"],
            "reference": subject.get("reference", ""),
            "state": subject.get("state", ""),
            "transition": subject.get("transition", ""),
        },
    )
