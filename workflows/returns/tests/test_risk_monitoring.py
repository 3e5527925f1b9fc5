"""The rating scale and overall level (per-country settings), the reference data, the monitoring
schedule, missed and alarming visits and overdue steps alerting both States."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from workflows.returns import risk
from workflows.returns import services as svc
from workflows.returns.models import ReturnAlert, ReturnRiskFactor, ReturnRiskPolicy, ReturnState
from workflows.returns.schedule import add_months, clean_months, is_missed, visit_due_dates
from workflows.returns.signals import (
    monitoring_visit_alarming,
    monitoring_visit_missed,
    return_step_due,
)
from workflows.returns.tests.factories import advance, ratings


def test_overall_level_derivation():
    assert risk.overall_level({}) == "low"
    assert risk.overall_level({"health": 1, "debts": 0}) == "low"
    assert risk.overall_level({"health": 2}) == "medium"
    assert risk.overall_level({"health": 3}) == "high"
    assert risk.overall_level({"health": 4}) == "very_high"
    # a critical factor rated high counts as very high
    assert risk.overall_level({"retaliation": 3}) == "very_high"
    # three factors high: very high
    assert risk.overall_level({"health": 3, "debts": 3, "stigmatisation": 3}) == "very_high"
    policy = risk.RiskPolicy(critical_factors=(), escalation_count=0)
    assert risk.overall_level({"retaliation": 3, "health": 3, "debts": 3}, policy) == "high"


def test_combined_ratings_take_the_higher_of_the_two_states():
    assert risk.combined_ratings([{"health": 1, "debts": 3}, {"health": 2, "debts": 0}]) == {
        "health": 2,
        "debts": 3,
    }


def test_child_factor_only_for_a_child():
    assert "child_best_interests" not in risk.required_factors(is_child=False)
    assert "child_best_interests" in risk.required_factors(is_child=True)


def test_reference_factors_loaded_by_the_data_migration(db):
    data = json.loads(
        (Path(__file__).resolve().parents[1] / "data" / "return_risk_factors.json").read_text()
    )
    codes = list(ReturnRiskFactor.objects.values_list("code", flat=True))
    assert codes == [row["code"] for row in sorted(data, key=lambda r: r["order"])]
    assert tuple(codes) == risk.FACTOR_CODES
    assert all(ReturnRiskFactor.objects.filter(seed_ref="").count() == 0 for _ in [0])


@pytest.mark.usefixtures("agreements")
def test_per_country_policy_changes_the_level(world):
    ReturnRiskPolicy.objects.create(country_id="TH", critical_factors=[], escalation_count=0)
    p = advance(world.request(), world, ReturnState.RISK_ASSESSMENT)
    svc.risk_contribution_submit(
        procedure=p, actor=world.th_officer, side="returning", ratings=ratings(1, retaliation=3)
    )
    svc.risk_contribution_submit(procedure=p, actor=world.kh_officer, ratings=ratings(1))
    assert p.risk_assessments.get().overall_level == "high"  # not very high: TH's settings


@pytest.mark.usefixtures("agreements")
def test_contribution_needs_every_factor_justified_and_is_never_resubmitted(world):
    from concord.errors import ApplicationError, GuardFailed

    p = advance(world.request(), world, ReturnState.RISK_ASSESSMENT)
    bad = ratings(1)
    bad["health"] = {"rating": 1, "justification": ""}
    bad["debts"] = {"rating": 9, "justification": "x"}
    del bad["retaliation"]
    with pytest.raises(ApplicationError) as exc:
        svc.risk_contribution_submit(
            procedure=p, actor=world.th_officer, side="returning", ratings=bad
        )
    assert set(exc.value.fields) == {"health", "debts", "retaliation"}
    assert not p.risk_assessments.get().contributions.exists()
    svc.risk_contribution_submit(
        procedure=p, actor=world.th_officer, side="returning", ratings=ratings(1)
    )
    with pytest.raises(GuardFailed) as exc:
        svc.risk_contribution_submit(
            procedure=p, actor=world.th_officer, side="returning", ratings=ratings(2)
        )
    assert exc.value.code == "return_part_submitted"


def test_schedule_logic():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert visit_due_dates(dt.date(2026, 1, 10), [12, 1, 3, 6]) == [
        (1, dt.date(2026, 2, 10)),
        (3, dt.date(2026, 4, 10)),
        (6, dt.date(2026, 7, 10)),
        (12, dt.date(2027, 1, 10)),
    ]
    with pytest.raises(ValueError, match="at least one"):
        clean_months([])
    with pytest.raises(ValueError, match="between"):
        clean_months([0])
    assert is_missed(
        due_on=dt.date(2026, 1, 1), outcome="", today=dt.date(2026, 1, 16), grace_days=14
    )
    assert not is_missed(
        due_on=dt.date(2026, 1, 1), outcome="", today=dt.date(2026, 1, 15), grace_days=14
    )
    assert not is_missed(
        due_on=dt.date(2026, 1, 1), outcome="safe", today=dt.date(2026, 3, 1), grace_days=14
    )


@pytest.mark.usefixtures("agreements")
def test_schedule_per_case(world):
    p = world.request()
    svc.monitoring_schedule_set(procedure=p, actor=world.th_officer, months=[2, 4])
    p = advance(p, world, ReturnState.MONITORING)
    assert list(p.monitoring_visits.values_list("months_after", flat=True)) == [2, 4]
    from concord.errors import GuardFailed

    with pytest.raises(GuardFailed):
        svc.monitoring_schedule_set(procedure=p, actor=world.th_officer, months=[1])


@pytest.mark.usefixtures("agreements")
def test_missed_visit_alerts_both_states_once(world):
    p = advance(world.request(), world, ReturnState.MONITORING)
    first = p.monitoring_visits.order_by("due_on").first()
    seen = []
    monitoring_visit_missed.connect(
        lambda **kw: seen.append(sorted(o.name for o in kw["organisations"])),
        weak=False,
        dispatch_uid="m",
    )
    try:
        assert svc.return_monitoring_sweep(today=first.due_on + dt.timedelta(days=14)) == 0
        assert svc.return_monitoring_sweep(today=first.due_on + dt.timedelta(days=15)) == 1
        assert svc.return_monitoring_sweep(today=first.due_on + dt.timedelta(days=16)) == 0
    finally:
        monitoring_visit_missed.disconnect(dispatch_uid="m")
    alert = ReturnAlert.objects.get(procedure=p, kind="visit_missed")
    names = set(alert.organisations.values_list("name", flat=True))
    assert {"TH MSDHS", "KH MoSVY"} <= names
    assert len(seen) == 1
    assert "TH MSDHS" in seen[0]
    assert "KH MoSVY" in seen[0]
    first.refresh_from_db()
    assert first.missed_at is not None
    assert p.events.filter(transition="visit_missed").count() == 1


@pytest.mark.usefixtures("agreements")
def test_alarming_visit_alerts_both_states(world):
    p = advance(world.request(), world, ReturnState.MONITORING)
    visit = p.monitoring_visits.first()
    seen = []
    monitoring_visit_alarming.connect(
        lambda **kw: seen.append(kw["visit"].pk), weak=False, dispatch_uid="a"
    )
    try:
        svc.monitoring_visit_record(
            procedure=p,
            visit=visit,
            actor=world.kh_officer,
            outcome="re_trafficking_risk",
            visited_on=timezone.localdate(),
        )
    finally:
        monitoring_visit_alarming.disconnect(dispatch_uid="a")
    assert seen == [visit.pk]
    alert = ReturnAlert.objects.get(procedure=p, kind="visit_alarming")
    assert alert.organisations.filter(country_id="TH").exists()
    assert alert.organisations.filter(country_id="KH").exists()
    from concord.errors import GuardFailed

    with pytest.raises(GuardFailed):
        svc.monitoring_visit_record(
            procedure=p,
            visit=visit,
            actor=world.kh_officer,
            outcome="safe",
            visited_on=timezone.localdate(),
        )


@pytest.mark.usefixtures("agreements")
def test_overdue_step_alerts_once(world):
    p = world.request()
    step = p.steps.get()
    seen = []
    return_step_due.connect(
        lambda **kw: seen.append(kw["step"].state), weak=False, dispatch_uid="s"
    )
    try:
        with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
            assert svc.return_steps_overdue_sweep() == 1
            assert svc.return_steps_overdue_sweep() == 0
    finally:
        return_step_due.disconnect(dispatch_uid="s")
    assert seen == ["requested"]
    step.refresh_from_db()
    assert step.overdue_alerted_at is not None
    assert ReturnAlert.objects.filter(procedure=p, kind="step_overdue").count() == 1


@pytest.mark.usefixtures("agreements")
def test_past_step_is_never_edited(world):
    from concord.errors import ApplicationError

    p = advance(world.request(), world, ReturnState.RISK_ASSESSMENT)
    past = p.steps.get(state="requested")
    left = past.left_at
    step = svc.return_step_assign(procedure=p, actor=world.kh_officer, organisation=world.kh_ngo)
    assert step.state == "risk_assessment"
    assert step.receiving_organisation == world.kh_ngo
    past.refresh_from_db()
    assert past.left_at == left
    with pytest.raises(ApplicationError):
        svc.return_step_assign(
            procedure=p, actor=world.th_officer, due_on=timezone.localdate() - dt.timedelta(days=1)
        )


def test_tasks_call_the_sweeps(db):
    from workflows.returns import tasks

    assert tasks.return_monitoring_sweep() == 0
    assert tasks.return_steps_overdue_sweep() == 0


def test_schedules_declare_the_return_sweeps():
    from celery import current_app

    import workflows.returns.tasks  # noqa: F401 - registers the tasks
    from concord.schedules import collect_schedules

    names = {s.name: s.task for s in collect_schedules()}
    assert (
        names["returns: monitoring visits missed"]
        == "workflows.returns.tasks.return_monitoring_sweep"
    )
    assert names["returns: steps overdue"] == "workflows.returns.tasks.return_steps_overdue_sweep"
    for task in (
        "workflows.returns.tasks.return_monitoring_sweep",
        "workflows.returns.tasks.return_steps_overdue_sweep",
    ):
        assert task in current_app.tasks


def test_country_settings_are_editable_in_the_admin(db, client, login):
    from coordination.tests.factories import make_member_user

    admin = make_member_user(None, username="returns_admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login(admin)
    r = client.post(
        "/admin/returns/returnriskpolicy/add/",
        {
            "country": "KH",
            "critical_factors": '["retaliation"]',
            "escalation_count": "2",
            "monitoring_months": "[1, 6, 12]",
            "monitoring_grace_days": "10",
            "step_due_days": '{"decision": 10}',
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert r["Location"] == "/admin/returns/returnriskpolicy/", r["Location"]
    row = ReturnRiskPolicy.objects.get(country_id="KH")
    assert row.critical_factors == ["retaliation"]
    from workflows.returns.selectors import return_settings_for

    s = return_settings_for("KH")
    assert s.risk.escalation_count == 2
    assert s.monitoring_months == (1, 6, 12)
    assert s.step_due_days["decision"] == 10
