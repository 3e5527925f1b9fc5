"""Demo return procedures in both directions of the Thailand-Cambodia corridor, made through the
services as the officers of both States would, at several steps: one blocked by a safeguard
(non-refoulement), one with an alternative granted (very high risk), one overdue, one child return
in preparation, one with a missed monitoring visit that alerted both States.

Idempotent: each demo case has a fixed pseudonymous reference ("C-2026-DR00nn") and its return is
only made when the case is new. Where time_machine is installed (the development environment),
each procedure is played out over the past weeks so that the history, the step durations and
the board's medians look like real work; otherwise everything happens today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone

from concord.errors import GuardFailed
from coordination.demo import demo_org, demo_user
from coordination.models import Country
from workflows.cases.models import Case

from . import services as svc
from .models import ReturnProcedure
from .risk import required_factors
from .selectors import return_facts

PREFIX = "C-2026-DR"


@contextlib.contextmanager
def _days_ago(days: int) -> Iterator[None]:
    """Run the block as if `days` ago (time_machine, when installed)."""
    try:
        import time_machine
    except ImportError:  # production image without dev tools: play everything today
        yield
        return
    with time_machine.travel(timezone.now() - dt.timedelta(days=days), tick=True):
        yield


class _Side:
    def __init__(self, cc: str) -> None:
        self.cc = cc
        self.country = Country.objects.get(code=cc)
        self.authority = demo_org(cc, "social_services")
        self.ministry = demo_org(cc, "ministry")
        self.child_protection = demo_org(cc, "child_protection")
        self.shelter = demo_org(cc, "shelter_ngo")
        self.officer = demo_user(f"{cc.lower()}_social_worker")
        self.supervisor = demo_user(f"{cc.lower()}_supervisor")
        self.child_officer = demo_user(f"{cc.lower()}_child_officer")


def _ratings(level: int, is_child: bool, **over: int) -> dict[str, Any]:
    notes = {
        0: "Not applicable on the information gathered.",
        1: "Low: no indication found; to be reviewed at each visit.",
        2: "Medium: some indication; mitigation in the reintegration plan.",
        3: "High: serious indication; mitigation required before any return.",
        4: "Very high: return would expose the person to serious harm.",
    }
    out = {}
    for code in required_factors(is_child=is_child):
        rating = over.get(code, level)
        out[code] = {"rating": rating, "justification": notes[rating]}
    return out


def _register(ref: str, side: _Side, *, nationality: str, **facts: Any) -> Case | None:
    from workflows.cases.services.cases import case_register

    if Case.objects.filter(reference=ref).exists():
        return None
    case = case_register(
        owner=side.authority,
        actor=side.officer,
        presume=True,
        identifying={"given_names": "Demo", "family_name": ref[-4:]},
        nationality=nationality,
        **facts,
    )
    Case.objects.filter(pk=case.pk).update(reference=ref)
    case.refresh_from_db()
    return case


def _legal_basis(p: ReturnProcedure, ret: _Side, rec: _Side) -> None:
    """Agreement in force, or else an ad-hoc arrangement approved by a supervisor of each side."""
    if return_facts(p).agreements_in_force or p.arrangements.exists():
        return
    svc.return_arrangement_record(
        procedure=p,
        actor=ret.officer,
        description="Exchange of letters between the two ministries for this return, under the "
        "2014 bilateral memorandum's principles.",
    )
    svc.return_arrangement_approve(procedure=p, actor=ret.supervisor)
    svc.return_arrangement_approve(procedure=p, actor=rec.supervisor)


class _Play:
    """Plays one procedure forward through the services, step by step, at given days ago."""

    def __init__(self, case: Case, ret: _Side, rec: _Side, *, start_days_ago: int) -> None:
        self.ret, self.rec, self.case = ret, rec, case
        self.is_child = case.is_or_may_be_child
        with _days_ago(start_days_ago):
            self.p = svc.return_request(
                case=case,
                receiving_country=rec.country,
                returning_authority=ret.authority,
                receiving_authority=rec.authority,
                actor=ret.officer,
            )
            svc.return_participant_add(
                procedure=self.p, organisation=ret.ministry, actor=ret.officer
            )
            svc.return_participant_add(
                procedure=self.p, organisation=rec.ministry, actor=rec.officer
            )
            svc.return_consent_record(
                procedure=self.p,
                actor=ret.officer,
                language="Khmer" if rec.cc == "KH" else "Thai",
                informed_orally=True,
                informed_in_writing=True,
                interpreter_used=True,
            )

    def at(self, days_ago: int, step: Callable[[ReturnProcedure], Any]) -> _Play:
        with _days_ago(days_ago):
            step(self.p)
        self.p.refresh_from_db()
        return self

    def assess(
        self, p: ReturnProcedure, level: int = 1, ret_over: Any = None, rec_over: Any = None
    ) -> None:
        if p.state == "requested":
            svc.return_start_assessment(procedure=p, actor=self.ret.officer)
        svc.risk_contribution_submit(
            procedure=p,
            actor=self.ret.officer,
            side="returning",
            ratings=_ratings(level, self.is_child, **(ret_over or {})),
            summary="Assessment by the returning State's social services.",
        )
        svc.risk_contribution_submit(
            procedure=p,
            actor=self.rec.officer,
            side="receiving",
            ratings=_ratings(level, self.is_child, **(rec_over or {})),
            summary="Assessment in the home community by the receiving State's social services.",
        )
        svc.return_submit_for_decision(procedure=p, actor=self.ret.officer)

    def approve(self, p: ReturnProcedure) -> None:
        svc.return_proceedings_record(
            procedure=p, actor=self.ret.officer, proceedings_ongoing=False
        )
        _legal_basis(p, self.ret, self.rec)
        svc.return_approve(
            procedure=p,
            actor=self.ret.officer,
            grounds="Both States assess the risk as low; the person asks to go home; "
            "reintegration support is available.",
        )

    def prepare_and_depart(self, p: ReturnProcedure) -> None:
        svc.return_reception_confirm(
            procedure=p,
            actor=self.rec.officer,
            kind="reception",
            arrangements="Met at the border checkpoint by a social worker; first week at the "
            "provincial shelter.",
        )
        svc.reintegration_service_add(
            procedure=p, actor=self.rec.officer, kind="accommodation", provider=self.rec.shelter
        )
        svc.reintegration_service_add(
            procedure=p, actor=self.rec.officer, kind="psychosocial", provider=self.rec.shelter
        )
        svc.reintegration_service_add(
            procedure=p,
            actor=self.rec.officer,
            kind="skills_training",
            provider=self.rec.authority,
        )
        svc.travel_document_record(
            procedure=p,
            actor=self.ret.officer,
            kind="travel_document",
            issuing_organisation=demo_org(self.rec.cc, "embassy"),
            issued_on=timezone.localdate(),
        )
        svc.return_depart(procedure=p, actor=self.ret.officer)

    def hand_over(self, p: ReturnProcedure) -> None:
        svc.return_hand_over(procedure=p, actor=self.rec.officer)
        svc.return_start_monitoring(procedure=p, actor=self.rec.officer)


def load(*, stdout: Any) -> None:
    th, kh = _Side("TH"), _Side("KH")
    made = 0

    # 1. TH → KH, adult, in monitoring: first visit safe.
    case = _register(
        f"{PREFIX}0001",
        th,
        nationality="KH",
        gender="Female",
        age_group="adult",
        age_band="24-26",
        exploitation_forms=["forced_labour"],
    )
    if case:
        play = _Play(case, th, kh, start_days_ago=140)
        play.at(135, play.assess).at(120, play.approve).at(97, play.prepare_and_depart)
        play.at(95, play.hand_over)
        visit = play.p.monitoring_visits.order_by("due_on")[0]
        play.at(
            62,
            lambda p: svc.monitoring_visit_record(
                procedure=p,
                visit=visit,
                actor=kh.officer,
                outcome="safe",
                visited_on=timezone.localdate(),
                notes="Working at the family's farm; attends training.",
            ),
        )
        made += 1

    # 2. TH → KH, adult, awaiting the decision.
    case = _register(
        f"{PREFIX}0002",
        th,
        nationality="KH",
        gender="Male",
        age_group="adult",
        age_band="30-38",
        exploitation_forms=["forced_labour", "debt_bondage"],
    )
    if case:
        play = _Play(case, th, kh, start_days_ago=28)
        play.at(20, lambda p: play.assess(p, 2, ret_over={"debts": 2}))
        made += 1

    # 3. TH → KH, blocked by non-refoulement: an asylum claim is pending.
    case = _register(
        f"{PREFIX}0003",
        th,
        nationality="KH",
        gender="Female",
        age_group="adult",
        age_band="21-23",
        exploitation_forms=["sexual_exploitation"],
        asylum_status="applied",
    )
    if case:
        play = _Play(case, th, kh, start_days_ago=12)
        with contextlib.suppress(GuardFailed):  # the refusal is recorded as a "blocked" event
            play.at(10, lambda p: svc.return_start_assessment(procedure=p, actor=th.officer))
        made += 1

    # 4. TH → KH, very high risk (retaliation): an alternative granted (temporary residence).
    case = _register(
        f"{PREFIX}0004",
        th,
        nationality="KH",
        gender="Female",
        age_group="adult",
        age_band="18-20",
        exploitation_forms=["sexual_exploitation"],
    )
    if case:
        play = _Play(case, th, kh, start_days_ago=70)
        play.at(
            60, lambda p: play.assess(p, 1, rec_over={"retaliation": 4, "family_complicity": 3})
        )
        play.at(
            55,
            lambda p: svc.return_grant_alternative(
                procedure=p,
                actor=th.supervisor,
                kind="temporary_residence",
                grounds="Very high risk of retaliation in the home village (receiving State's "
                "assessment); temporary residence in Thailand while the trial goes on.",
            ),
        )
        made += 1

    # 5. TH → KH, overdue: the risk assessment waits for the receiving State's part.
    case = _register(
        f"{PREFIX}0005",
        th,
        nationality="KH",
        gender="Male",
        age_group="adult",
        age_band="39-47",
        exploitation_forms=["forced_labour"],
    )
    if case:
        play = _Play(case, th, kh, start_days_ago=60)
        play.at(55, lambda p: svc.return_start_assessment(procedure=p, actor=th.officer))
        play.at(
            50,
            lambda p: svc.risk_contribution_submit(
                procedure=p,
                actor=th.officer,
                side="returning",
                ratings=_ratings(1, False),
                summary="Returning State's part; the receiving State's home visit is pending.",
            ),
        )
        made += 1

    # 6. TH → KH, a child: guardian, best interests for return, child protection accepted,
    #    on-site assessment; approved and in preparation.
    case = _register(
        f"{PREFIX}0006",
        th,
        nationality="KH",
        gender="Female",
        age_group="child",
        age_band="9-17",
        minor_status="known_child",
        exploitation_forms=["forced_begging"],
    )
    if case:
        from workflows.cases.services.protection import best_interests_record, guardian_appoint

        th_cpa = th.child_protection
        guardian_appoint(
            case=case,
            actor=th.officer,
            guardian_name="Demo guardian",
            appointed_by=th_cpa,
            guardian_organisation=th_cpa,
        )
        best_interests_record(
            case=case,
            actor=th.officer,
            determined_by=th_cpa,
            child_views="Wants to go back to her grandmother.",
            weight_given_to_views="Due weight given to her age and maturity.",
            outcome="return_to_family",
            on_site_investigation_done=True,
        )
        play = _Play(case, th, kh, start_days_ago=40)
        play.at(35, lambda p: play.assess(p, 1))

        def child_checks(p: ReturnProcedure) -> None:
            svc.return_participant_add(
                procedure=p, organisation=kh.child_protection, actor=kh.officer
            )
            svc.return_reception_confirm(
                procedure=p,
                actor=kh.child_officer,
                kind="child_protection",
                arrangements="Guardian named in the home province.",
            )
            svc.return_on_site_assessment_record(
                procedure=p,
                actor=kh.officer,
                assessed_on=timezone.localdate(),
                favours_return=True,
                findings="Home visit: the grandmother is able and willing to care for her; "
                "no sign of family complicity.",
            )
            play.approve(p)

        play.at(20, child_checks)
        made += 1

    # 7. KH → TH, adult, travelling.
    case = _register(
        f"{PREFIX}0101",
        kh,
        nationality="TH",
        gender="Male",
        age_group="adult",
        age_band="27-29",
        exploitation_forms=["forced_labour"],
    )
    if case:
        play = _Play(case, kh, th, start_days_ago=45)
        play.at(40, play.assess).at(30, play.approve).at(1, play.prepare_and_depart)
        made += 1

    # 8. KH → TH, adult, monitoring: the 3-month visit was missed; both States were alerted.
    case = _register(
        f"{PREFIX}0102",
        kh,
        nationality="TH",
        gender="Female",
        age_group="adult",
        age_band="30-38",
        exploitation_forms=["domestic_servitude"],
    )
    if case:
        play = _Play(case, kh, th, start_days_ago=200)
        play.at(190, play.assess).at(180, play.approve).at(160, play.prepare_and_depart)
        play.at(158, play.hand_over)
        visit = play.p.monitoring_visits.order_by("due_on")[0]
        play.at(
            125,
            lambda p: svc.monitoring_visit_record(
                procedure=p,
                visit=visit,
                actor=th.officer,
                outcome="concerns",
                visited_on=timezone.localdate(),
                notes="Former recruiter seen in the village.",
            ),
        )
        svc.return_monitoring_sweep()
        made += 1

    # 9. KH → TH, just requested.
    case = _register(
        f"{PREFIX}0103",
        kh,
        nationality="TH",
        gender="Male",
        age_group="adult",
        age_band="18-20",
        exploitation_forms=["forced_labour"],
    )
    if case:
        _Play(case, kh, th, start_days_ago=2)
        made += 1

    svc.return_steps_overdue_sweep()
    total = ReturnProcedure.objects.filter(case__reference__startswith=PREFIX).count()
    stdout.write(f"returns: {total} demo return procedures ({made} new) on the TH-KH corridor")
