"""API authentication: a browser session counts only once its second factor is verified."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

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
                {"code": "second_factor_required", "detail": "Verify your second factor first."}
            )
        return user, auth
