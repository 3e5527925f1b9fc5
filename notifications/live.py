"""The channel layer side: group names and the messages sent to open pages.

Groups:
- `user.<id>`: the notices of one user (joined by each of the user's sockets);
- `obj.<type>.<id>`: state changes of one object, joined only after `selectors.object_visible`
  said the user may see it.
Messages carry references, kinds, states and links only.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

LIVE_OBJECT_TYPES = ("referral", "agreement", "return", "case", "action_item", "meeting")


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def object_group(object_type: str, object_id: int) -> str:
    return f"obj.{object_type}.{object_id}"


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, message)


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
