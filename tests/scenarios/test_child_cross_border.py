"""Issue 4 scenario, across apps: a presumed child found by a labour inspector is referred at once
to the child protection authority (seed 004:314), then across the border under the TH-KH MOU
(agreements coverage); the same cross-border referral is refused once the MOU has expired, and
when the person has applied for asylum (seed 004:119)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agreements.tests.factories import make_agreement_in_force
from concord.errors import GuardFailed
from coordination.models import Role
from workflows.cases import services as case_services
from workflows.cases.tests.factories import make_consent
from workflows.referrals import services
from workflows.referrals.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(make_org, make_member):
    inspectorate = make_org(kind="labour_inspectorate", country="TH", name="Labour Inspectorate")
    offers = ["child_protection", "shelter"]
    th_cpa = make_org(kind="child_protection", country="TH", services=offers)
    kh_cpa = make_org(kind="child_protection", country="KH", services=offers)
    return {
        "inspectorate": inspectorate,
        "th_cpa": th_cpa,
        "kh_cpa": kh_cpa,
        "inspector": make_member(inspectorate, Role.CASE_OFFICER),
        "th_child_officer": make_member(th_cpa, Role.CASE_OFFICER),
        "mou": make_agreement_in_force(
            party_a="TH",
            party_b="KH",
            procedures=["referral", "return_reintegration"],
            target_groups=["adults", "children"],
            end_date=timezone.localdate() + timedelta(days=90),
        ),
    }


def _register_presumed_child(scene, **facts):
    return case_services.case_register(
        owner=scene["inspectorate"],
        actor=scene["inspector"],
        gender="Female",
        minor_status="presumed_child",
        nationality="KH",
        country_of_identification="TH",
        exploitation_forms=["domestic_servitude"],
        **facts,
    )


def test_presumed_child_referred_to_child_protection_then_across_the_border(scene):
    case = _register_presumed_child(scene)
    automatic = Referral.objects.get(case=case)
    assert automatic.receiver == scene["th_cpa"]
    assert automatic.state == "submitted"
    assert automatic.urgency == "emergency"
    services.referral_accept(referral=automatic, actor=scene["th_child_officer"])

    make_consent(case, kinds=["child_protection"])
    cross = services.referral_create(
        case=case, receiver=scene["kh_cpa"], actor=scene["inspector"], services=["child_protection"]
    )
    cross = services.referral_submit(referral=cross, actor=scene["inspector"])
    assert cross.legal_basis == scene["mou"]
    assert cross.is_cross_border
    submitted = cross.events.get(transition="submit")
    assert submitted.payload["legal_basis_agreement"] == scene["mou"].pk


def test_refused_once_the_mou_has_expired(scene):
    from agreements.tasks import run_lifecycle

    case = _register_presumed_child(scene)
    make_consent(case, kinds=["child_protection"])
    cross = services.referral_create(case=case, receiver=scene["kh_cpa"], actor=scene["inspector"])
    with time_machine.travel(timezone.now() + timedelta(days=120)):
        run_lifecycle()
        with pytest.raises(GuardFailed) as refused:
            services.referral_submit(referral=cross, actor=scene["inspector"])
    assert refused.value.code == "no_legal_basis"
    assert Referral.objects.get(pk=cross.pk).state == "draft"


def test_refused_when_the_person_has_applied_for_asylum(scene):
    case = _register_presumed_child(scene, asylum_status="applied")
    make_consent(case, kinds=["child_protection"])
    cross = services.referral_create(case=case, receiver=scene["kh_cpa"], actor=scene["inspector"])
    with pytest.raises(GuardFailed) as refused:
        services.referral_submit(referral=cross, actor=scene["inspector"])
    assert refused.value.code == "asylum_non_refoulement"
