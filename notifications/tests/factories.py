"""A small referral world for notification tests, built through the real services."""

from __future__ import annotations

from typing import Any

from coordination.tests.factories import make_member_user, make_organisation
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals import services


def referral_world(**kw: Any) -> dict[str, Any]:
    sender = make_organisation(kind="labour_inspectorate", country="TH", name="Labour TH")
    shelter = make_organisation(kind="ngo", country="TH", name="Shelter TH", services=["shelter"])
    stranger_org = make_organisation(kind="ngo", country="TH", name="Other NGO TH")
    officer = make_member_user(sender, "case_officer")
    shelter_officer = make_member_user(shelter, "case_officer")
    shelter_auditor = make_member_user(shelter, "auditor")
    stranger = make_member_user(stranger_org, "case_officer")
    case = make_case(sender, country="TH", nationality="TH")
    make_consent(case, organisations=[shelter])
    return {
        "sender": sender,
        "shelter": shelter,
        "stranger_org": stranger_org,
        "officer": officer,
        "shelter_officer": shelter_officer,
        "shelter_auditor": shelter_auditor,
        "stranger": stranger,
        "case": case,
    }


def submit_referral(world: dict[str, Any], *, urgency: str = "urgent") -> Any:
    referral = services.referral_create(
        case=world["case"],
        receiver=world["shelter"],
        actor=world["officer"],
        services=["shelter"],
        urgency=urgency,
    )
    return services.referral_submit(referral=referral, actor=world["officer"])
