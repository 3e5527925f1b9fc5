"""Writes for the coordination directory.

Each membership service keeps the organisation's group in step with its active memberships (so
object permissions granted to the group follow membership) and leaves one MembershipEvent row,
all in one transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.errors import ApplicationError
from concord.events import record_event

from .guards import guard_keeps_an_admin, guard_membership_active, guard_role_not_held
from .models import Membership, MembershipEvent, Organisation, Role
from .permissions import can_manage_members, forget_memberships
from .signals import membership_changed


def _sync_group(*, user: Any, organisation: Organisation) -> None:
    active = Membership.objects.filter(
        user=user, organisation=organisation, is_active=True
    ).exists()
    if active:
        user.groups.add(organisation.group)
    else:
        user.groups.remove(organisation.group)


def _require_manager(actor: Any | None, organisation: Organisation) -> None:
    """`actor=None` is the system (demo load, data import); a person must be an org admin."""
    if actor is not None and not can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only this organisation's admins manage its members."))


def _record(membership: Membership, *, actor: Any, transition: str, **kwargs: Any) -> Any:
    event = record_event(
        MembershipEvent,
        actor=actor,
        transition=transition,
        membership=membership,
        organisation_id=membership.organisation_id,
        **kwargs,
    )
    forget_memberships(membership.user_id)
    membership_changed.send(sender=Membership, instance=membership, event=event, actor=actor)
    return event


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, country: Any = None, **fields: Any
) -> Organisation:
    """Create an organisation together with its access group."""
    if not name.strip():
        raise ApplicationError(
            _("An organisation needs a name."), fields={"name": [_("This field is required.")]}
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
    """Give `user` a role in `organisation` (or reactivate that ended role).

    Only the organisation's admins (or the system, actor=None) may. Idempotent for the system:
    adding an active membership with the same settings changes nothing and records nothing.
    """
    _require_manager(actor, organisation)
    if role not in Role.values:
        raise ApplicationError(
            _("Unknown role."), code="invalid", fields={"role": [_("Choose a valid role.")]}
        )
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        defaults={"can_sign_agreements": can_sign_agreements, "title": title},
    )
    if created:
        _sync_group(user=user, organisation=organisation)
        _record(
            membership,
            actor=actor,
            transition="add",
            to_state="active",
            payload={"role": role, "can_sign_agreements": can_sign_agreements},
        )
        return membership
    unchanged = (
        membership.is_active
        and membership.can_sign_agreements == can_sign_agreements
        and (not title or membership.title == title)
    )
    if unchanged:
        return membership
    was_active = membership.is_active
    membership.is_active = True
    membership.can_sign_agreements = can_sign_agreements
    membership.title = title or membership.title
    membership.save(update_fields=["is_active", "can_sign_agreements", "title"])
    _sync_group(user=user, organisation=organisation)
    _record(
        membership,
        actor=actor,
        transition="update" if was_active else "reactivate",
        from_state="active" if was_active else "ended",
        to_state="active",
        payload={"role": role, "can_sign_agreements": can_sign_agreements},
    )
    return membership


@transaction.atomic
def membership_change(
    *,
    membership: Membership,
    actor: Any | None,
    role: str | None = None,
    can_sign_agreements: bool | None = None,
    title: str | None = None,
) -> Membership:
    """Change a membership's role, signing right or title; one event row per kind of change."""
    membership = (
        Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    )
    _require_manager(actor, membership.organisation)
    guard_membership_active(membership=membership)
    if role is not None and role not in Role.values:
        raise ApplicationError(
            _("Unknown role."), code="invalid", fields={"role": [_("Choose a valid role.")]}
        )
    if role is not None and role != membership.role:
        guard_role_not_held(membership=membership, new_role=role)
        guard_keeps_an_admin(membership=membership, new_role=role, ending=False)
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _record(
            membership,
            actor=actor,
            transition="change_role",
            payload={"from_role": old, "to_role": role},
        )
    if can_sign_agreements is not None and can_sign_agreements != membership.can_sign_agreements:
        membership.can_sign_agreements = can_sign_agreements
        membership.save(update_fields=["can_sign_agreements"])
        _record(
            membership,
            actor=actor,
            transition="grant_signing" if can_sign_agreements else "revoke_signing",
            payload={"can_sign_agreements": can_sign_agreements},
        )
    if title is not None and title != membership.title:
        membership.title = title
        membership.save(update_fields=["title"])
        _record(membership, actor=actor, transition="change_title", payload={})
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor: Any | None, reason: str = "") -> Membership:
    """End a membership; the user leaves the organisation's group when no active role remains."""
    membership = (
        Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    )
    _require_manager(actor, membership.organisation)
    guard_membership_active(membership=membership)
    guard_keeps_an_admin(membership=membership, new_role=None, ending=True)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _sync_group(user=membership.user, organisation=membership.organisation)
    _record(
        membership,
        actor=actor,
        transition="end",
        from_state="active",
        to_state="ended",
        reason=reason,
        payload={"role": membership.role},
    )
    return membership


