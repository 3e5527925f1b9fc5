"""Presumption of minority -> an immediate referral to the country's child protection authority
(seed 001:467, 004:109, 004:314): the case service asks for it, the referrals app makes it in the
same transaction."""

from __future__ import annotations

import pytest

from coordination.models import Role
from workflows.cases.models import MinorStatus
from workflows.cases.services.cases import case_presume_minority, case_register, case_update_facts
from workflows.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def th(make_org, make_member):
    labour = make_org(kind="labour_inspectorate", country="TH")
    inspector = make_member(labour, Role.CASE_OFFICER)
    cpa = make_org(kind="child_protection", country="TH", services=["child_protection"])
    return labour, inspector, cpa


def _child_referrals(case):
    return list(case.referrals.filter(is_child_protection_referral=True))


def test_registering_a_presumed_child_refers_to_child_protection_at_once(th):
    labour, inspector, cpa = th
    case = case_register(owner=labour, actor=inspector, minor_status=MinorStatus.PRESUMED_CHILD)
    [referral] = _child_referrals(case)
    assert referral.receiver == cpa
    assert referral.urgency == "emergency"
    assert referral.state == "submitted"
    assert not case.events.filter(transition="child_protection_missing").exists()


def test_known_child_is_referred_too(th):
    labour, inspector, cpa = th
    case = case_register(owner=labour, actor=inspector, minor_status=MinorStatus.KNOWN_CHILD)
    assert [r.receiver for r in _child_referrals(case)] == [cpa]


def test_presuming_minority_later_refers_once(th):
    labour, inspector, _cpa = th
    case = make_case(labour)
    case = case_presume_minority(case=case, actor=inspector, reason="looks about 15")
    assert len(_child_referrals(case)) == 1
    case_update_facts(case=case, actor=inspector, age_band="9-17")
    assert len(_child_referrals(case)) == 1


def test_an_adult_is_not_referred(th):
    labour, inspector, _cpa = th
    case = case_register(owner=labour, actor=inspector, minor_status=MinorStatus.ADULT)
    assert _child_referrals(case) == []
