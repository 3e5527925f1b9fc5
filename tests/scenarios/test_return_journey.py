"""Journey: an adult Cambodian national identified in Thailand asks to return home.

Both States assess the risk, the decision is approved, the person travels and is handed over, and
a missed monitoring visit alerts both sides. The same procedure is blocked when an asylum claim is
pending, when consent is withdrawn, and for a child without a best-interests determination.
Everything goes through the services and the API as the officers of each State would act; the
legal basis is an ad-hoc arrangement approved by a supervisor of each side (seed 001:483).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from concord.errors import GuardFailed
from coordination.models import Country
from workflows.cases.services.cases import case_register
from workflows.returns import services as svc
from workflows.returns.models import ReturnAlert
from workflows.returns.signals import monitoring_visit_missed
from workflows.returns.tests.factories import make_world, ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def _identified_in_thailand(world, **facts):
    facts.setdefault("gender", "Female")
    facts.setdefault("age_group", "adult")
    return case_register(
        owner=world.th_ngo,
        actor=world.th_officer,
        presume=True,
        identifying={"given_names": "Srey", "family_name": "Mom"},
        nationality="KH",
        exploitation_forms=["forced_labour"],
        **facts,
    )


def _to_decision(world, case):
    """Request, consent, both States' assessment, proceedings check, legal basis: at decision."""
    p = svc.return_request(
        case=case,
        receiving_country=Country.objects.get(code="KH"),
        returning_authority=world.th_ministry,
        receiving_authority=world.kh_ministry,
        actor=world.th_officer,
    )
    svc.return_consent_record(
        procedure=p,
        actor=world.th_officer,
        language="Khmer",
        informed_orally=True,
        informed_in_writing=True,
        interpreter_used=True,
    )
    svc.return_start_assessment(procedure=p, actor=world.th_officer)
    child = case.is_or_may_be_child
    svc.risk_contribution_submit(
        procedure=p, actor=world.th_officer, side="returning", ratings=ratings(1, is_child=child)
    )
    svc.risk_contribution_submit(
        procedure=p, actor=world.kh_officer, ratings=ratings(2, is_child=child)
    )
    svc.return_submit_for_decision(procedure=p, actor=world.kh_officer)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    svc.return_arrangement_record(
        procedure=p, actor=world.th_officer, description="Exchange of letters for this return"
    )
    svc.return_arrangement_approve(procedure=p, actor=world.th_supervisor)
    svc.return_arrangement_approve(procedure=p, actor=world.kh_supervisor)
    p.refresh_from_db()
    assert p.state == "decision"
    return p


def test_adult_returns_home_and_a_missed_visit_alerts_both_states(world, client, login):
    case = _identified_in_thailand(world)
    p = _to_decision(world, case)
    assessment = p.risk_assessments.get()
    assert assessment.overall_level == "medium"

    # The Thai case officer approves through the API; the checklist holds before it.
    login(world.th_officer)
    detail = client.get(f"/api/returns/{p.pk}/").json()
    holding = {c["name"]: c["holds"] for c in detail["checklist"]}
    assert all(holding[n] for n in ("voluntary", "non_refoulement", "legal_basis", "risk_level"))
    r = client.post(
        f"/api/returns/{p.pk}/approve/",
        {"grounds": "Low to medium risk; the person wants to go home; support is ready."},
        content_type="application/json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["decisions"][0]["assessment_version"] == 1

    # Preparation: Cambodia confirms reception and the plan; documents are issued.
    svc.return_reception_confirm(procedure=p, actor=world.kh_officer, kind="reception")
    svc.reintegration_service_add(
        procedure=p, actor=world.kh_officer, kind="accommodation", provider=world.kh_ngo
    )
    svc.reintegration_service_add(
        procedure=p, actor=world.kh_officer, kind="small_business_loan", provider=world.kh_ngo
    )
    svc.travel_document_record(
        procedure=p,
        actor=world.th_officer,
        kind="travel_document",
        issuing_organisation=world.kh_ministry,
        issued_on=timezone.localdate(),
    )
    svc.return_depart(procedure=p, actor=world.th_officer)
    svc.return_hand_over(procedure=p, actor=world.kh_officer)
    svc.return_start_monitoring(procedure=p, actor=world.kh_officer)
    p.refresh_from_db()
    assert p.state == "monitoring"
    first = p.monitoring_visits.order_by("due_on").first()
    assert first.months_after == 1

    # Nobody records the first visit: six weeks later the beat task marks it missed.
    alerted = []
    monitoring_visit_missed.connect(
        lambda **kw: alerted.append({o.country_id for o in kw["organisations"]}),
        weak=False,
        dispatch_uid="scenario",
    )
    try:
        with time_machine.travel(timezone.now() + dt.timedelta(days=50)):
            from workflows.returns.tasks import return_monitoring_sweep

            assert return_monitoring_sweep() == 1
    finally:
        monitoring_visit_missed.disconnect(dispatch_uid="scenario")
    assert alerted == [{"TH", "KH"}]
    alert = ReturnAlert.objects.get(procedure=p, kind="visit_missed")
    assert set(alert.organisations.values_list("country_id", flat=True)) == {"TH", "KH"}

    # Both sides see the alert on the procedure; the Thai ministry's board counts the miss.
    for user in (world.th_officer, world.kh_officer):
        login(user)
        assert client.get(f"/api/returns/{p.pk}/").json()["alerts"][0]["kind"] == "visit_missed"
    login(world.th_ministry_official)
    board = client.get("/api/return-board/").json()
    corridor = next(c for c in board["corridors"] if c["corridor"] == "TH-KH")
    assert corridor["monitoring"]["visits_missed"] == 1
    assert "Srey" not in str(board)


def _approve_refused(world, p):
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    p.refresh_from_db()
    assert p.state == "decision"
    assert p.events.filter(transition="blocked", payload__guard=exc.value.code).exists()
    return exc.value.code


def test_blocked_when_an_asylum_claim_is_pending(world):
    case = _identified_in_thailand(world)
    p = _to_decision(world, case)
    case.asylum_status = "applied"
    case.save(update_fields=["asylum_status"])
    assert _approve_refused(world, p) == "return_non_refoulement"


def test_blocked_when_consent_is_withdrawn(world):
    p = _to_decision(world, _identified_in_thailand(world))
    svc.return_consent_withdraw(procedure=p, actor=world.th_officer, reason="Wants to stay")
    assert _approve_refused(world, p) == "return_consent_withdrawn"


def test_blocked_for_a_child_without_a_best_interests_determination(world):
    from workflows.cases.services.protection import guardian_appoint

    child = _identified_in_thailand(world, age_group="child", minor_status="known_child")
    p = _to_decision(world, child)
    from coordination.tests.factories import make_organisation

    cpa = make_organisation(kind="child_protection", country="TH", name="TH CPA")
    guardian_appoint(
        case=child,
        actor=world.th_officer,
        guardian_name="Guardian",
        appointed_by=cpa,
        involvement_assessed=True,
    )
    assert _approve_refused(world, p) == "return_child_no_bid"