@transaction.atomic
def member_account_create(
    *,
    organisation: Organisation,
    username: str,
    password: str,
    role: str,
    actor: Any | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    can_sign_agreements: bool = False,
    title: str = "",
) -> Membership:
    """Create an account for a new colleague (no invitation e-mail) and give it a role here.

    The password must pass the project's validators; the person enrols a second factor at their
    first sign-in when their role requires one.
    """
    _require_manager(actor, organisation)
    User = get_user_model()
    username = username.strip()
    if not username:
        raise ApplicationError(
            _("A username is required."), fields={"username": [_("This field is required.")]}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            _("That username is taken."), fields={"username": [_("That username is taken.")]}
        )
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ApplicationError(
            _("The password is too weak."), fields={"password": list(exc.messages)}
        ) from exc
    candidate.set_password(password)
    candidate.save()
    return membership_add(
        organisation=organisation,
        user=candidate,
        role=role,
        actor=actor,
        can_sign_agreements=can_sign_agreements,
        title=title,
    )


@transaction.atomic
def service_account_create(
    *, organisation: Organisation, name: str, role: str, actor: Any | None
) -> Membership:
    """Create an account for one of the organisation's systems: no password (it cannot sign in to
    pages), a membership like a person's, so it sees exactly what its role lets it see."""
    _require_manager(actor, organisation)
    slug = name.strip().lower()
    if not slug or not slug.replace("-", "").replace("_", "").isalnum():
        raise ApplicationError(
            _("Use letters, digits, '-' or '_' for a service account's name."),
            fields={"name": [_("Use letters, digits, '-' or '_'.")]},
        )
    username = f"svc-{organisation.pk}-{slug}"
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=f"{slug} ({organisation.name})"[:150])
        user.set_unusable_password()
        user.save()
    elif user.has_usable_password():
        raise ApplicationError(
            _("That name belongs to a person's account."), fields={"name": [_("Choose another.")]}
        )
    return membership_add(organisation=organisation, user=user, role=role, actor=actor)


@transaction.atomic
def api_token_issue(*, user: Any, actor: Any | None) -> str:
    """Issue a new API token for a service account, replacing any earlier one (rotation).

    Returns the key; it is shown once. People's accounts never get tokens.
    """
    from rest_framework.authtoken.models import Token

    if user.has_usable_password():
        raise ApplicationError(
            _("API tokens are for service accounts only (accounts without a password)."),
            code="not_a_service_account",
        )
    if actor is not None and not actor.is_superuser:
        organisations = Organisation.objects.filter(
            memberships__user=user, memberships__is_active=True
        )
        if not any(can_manage_members(actor, org) for org in organisations):
            raise PermissionDenied(_("Only the organisation's admins issue its systems' tokens."))
    Token.objects.filter(user=user).delete()
    return str(Token.objects.create(user=user).key)
