"""Project-wide request rules: a memo per request, second factor first, and no caching of private
pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from .request_memo import request_scope
from .second_factor import requires_second_factor

# Paths a signed-in user may reach before proving the second factor.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/healthz", "/readyz", "/ws/")


class RequestMemoMiddleware:
    """Each request gets its own memo (concord.request_memo), dropped with its response. Sync and
    async capable, so that it does not move the point where the ASGI stack switches to a thread."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        with request_scope():
            return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return await self.get_response(request)  # type: ignore[no-any-return]


class SecondFactorRequiredMiddleware:
    """Accounts that can see case data must verify a TOTP device before any page (PRODUCT.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and requires_second_factor(user)
            and not user.is_verified()
        ):
            return redirect(f"/accounts/second-factor/?next={request.get_full_path()}")
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Authenticated responses are never cached (by browsers or proxies)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response
