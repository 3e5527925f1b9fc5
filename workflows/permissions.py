"""Object permissions on workflows objects, granted to an organisation's group (never to a user).

Only services call these. Case permissions (django-guardian, direct FK tables):
* `view_case_summary` — the need-to-know summary (no identifying details);
* `view_case_details` — the identifying details as well (granted by the referrals services after a
  referral is accepted AND the person's consent covers the receiving organisation).
The owning organisation always sees both, without a grant.
"""

from __future__ import annotations

from typing import Any

from coordination.models import Organisation, Role
from coordination.permissions import organisation_ids_for

from .models import Case

CASE_SUMMARY = "workflows.view_case_summary"
CASE_DETAILS = "workflows.view_case_details"

# Roles that work on cases (coordination.models.CASE_DATA_ROLES: they sign in with a 2nd factor).
CASE_WORK_ROLES = (Role.CASE_OFFICER, Role.SUPERVISOR)


def case_grant(*, case: Case, organisation: Organisation, details: bool) -> None:
    """Let `organisation` see the case's summary, and its identifying details if `details`.
    Two queries whatever was granted before (rows of guardian's direct FK table, idempotent)."""
    from .models import CaseGroupObjectPermission

    codenames = ["view_case_summary", "view_case_details"] if details else ["view_case_summary"]
    CaseGroupObjectPermission.objects.bulk_create(
        [
            CaseGroupObjectPermission(
                permission=p, group_id=organisation.group_id, content_object=case
            )
            for p in _workflow_permissions(codenames)
        ],
        ignore_conflicts=True,
    )


def case_revoke(*, case: Case, organisation: Organisation, details_only: bool = False) -> None:
    """Take back what was granted (details only, or everything). One query."""
    from .models import CaseGroupObjectPermission

    codenames = (
        ["view_case_details"] if details_only else ["view_case_details", "view_case_summary"]
    )
    CaseGroupObjectPermission.objects.filter(
        content_object=case, group_id=organisation.group_id, permission__codename__in=codenames
    ).delete()


def _workflow_permissions(codenames: list[str]) -> list[Any]:
    from django.contrib.auth.models import Permission

    return list(
        Permission.objects.filter(content_type__app_label="workflows", codename__in=codenames)
    )


def can_work_on_case(user: Any, case: Case) -> bool:
    """Case officers and supervisors of the owning organisation act on the case."""
    return case.owner_id in organisation_ids_for(user, CASE_WORK_ROLES)


def is_case_supervisor(user: Any, case: Case) -> bool:
    return case.owner_id in organisation_ids_for(user, [Role.SUPERVISOR])


def can_act_for_child(user: Any, case: Case) -> bool:
    """Guardian appointments and best-interests determinations: the holding organisation's case
    workers, or those of a child protection authority the case was shared with (seed 004:314)."""
    if can_work_on_case(user, case):
        return True
    from .models import CaseGroupObjectPermission

    org_ids = organisation_ids_for(user, CASE_WORK_ROLES)
    return CaseGroupObjectPermission.objects.filter(
        content_object=case,
        group__organisation__id__in=org_ids,
        group__organisation__kind="child_protection",
    ).exists()


def revoke_details_not_covered_by_consent(*, case: Case) -> list[int]:
    """After a consent is withdrawn: take back `view_case_details` from every organisation the
    remaining consent no longer covers, at once. Returns the organisation ids revoked."""
    from .models import CaseGroupObjectPermission
    from .selectors.cases import consent_allows_sharing

    revoked = []
    rows = CaseGroupObjectPermission.objects.filter(
        content_object=case, permission__codename="view_case_details"
    ).select_related("group__organisation")
    for row in rows:
        organisation = row.group.organisation
        if not consent_allows_sharing(case=case, organisation=organisation):
            case_revoke(case=case, organisation=organisation, details_only=True)
            revoked.append(organisation.pk)
    return revoked


# --- referrals ---------------------------------------------------------------------------------
REFERRAL_SUMMARY = "view_referral_summary"
REFERRAL_ACT = "act_on_referral"


def referral_grant(*, referral: Any, organisation: Organisation, act: bool) -> None:
    """Let `organisation` see the referral (and answer it, as its receiver, if `act`)."""
    from .models import ReferralGroupObjectPermission

    codenames = [REFERRAL_SUMMARY, REFERRAL_ACT] if act else [REFERRAL_SUMMARY]
    ReferralGroupObjectPermission.objects.bulk_create(
        [
            ReferralGroupObjectPermission(
                permission=p, group_id=organisation.group_id, content_object=referral
            )
            for p in _workflow_permissions(codenames)
        ],
        ignore_conflicts=True,
    )


def referral_revoke_act(*, referral: Any, organisation: Organisation) -> None:
    from .models import ReferralGroupObjectPermission

    ReferralGroupObjectPermission.objects.filter(
        content_object=referral, group_id=organisation.group_id, permission__codename=REFERRAL_ACT
    ).delete()


def is_referral_sender_worker(user: Any, referral: Any) -> bool:
    return referral.sender_id in organisation_ids_for(user, CASE_WORK_ROLES)


def is_referral_receiver_worker(user: Any, referral: Any) -> bool:
    return referral.receiver_id in organisation_ids_for(user, CASE_WORK_ROLES)
