"""Account policies the core asks about (settings.CONCORD_SECOND_FACTOR_POLICY)."""

from __future__ import annotations

from typing import Any

from .models import CASE_DATA_ROLES
from .permissions import active_memberships


def requires_second_factor(user: Any) -> bool:
    """Every account that can see case data (an active case-officer or supervisor membership)."""
    return any(role in CASE_DATA_ROLES for _org, role, _active in active_memberships(user))
