from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from concord.asgi import application


async def _health() -> dict:
    communicator = WebsocketCommunicator(
        application, "/ws/health/", headers=[(b"origin", b"http://127.0.0.1:8000")]
    )
    connected, _ = await communicator.connect()
    assert connected
    message = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    return message


@pytest.mark.django_db(transaction=True)  # the auth middleware reads the session in a thread
def test_health_websocket_round_trips_through_the_channel_layer():
    """On the embedded default through the in-memory layer, with REDIS_URL through Redis."""
    assert async_to_sync(_health)() == {"status": "ok"}
