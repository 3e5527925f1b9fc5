"""Access flows from membership: the organisation is the unit of access.

Other apps grant object permissions to `organisation_group(org)` through their own permissions.py
and ask the helpers here which organisations a user acts for, in which roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group

from concord.request_memo import forget, remember

from .models import Membership, Organisation, Role


def organisation_group(organisation: Organisation) -> Group:
    return organisation.group


def _memberships_key(user_id: int) -> tuple[str, int]:
    return ("coordination.active_memberships", user_id)


def active_memberships(user: Any) -> tuple[tuple[int, str, bool], ...]:
    """(organisation id, role, organisation is active) of each active membership of the user: one
    query, asked once per request (concord.request_memo) however many checks need it."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return ()
    user_id = user.pk
    return remember(
        _memberships_key(user_id),
        lambda: tuple(
            Membership.objects.filter(user_id=user_id, is_active=True)
            .order_by()
            .values_list("organisation_id", "role", "organisation__is_active")
        ),
    )


def forget_memberships(user_id: int) -> None:
    """Called by the services that change a membership: the rest of the request reads anew."""
    forget(_memberships_key(user_id))


def organisation_ids_for(user: Any, roles: Iterable[str] | None = None) -> set[int]:
    """Ids of the active organisations the user acts for (optionally only in the given roles)."""
    wanted = None if roles is None else set(roles)
    return {
        organisation_id
        for organisation_id, role, organisation_active in active_memberships(user)
        if organisation_active and (wanted is None or role in wanted)
    }


def has_role(user: Any, organisation: Organisation | int, roles: Iterable[str]) -> bool:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return org_id in organisation_ids_for(user, roles)


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    return bool(user.is_superuser) or has_role(user, organisation, [Role.ORG_ADMIN])
