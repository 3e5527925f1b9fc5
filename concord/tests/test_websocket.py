from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
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


# The socket needs no database, but channels closes stale connections around each message
# (aclose_old_connections), which touches whatever connection an earlier test left in asgiref's
# shared thread; without the mark pytest-django refuses that touch, depending on test order.
@pytest.mark.django_db
def test_health_websocket_round_trips_through_the_channel_layer():
    """On the embedded default through the in-memory layer, with REDIS_URL through Redis."""
    # In a thread of its own: a Playwright test may have left an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, _health()).result(timeout=30) == {"status": "ok"}
