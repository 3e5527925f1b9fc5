"""API authentication: a browser session counts only once its second factor is verified."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from .second_factor import second_factor_satisfied


class SecondFactorSessionAuthentication(SessionAuthentication):
    """A browser session counts for the API only once its second factor is verified."""

    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        if not second_factor_satisfied(request._request, user):
            raise exceptions.PermissionDenied(
                {"code": "second_factor_required", "detail": _("Verify your second factor first.")}
            )
        return user, auth


class ServiceAccountTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` for agencies' systems: only service accounts hold tokens.

    A service account has no usable password, so it cannot sign in to pages; a person's account
    (with a password, and a second factor where the role needs one) never authenticates by token,
    so a leaked token can never stand in for a person's two factors.
    """

    def authenticate_credentials(self, key: str) -> Any:
        user, token = super().authenticate_credentials(key)
        if user.has_usable_password():
            raise exceptions.AuthenticationFailed(
                _("API tokens are for service accounts only; sign in to the site instead.")
            )
        return user, token


class ServiceAccountTokenScheme(OpenApiAuthenticationExtension):
    target_class = "concord.authentication.ServiceAccountTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, issued to a service account with "
            "`manage.py issue_api_token` or the admin's user action.",
        }


class SecondFactorSessionScheme(OpenApiAuthenticationExtension):
    """Documents the browser session (cookie) for drf-spectacular."""

    target_class = "concord.authentication.SecondFactorSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A browser session signed in with password and second factor.",
        }
