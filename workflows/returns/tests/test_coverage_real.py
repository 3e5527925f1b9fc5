"""The legal basis and the information exchange read the agreements app's real coverage selector:
an agreement in force between Thailand and Cambodia, through its real lifecycle."""

from __future__ import annotations

import pytest

from agreements.tests.factories import make_agreement_in_force
from workflows.returns.selectors import return_facts, risk_assessments_for
from workflows.returns.tests.factories import ratings


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from workflows.returns.tests.factories import make_world

    return make_world()


def test_agreement_in_force_covering_return_for_adults_is_the_legal_basis(world):
    make_agreement_in_force(
        procedures=["return_reintegration"], target_groups=["adults"], title="TH-KH MOU on return"
    )
    adult = world.request()
    (title,) = return_facts(adult).agreements_in_force
    assert title.startswith("TH-KH MOU on return")
    from workflows.returns.guards import guard_legal_basis

    guard_legal_basis(return_facts(adult))
    # the agreement does not cover children: no legal basis for a child's return
    child = world.request(world.case(minor_status="known_child"))
    assert return_facts(child).agreements_in_force == ()


def test_information_exchange_coverage_decides_what_the_other_state_sees(world):
    from workflows.returns import services as svc

    make_agreement_in_force(procedures=["return_reintegration"], target_groups=["adults"])
    p = world.request()
    svc.return_consent_record(
        procedure=p,
        actor=world.th_officer,
        language="Khmer",
        informed_orally=True,
        informed_in_writing=True,
    )
    svc.return_start_assessment(procedure=p, actor=world.th_officer)
    svc.risk_contribution_submit(
        procedure=p, actor=world.th_officer, side="returning", ratings=ratings(1)
    )
    parts = {x.side: x for x in risk_assessments_for(user=world.kh_officer, procedure=p)[0].parts}
    assert parts["returning"].submitted
    assert not parts["returning"].visible
    make_agreement_in_force(procedures=["information_exchange"], target_groups=["adults"])
    parts = {x.side: x for x in risk_assessments_for(user=world.kh_officer, procedure=p)[0].parts}
    assert parts["returning"].visible
    assert parts["returning"].contribution is not None
