"""The header's unread badge: one cheap query, and only when a page actually renders it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import selectors


def unread_badge(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        # A callable: the template calls it once inside `{% with %}` (no query for pages, like
        # the API or redirects, that never render the header).
        return selectors.unread_count(user=user)

    return {"notifications_unread": count}
