"""Object permissions on agreements, granted to an organisation's group (never to a user).

Only services call the grant/revoke functions:
* `agreements.view_agreement` — granted to each partner organisation's group when it becomes a
  partner, taken back when it stops being one. A coordination body's secretariat sees the
  agreements of the body's members without a grant (selectors.agreements_visible_to joins the
  seats), so a seat added later needs no back-filling.

Role checks (who may do what on an agreement they can see):
* coordinators of a partner organisation draft, edit, comment, approve, open consultation,
  suspend, terminate and amend;
* members of a partner organisation with `Membership.can_sign_agreements` sign for it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from guardian.shortcuts import assign_perm, remove_perm

from coordination.models import Membership, Organisation, Role

from .models import Agreement

VIEW = "agreements.view_agreement"


def agreement_grant(*, agreement: Agreement, organisation: Organisation) -> None:
    assign_perm(VIEW, organisation.group, agreement)


def agreement_revoke(*, agreement: Agreement, organisation: Organisation) -> None:
    remove_perm(VIEW, organisation.group, agreement)


def partner_org_ids(agreement: Agreement) -> set[int]:
    return set(agreement.partners.values_list("organisation_id", flat=True))


def coordinator_org_ids(user: Any, agreement: Agreement) -> set[int]:
    """The partner organisations for which `user` is an active coordinator."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Membership.objects.filter(
            user=user,
            is_active=True,
            role=Role.COORDINATOR,
            organisation__is_active=True,
            organisation__agreement_partnerships__agreement=agreement,
        ).values_list("organisation_id", flat=True)
    )


def signing_memberships(user: Any, agreement: Agreement) -> list[Membership]:
    """The user's active memberships with the signing right in a partner organisation."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(
            user=user,
            is_active=True,
            can_sign_agreements=True,
            organisation__is_active=True,
            organisation__agreement_partnerships__agreement=agreement,
        ).select_related("organisation")
    )


def can_sign(user: Any, agreement: Agreement) -> bool:
    return bool(signing_memberships(user, agreement))


def require_coordinator(user: Any, agreement: Agreement) -> set[int]:
    """The organisations the user coordinates among the partners; PermissionDenied if none."""
    org_ids = coordinator_org_ids(user, agreement)
    if not org_ids:
        raise PermissionDenied("Only a partner organisation's coordinators may do this.")
    return org_ids
