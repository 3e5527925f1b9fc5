"""Named refusals for changes to the directory. Each raises GuardFailed(code, message)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from concord.errors import GuardFailed

from .models import Membership, Role


def guard_keeps_an_admin(*, membership: Membership, new_role: str | None, ending: bool) -> None:
    """An organisation keeps at least one active organisation admin, or nobody could manage it."""
    if membership.role != Role.ORG_ADMIN or not membership.is_active:
        return
    if not ending and new_role in (None, Role.ORG_ADMIN):
        return
    others = (
        Membership.objects.filter(
            organisation_id=membership.organisation_id, role=Role.ORG_ADMIN, is_active=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise GuardFailed(
            "last_organisation_admin",
            _("An organisation keeps at least one active organisation admin."),
        )


def guard_membership_active(*, membership: Membership) -> None:
    if not membership.is_active:
        raise GuardFailed("membership_ended", _("This membership has already ended."))


def guard_role_not_held(*, membership: Membership, new_role: str) -> None:
    clash = (
        Membership.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id, role=new_role
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if clash:
        raise GuardFailed(
            "role_already_held",
            _("This person already has that role here; end one of the two memberships."),
        )
