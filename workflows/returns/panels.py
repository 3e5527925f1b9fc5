"""The returns panel of the dashboard (coordination.dashboard): the procedures the user's
organisations take part in, what is overdue, the latest alerts; a link to the corridor board for
ministry officials. A fixed number of queries; no identifying detail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _context(request: HttpRequest) -> dict[str, Any] | None:
    from workflows.returns.board import ministry_countries
    from workflows.returns.models import FINAL_STATES, ReturnAlert, ReturnStep
    from workflows.returns.selectors import returns_visible_to

    visible = returns_visible_to(user=request.user)
    countries = ministry_countries(request.user)
    open_ = visible.exclude(state__in=FINAL_STATES)
    latest = list(open_.order_by("-requested_at", "-id")[:5])
    if not latest and not countries:
        return None
    today = timezone.localdate()
    overdue = ReturnStep.objects.filter(
        procedure__in=open_.values("pk"), left_at__isnull=True, due_on__lt=today
    ).count()
    alerts = ReturnAlert.objects.filter(
        procedure__in=visible.values("pk"), raised_at__gte=timezone.now() - timedelta(days=30)
    ).count()
    return {"returns": latest, "overdue": overdue, "alerts": alerts, "is_ministry": bool(countries)}


def register_return_panels() -> None:
    from coordination.dashboard import register_panel

    register_panel(
        key="workflows-returns",
        template="returns/panel.html",
        context=_context,
        order=40,
        title=_("Return procedures"),
    )
