"""Project-wide request rules: second factor first, and no caching of private pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from .second_factor import requires_second_factor

# Paths a signed-in user may reach before proving the second factor.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/healthz", "/readyz", "/ws/")


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
