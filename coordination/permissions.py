"""Access flows from membership: the organisation is the unit of access.

Other apps grant object permissions to `organisation_group(org)` through their own permissions.py
and ask the helpers here which organisations a user acts for, in which roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import QuerySet

from .models import Membership, Organisation, Role


def organisation_group(organisation: Organisation) -> Group:
    return organisation.group


def organisation_ids_for(user: Any, roles: Iterable[str] | None = None) -> set[int]:
    """Ids of the active organisations the user acts for (optionally only in the given roles)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    qs = Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return set(qs.values_list("organisation_id", flat=True))


def memberships_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, is_active=True).select_related("organisation")


def has_role(user: Any, organisation: Organisation | int, roles: Iterable[str]) -> bool:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return org_id in organisation_ids_for(user, roles)


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    return bool(user.is_superuser) or has_role(user, organisation, [Role.ORG_ADMIN])
