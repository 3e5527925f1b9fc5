"""A two-State world (Thailand returns, Cambodia receives) and helpers that drive a return
procedure through the real services to any step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from coordination.models import Country, Organisation, Role
from coordination.tests.factories import make_member_user, make_organisation
from workflows.cases.models import BestInterestsDetermination, Case, GuardianAppointment
from workflows.cases.tests.factories import make_case
from workflows.returns import services as svc
from workflows.returns.models import ReturnProcedure, ReturnState
from workflows.returns.risk import required_factors


class FakeAgreements(list):
    """Stands in for the agreements coverage queryset."""

    def exists(self) -> bool:
        return bool(self)


@dataclass
class World:
    th_ngo: Organisation
    th_ministry: Organisation
    th_prosecution: Organisation
    kh_ministry: Organisation
    kh_cpa: Organisation
    kh_ngo: Organisation
    other_th_ministry: Organisation
    vn_ministry: Organisation
    th_officer: Any
    th_supervisor: Any
    th_ministry_official: Any
    kh_officer: Any
    kh_supervisor: Any
    kh_cpa_officer: Any
    kh_ministry_official: Any
    other_th_official: Any
    vn_official: Any

    def case(self, **kw: Any) -> Case:
        kw.setdefault("nationality", "KH")
        kw.setdefault("country", "TH")
        kw.setdefault("gender", "Female")
        return make_case(self.th_ngo, **kw)

    def request(self, case: Case | None = None, **kw: Any) -> ReturnProcedure:
        return svc.return_request(
            case=case or self.case(),
            receiving_country=Country.objects.get(code="KH"),
            returning_authority=self.th_ministry,
            receiving_authority=self.kh_ministry,
            actor=self.th_officer,
            **kw,
        )


def ensure_reference_data() -> None:
    """Countries and risk factors, for a transactional test that may start after a flush."""
    import json
    from pathlib import Path

    from workflows.returns.models import ReturnRiskFactor

    for code, name in (
        ("TH", "Thailand"),
        ("KH", "Cambodia"),
        ("VN", "Viet Nam"),
        ("AT", "Austria"),
    ):
        Country.objects.get_or_create(code=code, defaults={"name": name})
    data = Path(__file__).resolve().parents[1] / "data" / "return_risk_factors.json"
    for row in json.loads(data.read_text(encoding="utf-8")):
        ReturnRiskFactor.objects.get_or_create(
            code=row["code"],
            defaults={
                k: row[k] for k in ("name", "description", "seed_ref", "child_only", "order")
            },
        )


def make_world() -> World:
    th_ngo = make_organisation(kind="ngo", country="TH", name="TH Shelter")
    th_ministry = make_organisation(kind="government_ministry", country="TH", name="TH MSDHS")
    th_prosecution = make_organisation(
        kind="prosecution_judiciary", country="TH", name="TH Attorney General"
    )
    kh_ministry = make_organisation(kind="government_ministry", country="KH", name="KH MoSVY")
    kh_cpa = make_organisation(kind="child_protection", country="KH", name="KH Child Protection")
    kh_ngo = make_organisation(kind="ngo", country="KH", name="KH Reintegration NGO")
    other_th_ministry = make_organisation(
        kind="government_ministry", country="TH", name="TH Ministry of Labour"
    )
    vn_ministry = make_organisation(kind="government_ministry", country="VN", name="VN MOLISA")

    th_officer = make_member_user(th_ngo, Role.CASE_OFFICER, username="th_officer")
    # The TH case officer also acts for the TH ministry's return desk.
    from coordination.services import membership_add

    membership_add(organisation=th_ministry, user=th_officer, role=Role.CASE_OFFICER, actor=None)
    th_supervisor = make_member_user(th_ministry, Role.SUPERVISOR, username="th_supervisor")
    th_ministry_official = make_member_user(
        th_ministry, Role.MINISTRY_OFFICIAL, username="th_minister"
    )
    kh_officer = make_member_user(kh_ministry, Role.CASE_OFFICER, username="kh_officer")
    kh_supervisor = make_member_user(kh_ministry, Role.SUPERVISOR, username="kh_supervisor")
    kh_cpa_officer = make_member_user(kh_cpa, Role.CASE_OFFICER, username="kh_cpa_officer")
    kh_ministry_official = make_member_user(
        kh_ministry, Role.MINISTRY_OFFICIAL, username="kh_minister"
    )
    other_th_official = make_member_user(
        other_th_ministry, Role.MINISTRY_OFFICIAL, username="th_labour_official"
    )
    vn_official = make_member_user(vn_ministry, Role.MINISTRY_OFFICIAL, username="vn_official")
    return World(**{k: v for k, v in locals().items() if k != "membership_add"})


def ratings(level: int = 1, *, is_child: bool = False, **overrides: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code in required_factors(is_child=is_child):
        out[code] = {"rating": overrides.get(code, level), "justification": f"{code} assessed"}
    return out


def prepare_child(case: Case, world: World, *, bid_outcome: str = "return_to_family") -> None:
    GuardianAppointment.objects.create(
        case=case,
        guardian_name="Guardian",
        appointed_by=world.th_ministry,
        involvement_assessed=True,
    )
    BestInterestsDetermination.objects.create(
        case=case,
        determined_by=world.th_ministry,
        child_views="wishes to go home",
        weight_given_to_views="due weight",
        outcome=bid_outcome,
        on_site_investigation_done=True,
    )


def consent(procedure: ReturnProcedure, world: World) -> None:
    svc.return_consent_record(
        procedure=procedure,
        actor=world.th_officer,
        language="Khmer",
        informed_orally=True,
        informed_in_writing=True,
        interpreter_used=True,
    )


def advance(
    procedure: ReturnProcedure, world: World, to: str, *, level: int = 1
) -> ReturnProcedure:
    """Drive the procedure through the real services up to `to` (a state of the main line)."""
    is_child = procedure.case.is_or_may_be_child
    order = [
        ReturnState.REQUESTED,
        ReturnState.RISK_ASSESSMENT,
        ReturnState.DECISION,
        ReturnState.PREPARATION,
        ReturnState.TRAVEL,
        ReturnState.HANDED_OVER,
        ReturnState.MONITORING,
        ReturnState.CLOSED,
    ]
    target = order.index(to)
    procedure.refresh_from_db()
    if procedure.state == ReturnState.REQUESTED and target >= 1:
        if not procedure.consents.exists():
            consent(procedure, world)
        procedure = svc.return_start_assessment(procedure=procedure, actor=world.th_officer)
    if procedure.state == ReturnState.RISK_ASSESSMENT and target >= 2:
        svc.risk_contribution_submit(
            procedure=procedure,
            actor=world.th_officer,
            side="returning",
            ratings=ratings(level, is_child=is_child),
        )
        svc.risk_contribution_submit(
            procedure=procedure, actor=world.kh_officer, ratings=ratings(level, is_child=is_child)
        )
        procedure = svc.return_submit_for_decision(procedure=procedure, actor=world.th_officer)
    if procedure.state == ReturnState.DECISION and target >= 3:
        svc.return_proceedings_record(
            procedure=procedure, actor=world.th_officer, proceedings_ongoing=False
        )
        if is_child:
            svc.return_on_site_assessment_record(
                procedure=procedure,
                actor=world.kh_officer,
                assessed_on=timezone.localdate(),
                favours_return=True,
                findings="Family home visited; conditions suitable.",
            )
            svc.return_participant_add(
                procedure=procedure, organisation=world.kh_cpa, actor=world.kh_officer
            )
            svc.return_reception_confirm(
                procedure=procedure, actor=world.kh_cpa_officer, kind="child_protection"
            )
        actor = world.th_supervisor if level >= 3 else world.th_officer
        procedure = svc.return_approve(
            procedure=procedure, actor=actor, grounds="Safe return assessed by both States."
        )
    if procedure.state == ReturnState.PREPARATION and target >= 4:
        svc.return_reception_confirm(
            procedure=procedure, actor=world.kh_officer, kind="reception", arrangements="Shelter"
        )
        svc.reintegration_service_add(
            procedure=procedure, actor=world.kh_officer, kind="accommodation", provider=world.kh_ngo
        )
        svc.travel_document_record(
            procedure=procedure,
            actor=world.th_officer,
            kind="travel_document",
            issuing_organisation=world.kh_ministry,
            issued_on=timezone.localdate() - dt.timedelta(days=1),
        )
        procedure = svc.return_depart(procedure=procedure, actor=world.th_officer)
    if procedure.state == ReturnState.TRAVEL and target >= 5:
        procedure = svc.return_hand_over(procedure=procedure, actor=world.kh_officer)
    if procedure.state == ReturnState.HANDED_OVER and target >= 6:
        procedure = svc.return_start_monitoring(procedure=procedure, actor=world.kh_officer)
    if procedure.state == ReturnState.MONITORING and target >= 7:
        for visit in procedure.monitoring_visits.all():
            svc.monitoring_visit_record(
                procedure=procedure,
                visit=visit,
                actor=world.kh_officer,
                outcome="safe",
                visited_on=timezone.localdate(),
            )
        procedure = svc.return_close(procedure=procedure, actor=world.kh_officer)
    procedure.refresh_from_db()
    assert procedure.state == to, (procedure.state, to)
    return procedure


def fake_agreements(monkeypatch: Any) -> dict[str, list[str]]:
    """Stand in for the agreements' coverage selector (workflows.returns.coverage): the returned
    dict's "return_reintegration" / "information_exchange" entries list the titles of the
    agreements that cover them (one MOU covers return and reintegration to begin with)."""
    covered: dict[str, list[str]] = {"return_reintegration": ["TH-KH MOU 2014"]}

    def fake(*, procedure: str, **_: Any) -> FakeAgreements:
        return FakeAgreements(covered.get(procedure, []))

    monkeypatch.setattr("workflows.returns.coverage._covering", fake)
    return covered
