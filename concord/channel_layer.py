"""The Redis channel layer: channels_redis, with a connection pool that waits instead of failing.

channels_redis takes a connection from a redis-py pool for every group_add, group_discard and send.
Its pool (redis-py's ConnectionPool, 100 connections per process and event loop) raises
"Too many connections" as soon as more operations than that are in flight at once: when a few
hundred websockets connect or close together (a deploy, a network blip, a reconnect storm),
consumers' group joins fail and those pages miss live notices until their next catch-up.
redis-py's BlockingConnectionPool of the same size makes such a burst queue for a free connection
instead (for at most `timeout` seconds, then the error names it).
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class RedisChannelLayer(_RedisChannelLayer):
    """channels_redis's layer with a blocking pool per host (`address` form of the host only)."""

    def create_pool(self, index: int) -> Any:
        host: dict[str, Any] = dict(self.hosts[index])
        return BlockingConnectionPool.from_url(host.pop("address"), **host)
