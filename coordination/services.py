"""Writes for the coordination directory. Each keeps the organisation's group in step with its
active memberships, so that object permissions granted to the group follow membership."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from concord.errors import ApplicationError

from .models import Membership, Organisation, Role
from .permissions import can_manage_members


def _sync_group(*, user: Any, organisation: Organisation) -> None:
    active = Membership.objects.filter(
        user=user, organisation=organisation, is_active=True
    ).exists()
    if active:
        user.groups.add(organisation.group)
    else:
        user.groups.remove(organisation.group)


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, country: Any = None, **fields: Any
) -> Organisation:
    """Create an organisation together with its access group."""
    if not name.strip():
        raise ApplicationError(
            "An organisation needs a name.", fields={"name": ["This field is required."]}
        )
    group = Group.objects.create(name=f"org:new:{uuid.uuid4()}")
    services = fields.pop("services", None)
    organisation = Organisation.objects.create(
        name=name, kind=kind, country=country, group=group, **fields
    )
    group.name = f"org:{organisation.pk}"
    group.save(update_fields=["name"])
    if services is not None:
        organisation.services.set(services)
    return organisation


@transaction.atomic
def membership_add(
    *,
    organisation: Organisation,
    user: Any,
    role: str,
    actor: Any | None,
    can_sign_agreements: bool = False,
    title: str = "",
) -> Membership:
    """Give `user` a role in `organisation`; only its organisation admins (or the system) may."""
    if actor is not None and not can_manage_members(actor, organisation):
        raise PermissionDenied("Only this organisation's admins manage its members.")
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}.", fields={"role": ["Choose a valid role."]})
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        defaults={"can_sign_agreements": can_sign_agreements, "title": title},
    )
    if not created:
        membership.is_active = True
        membership.can_sign_agreements = can_sign_agreements
        membership.title = title or membership.title
        membership.save(update_fields=["is_active", "can_sign_agreements", "title"])
    _sync_group(user=user, organisation=organisation)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor: Any | None) -> Membership:
    """End a membership; the user leaves the organisation's group when no active role remains."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if actor is not None and not can_manage_members(actor, membership.organisation):
        raise PermissionDenied("Only this organisation's admins manage its members.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _sync_group(user=membership.user, organisation=membership.organisation)
    return membership
