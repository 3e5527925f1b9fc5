"""National action plan: draft -> adopted -> in implementation -> under review -> updated
(DOMAIN.md SM-10), G-NAP-CONTENT, progress reports, progress by pillar with what is late."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from concord.errors import GuardFailed
from coordination.work import services
from coordination.work.models import ActionPlanEvent, FrameworkItem, FrameworkRow
from coordination.work.selectors import plan_progress

pytestmark = pytest.mark.django_db


def make_plan(world, complete=True):
    today = timezone.localdate()
    plan = services.action_plan_create(
        body=world.body,
        title="National Plan of Action",
        period_start=date(today.year, 1, 1),
        period_end=date(today.year + 2, 12, 31),
        funding_requirements="THB 12m" if complete else "",
        funding_sources="State budget; IOM" if complete else "",
        actor=world.sec_user,
    )
    m = services.plan_measure_add(
        plan=plan,
        framework_row=FrameworkRow.objects.get(code="T4-R1"),
        framework_measure=FrameworkItem.objects.get(code="T4-R1-M3"),
        title="Meet quarterly",
        owner=world.member,
        target="4 meetings a year" if complete else "",
        due_on=today + timedelta(days=200),
        budget_line="Budget line 4.1",
        actor=world.sec_user,
    )
    if complete:
        services.measure_indicator_add(
            measure=m,
            name="Meetings held",
            framework_indicator=FrameworkItem.objects.get(code="T4-R1-I4"),
            baseline=Decimal(0),
            target_value=Decimal(4),
            actor=world.sec_user,
        )
    return plan, m


def test_reference_data_loaded():
    assert FrameworkRow.objects.filter(table=4).count() == 2
    assert FrameworkRow.objects.filter(table=5).count() == 7
    assert set(FrameworkRow.objects.filter(table=2).values_list("code", flat=True)) == {
        "T2-R1",
        "T2-R11",
    }
    budget = FrameworkItem.objects.get(code="T4-R1-I2")
    assert budget.text.startswith("Existence of a dedicated budget")
    assert budget.seed_line == 513
    assert budget.kind == "operational_indicator"
    misaligned = FrameworkItem.objects.get(code="T5-R7-F4")
    assert misaligned.seed_line == 553
    assert "misaligned" in misaligned.note


def test_adopt_guard_content(world):
    plan, _m = make_plan(world, complete=False)
    with pytest.raises(GuardFailed) as exc:
        services.action_plan_adopt(plan=plan, actor=world.sec_user)
    assert exc.value.code == "G-NAP-CONTENT"
    assert {"funding_requirements", "funding_sources"} <= set(exc.value.fields)
    assert any("no target" in v[0] and "no indicator" in v[0] for v in exc.value.fields.values())
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_adopt_guard_period(world):
    plan, _m = make_plan(world)
    services.action_plan_update_details(plan=plan, period_end=None, actor=world.sec_user)
    with pytest.raises(GuardFailed) as exc:
        services.action_plan_adopt(plan=plan, actor=world.sec_user)
    assert "period" in exc.value.fields


def test_full_lifecycle(world):
    plan, m = make_plan(world)
    plan = services.action_plan_adopt(plan=plan, actor=world.sec_user)
    assert plan.state == "adopted"
    assert plan.adopted_on
    with pytest.raises(GuardFailed) as exc:
        services.plan_measure_add(
            plan=plan,
            framework_row=m.framework_row,
            title="late",
            owner=world.member,
            actor=world.sec_user,
        )
    assert exc.value.code == "G-NAP-EDITABLE"
    plan = services.action_plan_start_implementation(plan=plan, actor=world.sec_user)
    services.progress_report_add(
        indicator=m.indicators.get(),
        value=Decimal(3),
        reported_on=timezone.localdate(),
        actor=world.member_user,
    )
    plan = services.action_plan_open_review(plan=plan, actor=world.sec_user)
    with pytest.raises(GuardFailed) as exc:
        services.action_plan_close_review(plan=plan, notes="", actor=world.sec_user)
    assert exc.value.code == "G-NAP-REVIEW"
    plan = services.action_plan_close_review(plan=plan, notes="On track", actor=world.sec_user)
    assert plan.state == "in_implementation"
    assert plan.last_review_notes == "On track"
    plan = services.action_plan_open_review(plan=plan, actor=world.sec_user)
    new = services.action_plan_update(plan=plan, notes="Add NGO measures", actor=world.sec_user)
    plan.refresh_from_db()
    assert plan.state == "updated"
    assert new.state == "draft"
    assert new.version == 2
    assert new.previous_version == plan
    copied = new.measures.get()
    assert copied.indicators.get().baseline == Decimal(3)  # latest value becomes the baseline
    transitions = list(
        ActionPlanEvent.objects.filter(plan=plan).values_list("transition", flat=True)
    )
    assert transitions[-1] == "supersede"
    assert "adopt" in transitions


def test_transitions_from_forbidden_states_and_without_permission(world):
    plan, _m = make_plan(world)
    for service in (
        services.action_plan_start_implementation,
        services.action_plan_open_review,
    ):
        with pytest.raises(GuardFailed):
            service(plan=plan, actor=world.sec_user)
    with pytest.raises(GuardFailed):
        services.action_plan_close_review(plan=plan, notes="x", actor=world.sec_user)
    with pytest.raises(GuardFailed):
        services.action_plan_update(plan=plan, notes="x", actor=world.sec_user)
    with pytest.raises(PermissionDenied):
        services.action_plan_adopt(plan=plan, actor=world.member_user)
    with pytest.raises(PermissionDenied):
        services.action_plan_adopt(plan=plan, actor=world.sec_auditor)


def test_framework_measure_must_match_row(world):
    plan, _m = make_plan(world)
    with pytest.raises(GuardFailed) as exc:
        services.plan_measure_add(
            plan=plan,
            framework_row=FrameworkRow.objects.get(code="T4-R2"),
            framework_measure=FrameworkItem.objects.get(code="T4-R1-M3"),
            title="x",
            owner=world.member,
            actor=world.sec_user,
        )
    assert exc.value.code == "G-NAP-FRAMEWORK"


def test_progress_reporting_rules(world):
    plan, m = make_plan(world)
    ind = m.indicators.get()
    with pytest.raises(GuardFailed) as exc:
        services.progress_report_add(
            indicator=ind,
            value=Decimal(1),
            reported_on=timezone.localdate(),
            actor=world.member_user,
        )
    assert exc.value.code == "G-NAP-REPORTING"
    services.action_plan_adopt(plan=plan, actor=world.sec_user)
    for who in (world.observer_user, world.outsider_user):
        with pytest.raises(PermissionDenied):
            services.progress_report_add(
                indicator=ind, value=Decimal(1), reported_on=timezone.localdate(), actor=who
            )
    r = services.progress_report_add(
        indicator=ind,
        value=Decimal(2),
        reported_on=timezone.localdate(),
        narrative="Two meetings",
        evidence_link="https://example.org/minutes",
        actor=world.member_user,
    )
    assert r.organisation == world.member


def test_progress_page_data_and_late(world):
    plan, m = make_plan(world)
    services.action_plan_adopt(plan=plan, actor=world.sec_user)
    ind = m.indicators.get()
    services.progress_report_add(
        indicator=ind, value=Decimal(2), reported_on=timezone.localdate(), actor=world.member_user
    )
    (pillar,) = plan_progress(plan=plan)
    assert pillar.table == 4
    (mp,) = pillar.measures
    assert mp.percent == 50
    assert mp.status == "in_progress"
    assert not mp.is_late
    services.action_item_create(
        body=world.body,
        owner=world.member,
        description="Overdue",
        due_on=timezone.localdate() - timedelta(days=1),
        measure=m,
        actor=world.sec_user,
    )
    (pillar,) = plan_progress(plan=plan)
    assert pillar.measures[0].is_late
    assert pillar.late == 1


@pytest.mark.parametrize("n_measures", [1, 6])
def test_progress_fixed_queries(world, django_assert_num_queries, n_measures):
    plan, _m = make_plan(world)
    for i in range(n_measures):
        extra = services.plan_measure_add(
            plan=plan,
            framework_row=FrameworkRow.objects.get(code="T5-R1"),
            title=f"m{i}",
            owner=world.member,
            target="t",
            budget_line="b",
            actor=world.sec_user,
        )
        services.measure_indicator_add(
            measure=extra, name="i", baseline=0, target_value=1, actor=world.sec_user
        )
    services.action_plan_adopt(plan=plan, actor=world.sec_user)
    with django_assert_num_queries(3):
        pillars = plan_progress(plan=plan)
        assert sum(len(p.measures) for p in pillars) == n_measures + 1
