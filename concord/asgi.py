"""HTTP and websockets over one ASGI application (daphne in `make run`)."""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs Django set up first
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from concord.consumers import HealthConsumer  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

_websockets = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
_health = HealthConsumer.as_asgi()


async def websocket_application(scope: dict, receive: Any, send: Any) -> Any:
    """`/ws/health/` needs no session (so no database); every other socket is authenticated."""
    if scope.get("path") == "/ws/health/":
        return await _health(scope, receive, send)
    return await _websockets(scope, receive, send)


application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
