"""Dashboard panel of the working side: the action items your organisations own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coordination.dashboard import register_panel
from coordination.permissions import organisation_ids_for
from coordination.work.models import ACTION_ITEM_PENDING, ActionItem


def my_action_items(request: HttpRequest) -> dict[str, Any] | None:
    """Pending items owned by the user's organisations, earliest due first (two queries)."""
    orgs = organisation_ids_for(request.user)
    if not orgs:
        return None
    items = list(
        ActionItem.objects.filter(owner_id__in=orgs, state__in=ACTION_ITEM_PENDING)
        .select_related("owner", "body")
        .order_by("due_on", "id")[:6]
    )
    return {"items": items}


def register() -> None:
    register_panel(
        key="coordination-action-items",
        template="work/panels/action_items.html",
        context=my_action_items,
        order=30,
        title=_("Action items of your organisations"),
    )
