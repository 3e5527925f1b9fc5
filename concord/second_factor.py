"""Who must prove a second factor, and whether this request has.

The policy (which accounts can see case data) belongs to the coordination app, which knows roles;
it is named by settings.CONCORD_SECOND_FACTOR_POLICY so that concord imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _policy() -> Callable[[Any], bool]:
    path = getattr(
        settings, "CONCORD_SECOND_FACTOR_POLICY", "coordination.policies.requires_second_factor"
    )
    return import_string(path)


def requires_second_factor(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _policy()(user)))


def second_factor_satisfied(request: Any, user: Any) -> bool:
    if not requires_second_factor(user):
        return True
    verified = getattr(getattr(request, "user", None), "is_verified", None)
    return bool(verified and verified())
