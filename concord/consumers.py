"""A websocket that proves the ASGI stack (daphne, channels, the channel layer) end to end."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class HealthConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/health/`: accepts, round-trips one message through the channel layer, closes.

    Writes nothing and reveals nothing; load balancers and `make run` checks may use it.
    """

    async def connect(self) -> None:
        await self.accept()
        layer = self.channel_layer
        status = "no channel layer"
        if layer is not None:
            await layer.send(self.channel_name, {"type": "health.echo"})
            status = "waiting"
        if status != "waiting":
            await self.send_json({"status": status})
            await self.close()

    async def health_echo(self, event: dict[str, Any]) -> None:
        await self.send_json({"status": "ok"})
        await self.close()
