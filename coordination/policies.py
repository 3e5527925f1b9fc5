"""Account policies the core asks about (settings.CONCORD_SECOND_FACTOR_POLICY)."""

from __future__ import annotations

from typing import Any

from .models import CASE_DATA_ROLES, Membership


def requires_second_factor(user: Any) -> bool:
    """Every account that can see case data (an active case-officer or supervisor membership)."""
    return Membership.objects.filter(user=user, is_active=True, role__in=CASE_DATA_ROLES).exists()
