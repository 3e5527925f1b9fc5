"""Object permissions on referrals, granted to an organisation's group (never to a user); only
services call these. `view_referral_summary`: the sender and the receiver see the referral;
`act_on_referral`: the receiver answers it (taken back once it has answered)."""

from __future__ import annotations

from typing import Any

from coordination.models import Organisation
from coordination.permissions import organisation_ids_for
from workflows.cases.permissions import CASE_WORK_ROLES, grant_to_group

from .models import ReferralGroupObjectPermission

REFERRAL_SUMMARY = "view_referral_summary"
REFERRAL_ACT = "act_on_referral"


def referral_grant(*, referral: Any, organisation: Organisation, act: bool) -> None:
    """Let `organisation` see the referral (and answer it, as its receiver, if `act`)."""
    codenames = [REFERRAL_SUMMARY, REFERRAL_ACT] if act else [REFERRAL_SUMMARY]
    grant_to_group(
        ReferralGroupObjectPermission,
        object_id=referral.pk,
        group_id=organisation.group_id,
        codenames=codenames,
    )


def referral_revoke_act(*, referral: Any, organisation: Organisation) -> None:
    ReferralGroupObjectPermission.objects.filter(
        content_object=referral, group_id=organisation.group_id, permission__codename=REFERRAL_ACT
    ).delete()


def is_referral_sender_worker(user: Any, referral: Any) -> bool:
    return referral.sender_id in organisation_ids_for(user, CASE_WORK_ROLES)


def is_referral_receiver_worker(user: Any, referral: Any) -> bool:
    return referral.receiver_id in organisation_ids_for(user, CASE_WORK_ROLES)
