"""Every safeguard failing and holding: over plain values, and through the services (where a
refusal leaves a `blocked` event and changes nothing else)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.utils import timezone

from concord.errors import GuardFailed
from workflows.cases.models import BestInterestsDetermination, ReflectionPeriod
from workflows.returns import guards as g
from workflows.returns import services as svc
from workflows.returns.models import ReturnState
from workflows.returns.signals import return_blocked
from workflows.returns.tests.factories import advance, ratings

# A procedure where every safeguard holds (an adult).
OK = g.ReturnFacts(
    consent_recorded=True,
    proceedings_checked=True,
    assessment_version=1,
    returning_part_submitted=True,
    receiving_part_submitted=True,
    overall_level="low",
    agreements_in_force=("MOU",),
    reception_confirmed=True,
    reintegration_services=1,
    travel_documents=1,
    visits_total=4,
    visits_open=0,
)
CHILD_OK = replace(
    OK,
    is_child=True,
    guardian_appointed=True,
    bid_recorded=True,
    bid_favours_return=True,
    child_protection_accepted=True,
    on_site_assessment_recorded=True,
    on_site_assessment_favourable=True,
)

FAILING = [
    ("voluntary", {"consent_recorded": False}, "return_not_voluntary"),
    (
        "voluntary",
        {"consent_recorded": False, "consent_withdrawn": True},
        "return_consent_withdrawn",
    ),
    ("non_refoulement", {"asylum_status": "applied"}, "return_non_refoulement"),
    ("non_refoulement", {"asylum_status": "recognised_refugee"}, "return_non_refoulement"),
    ("non_refoulement", {"asylum_status": "reason_to_believe_refugee"}, "return_non_refoulement"),
    ("reflection_period", {"reflection_running": True}, "return_reflection_period"),
    ("reflection_period", {"reflection_cut_short": True}, "return_reflection_period"),
    ("judicial_proceedings", {"proceedings_checked": False}, "return_proceedings_unchecked"),
    ("judicial_proceedings", {"proceedings_ongoing": True}, "return_judicial_proceedings"),
    (
        "judicial_proceedings",
        {"proceedings_ongoing": True, "person_requests_return": True},
        "return_judicial_proceedings",
    ),
    ("risk_assessment_complete", {"assessment_version": None}, "return_risk_assessment_missing"),
    (
        "risk_assessment_complete",
        {"receiving_part_submitted": False},
        "return_risk_assessment_incomplete",
    ),
    ("legal_basis", {"agreements_in_force": ()}, "return_no_legal_basis"),
    (
        "legal_basis",
        {
            "agreements_in_force": (),
            "arrangement_recorded": True,
            "arrangement_approved_returning": True,
        },
        "return_no_legal_basis",
    ),
    ("risk_level", {"overall_level": "very_high"}, "return_risk_very_high"),
    ("risk_level", {"overall_level": "high"}, "return_risk_high"),
    ("risk_level", {"overall_level": "high", "decided_by_supervisor": True}, "return_risk_high"),
    ("reception_confirmed", {"reception_confirmed": False}, "return_reception_unconfirmed"),
    ("reintegration_plan", {"reintegration_services": 0}, "return_no_reintegration_plan"),
    ("travel_documents", {"travel_documents": 0}, "return_no_travel_documents"),
    ("monitoring_done", {"visits_open": 1}, "return_monitoring_open"),
    ("monitoring_done", {"visits_total": 0}, "return_monitoring_open"),
]
CHILD_FAILING = [
    ("child_safeguards", {"guardian_appointed": False}, "return_child_guardian"),
    (
        "child_safeguards",
        {"bid_recorded": False, "bid_favours_return": False},
        "return_child_no_bid",
    ),
    ("child_safeguards", {"bid_favours_return": False}, "return_child_bid_against"),
    ("child_safeguards", {"child_protection_accepted": False}, "return_child_protection"),
    ("child_on_site_assessment", {"on_site_assessment_recorded": False}, "return_child_on_site"),
    (
        "child_on_site_assessment",
        {"on_site_assessment_favourable": False},
        "return_child_on_site_unfavourable",
    ),
]


@pytest.mark.parametrize(("name", "changes", "code"), FAILING)
def test_guard_fails_with_its_code_and_a_seed_reference(name, changes, code):
    guard = g.GUARD_INFO[name][0]
    guard(OK)  # holds on a good procedure
    with pytest.raises(GuardFailed) as exc:
        guard(replace(OK, **changes))
    assert exc.value.code == code
    assert "seed" in exc.value.message


@pytest.mark.parametrize(("name", "changes", "code"), CHILD_FAILING)
def test_child_guard_fails_and_holds(name, changes, code):
    guard = g.GUARD_INFO[name][0]
    guard(CHILD_OK)
    guard(replace(OK, **changes))  # an adult: not applicable, holds
    with pytest.raises(GuardFailed) as exc:
        guard(replace(CHILD_OK, **changes))
    assert exc.value.code == code
    assert "seed" in exc.value.message


def test_guards_that_hold_in_their_exceptions():
    g.guard_judicial_proceedings(
        replace(
            OK, proceedings_ongoing=True, person_requests_return=True, prosecution_consulted=True
        )
    )
    g.guard_legal_basis(
        replace(
            OK,
            agreements_in_force=(),
            arrangement_recorded=True,
            arrangement_approved_returning=True,
            arrangement_approved_receiving=True,
        )
    )
    g.guard_risk_level(
        replace(OK, overall_level="high", decided_by_supervisor=True, decision_grounds="grounds")
    )
    g.guard_risk_level(replace(OK, overall_level="medium"))


def test_checklist_evaluates_every_guard_and_says_why():
    items = g.guard_checklist(replace(OK, consent_withdrawn=True, consent_recorded=False))
    assert [i.name for i in items] == list(g.GUARD_INFO)
    by = {i.name: i for i in items}
    assert not by["voluntary"].holds
    assert by["voluntary"].code == "return_consent_withdrawn"
    assert "withdrawn" in by["voluntary"].message
    assert by["child_safeguards"].holds
    assert by["child_safeguards"].not_applicable
    assert by["legal_basis"].holds
    assert "approve" in by["legal_basis"].applies_to
    assert "depart" in by["legal_basis"].applies_to


# ---- through the services --------------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("agreements")


def _blocked_codes(p):
    return list(p.events.filter(transition="blocked").values_list("payload__guard", flat=True))


def test_no_consent_blocks_the_assessment_and_leaves_a_blocked_event(world):
    p = world.request()
    seen = []
    return_blocked.connect(lambda **kw: seen.append(kw["guard"]), weak=False, dispatch_uid="t1")
    try:
        with pytest.raises(GuardFailed) as exc:
            svc.return_start_assessment(procedure=p, actor=world.th_officer)
    finally:
        return_blocked.disconnect(dispatch_uid="t1")
    assert exc.value.code == "return_not_voluntary"
    p.refresh_from_db()
    assert p.state == ReturnState.REQUESTED
    assert not p.risk_assessments.exists()
    assert _blocked_codes(p) == ["return_not_voluntary"]
    assert seen == ["return_not_voluntary"]


def test_withdrawn_consent_blocks_approval(world):
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    svc.return_consent_withdraw(procedure=p, actor=world.th_officer, reason="Person decided")
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_consent_withdrawn"
    # a new, informed consent lets it go on
    svc.return_consent_record(
        procedure=p,
        actor=world.th_officer,
        language="Khmer",
        informed_orally=True,
        informed_in_writing=True,
    )
    assert (
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok").state == "preparation"
    )


def test_consent_must_be_informed_orally_and_in_writing(world):
    from concord.errors import ApplicationError

    p = world.request()
    with pytest.raises(ApplicationError) as exc:
        svc.return_consent_record(
            procedure=p,
            actor=world.th_officer,
            language="",
            informed_orally=True,
            informed_in_writing=False,
        )
    assert set(exc.value.fields) == {"language", "informed_in_writing"}
    assert not p.consents.exists()


@pytest.mark.parametrize("status", ["applied", "recognised_refugee", "reason_to_believe_refugee"])
def test_asylum_claim_or_refugee_status_blocks(world, status):
    p = world.request(world.case(asylum_status=status))
    from workflows.returns.tests.factories import consent

    consent(p, world)
    with pytest.raises(GuardFailed) as exc:
        svc.return_start_assessment(procedure=p, actor=world.th_officer)
    assert exc.value.code == "return_non_refoulement"


def test_asylum_claim_made_later_blocks_the_decision(world):
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    p.case.asylum_status = "applied"
    p.case.save()
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_non_refoulement"


def test_running_reflection_period_blocks_unless_the_person_ended_it(world):
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    today = timezone.localdate()
    period = ReflectionPeriod.objects.create(
        case=p.case,
        started_on=today - dt.timedelta(days=5),
        length_days=30,
        ends_on=today + dt.timedelta(days=25),
    )
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_reflection_period"
    period.ended_on = today
    period.end_kind = "expired"  # cut short, not by the person
    period.save()
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_reflection_period"
    period.end_kind = "person_decision"
    period.outcome = "seek_return"
    period.save()
    assert (
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok").state == "preparation"
    )


def test_judicial_proceedings(world):
    p = advance(world.request(), world, ReturnState.DECISION)
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_proceedings_unchecked"
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=True)
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_judicial_proceedings"
    svc.return_proceedings_record(
        procedure=p,
        actor=world.th_officer,
        proceedings_ongoing=True,
        person_requests_return=True,
        prosecution=world.th_prosecution,
        consulted_on=timezone.localdate(),
        prosecution_view="Testimony already recorded on video.",
    )
    assert (
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok").state == "preparation"
    )


def test_child_without_best_interests_determination_is_blocked(world):
    from coordination.models import Country
    from workflows.cases.models import GuardianAppointment

    case = world.case(minor_status="known_child")
    p = svc.return_request(
        case=case,
        receiving_country=Country.objects.get(code="KH"),
        returning_authority=world.th_ministry,
        receiving_authority=world.kh_ministry,
        actor=world.th_officer,
    )
    p = advance(p, world, ReturnState.DECISION)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)

    def approve_code():
        with pytest.raises(GuardFailed) as exc:
            svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
        return exc.value.code

    assert approve_code() == "return_child_guardian"
    GuardianAppointment.objects.create(
        case=case, guardian_name="G", appointed_by=world.th_ministry, involvement_assessed=True
    )
    assert approve_code() == "return_child_no_bid"
    bid = BestInterestsDetermination.objects.create(
        case=case,
        determined_by=world.th_ministry,
        child_views="x",
        weight_given_to_views="due",
        outcome="stay_in_country",
    )
    assert approve_code() == "return_child_bid_against"
    bid.outcome = "return_to_family"
    bid.save()
    assert approve_code() == "return_child_protection"
    svc.return_participant_add(procedure=p, organisation=world.kh_cpa, actor=world.kh_officer)
    svc.return_reception_confirm(procedure=p, actor=world.kh_cpa_officer, kind="child_protection")
    assert approve_code() == "return_child_on_site"
    svc.return_on_site_assessment_record(
        procedure=p,
        actor=world.kh_officer,
        assessed_on=timezone.localdate(),
        favours_return=False,
        findings="Family situation unsafe.",
    )
    assert approve_code() == "return_child_on_site_unfavourable"
    svc.return_on_site_assessment_record(
        procedure=p,
        actor=world.kh_officer,
        assessed_on=timezone.localdate(),
        favours_return=True,
        findings="Re-visited; conditions now suitable.",
    )
    assert (
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok").state == "preparation"
    )


def test_only_the_child_protection_authority_accepts_a_child(world):
    from django.core.exceptions import PermissionDenied

    p = world.request(world.case(minor_status="known_child"))
    with pytest.raises(PermissionDenied):
        svc.return_reception_confirm(procedure=p, actor=world.kh_officer, kind="child_protection")


def test_risk_assessment_needs_both_states(world):
    p = advance(world.request(), world, ReturnState.RISK_ASSESSMENT)
    with pytest.raises(GuardFailed) as exc:
        svc.return_submit_for_decision(procedure=p, actor=world.th_officer)
    assert exc.value.code == "return_risk_assessment_incomplete"
    svc.risk_contribution_submit(
        procedure=p, actor=world.th_officer, side="returning", ratings=ratings(1)
    )
    with pytest.raises(GuardFailed) as exc:
        svc.return_submit_for_decision(procedure=p, actor=world.th_officer)
    assert "receiving State" in exc.value.message
    svc.risk_contribution_submit(procedure=p, actor=world.kh_officer, ratings=ratings(2))
    assert svc.return_submit_for_decision(procedure=p, actor=world.kh_officer).state == "decision"
    assert p.risk_assessments.get().overall_level == "medium"


def test_legal_basis_agreement_or_approved_arrangement(world, agreements):
    from django.core.exceptions import PermissionDenied

    agreements["return_reintegration"] = []
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_no_legal_basis"
    svc.return_arrangement_record(
        procedure=p, actor=world.th_officer, description="Exchange of notes"
    )
    with pytest.raises(PermissionDenied):
        svc.return_arrangement_approve(procedure=p, actor=world.th_officer)  # not a supervisor
    svc.return_arrangement_approve(procedure=p, actor=world.th_supervisor)
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_no_legal_basis"
    svc.return_arrangement_approve(procedure=p, actor=world.kh_supervisor)
    assert (
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok").state == "preparation"
    )


def test_high_risk_needs_a_supervisor_with_grounds(world):
    p = advance(world.request(), world, ReturnState.RISK_ASSESSMENT)
    svc.risk_contribution_submit(
        procedure=p, actor=world.th_officer, side="returning", ratings=ratings(1, debts=3)
    )
    svc.risk_contribution_submit(procedure=p, actor=world.kh_officer, ratings=ratings(1))
    p = svc.return_submit_for_decision(procedure=p, actor=world.th_officer)
    assert p.risk_assessments.get().overall_level == "high"
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok")
    assert exc.value.code == "return_risk_high"
    p = svc.return_approve(
        procedure=p, actor=world.th_supervisor, grounds="Debt settled; escort arranged."
    )
    d = p.decisions.get()
    assert d.by_supervisor
    assert d.overall_level == "high"
    assert d.assessment.version == 1


def test_very_high_risk_blocks_and_proposes_alternatives(world):
    p = advance(world.request(), world, ReturnState.RISK_ASSESSMENT)
    # a critical factor (retaliation) rated high counts as very high
    svc.risk_contribution_submit(
        procedure=p, actor=world.th_officer, side="returning", ratings=ratings(1)
    )
    svc.risk_contribution_submit(
        procedure=p, actor=world.kh_officer, ratings=ratings(1, retaliation=3)
    )
    p = svc.return_submit_for_decision(procedure=p, actor=world.th_officer)
    assert p.risk_assessments.get().overall_level == "very_high"
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    with pytest.raises(GuardFailed) as exc:
        svc.return_approve(procedure=p, actor=world.th_supervisor, grounds="insist")
    assert exc.value.code == "return_risk_very_high"
    assert "residence" in exc.value.message
    assert "third State" in exc.value.message
    p = svc.return_grant_alternative(
        procedure=p, actor=world.th_officer, kind="temporary_residence", grounds="Very high risk."
    )
    assert p.state == "alternative"


@pytest.mark.parametrize(
    ("missing", "code"),
    [
        ("reception", "return_reception_unconfirmed"),
        ("plan", "return_no_reintegration_plan"),
        ("documents", "return_no_travel_documents"),
    ],
)
def test_before_travel(world, missing, code):
    p = advance(world.request(), world, ReturnState.PREPARATION)
    if missing != "reception":
        svc.return_reception_confirm(procedure=p, actor=world.kh_officer, kind="reception")
    if missing != "plan":
        svc.reintegration_service_add(
            procedure=p, actor=world.kh_officer, kind="psychosocial", provider=world.kh_ngo
        )
    if missing != "documents":
        svc.travel_document_record(
            procedure=p,
            actor=world.th_officer,
            kind="passport",
            issuing_organisation=world.kh_ministry,
            issued_on=timezone.localdate(),
        )
    with pytest.raises(GuardFailed) as exc:
        svc.return_depart(procedure=p, actor=world.th_officer)
    assert exc.value.code == code
    p.refresh_from_db()
    assert p.state == "preparation"
    assert p.departed_at is None


def test_close_needs_every_visit_recorded(world):
    p = advance(world.request(), world, ReturnState.MONITORING)
    with pytest.raises(GuardFailed) as exc:
        svc.return_close(procedure=p, actor=world.kh_officer)
    assert exc.value.code == "return_monitoring_open"
