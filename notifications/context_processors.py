"""The header's unread badge: one cheap query, and only when a page actually renders it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from concord.second_factor import requires_second_factor

from . import selectors


def unread_badge(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    verified = getattr(user, "is_verified", None)
    if not (verified and verified()) and requires_second_factor(user):
        # The second factor is still to be proved: no count, no live socket. (Asked only of the
        # unverified, so a verified page pays no query for it.)
        return {}

    def count() -> int:
        # A callable: the template calls it once inside `{% with %}` (no query for pages, like
        # the API or redirects, that never render the header).
        return selectors.unread_count(user=user)

    return {"notifications_unread": count, "notifications_live": True}
