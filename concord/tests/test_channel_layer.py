"""The Redis channel layer under a burst larger than its pool (concord/channel_layer.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.layers import get_channel_layer

pytestmark = pytest.mark.redis

BURST = 300  # three times the pool: what a few hundred pages reconnecting at once ask of it


async def _burst() -> tuple[int, int]:
    layer = get_channel_layer()
    names = [await layer.new_channel() for _ in range(BURST)]
    joined = await asyncio.gather(
        *(layer.group_add("burst", name) for name in names), return_exceptions=True
    )
    left = await asyncio.gather(
        *(layer.group_discard("burst", name) for name in names), return_exceptions=True
    )
    return (
        sum(isinstance(r, Exception) for r in joined),
        sum(isinstance(r, Exception) for r in left),
    )


def test_a_burst_of_joins_and_leaves_larger_than_the_pool_waits_for_connections():
    """With channels_redis's own pool 300 concurrent group_add calls failed with "Too many
    connections" (100 per process); the blocking pool queues them and every one succeeds."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own (see test_websocket)
        assert pool.submit(asyncio.run, _burst()).result(timeout=60) == (0, 0)
