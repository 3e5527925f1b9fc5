from __future__ import annotations

import pytest
from django.db.migrations.state import StateApps  # noqa: F401 - documents the loader's contract

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Role
from workflows.cases.models import (
    Indicator,
    IndicatorCategory,
    IndicatorWeight,
    MinorStatus,
    ObservedIndicator,
)
from workflows.cases.reference import load_indicators
from workflows.cases.selectors import indicator_checklist, indicator_summary
from workflows.cases.services.indicators import indicator_unobserve, indicators_observe
from workflows.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_reference_data_from_seed_004_with_seed_spelling_kept():
    assert Indicator.objects.count() == 41  # 37 from 004, 4 labour from 002:55
    dom = IndicatorCategory.objects.get(code="domestic_servitude")
    assert dom.seed_heading == "KEY INDICATORS OF DOMESTIC SERVITIUDE"
    assert dom.label == "Domestic servitude"
    assert IndicatorCategory.objects.get(code="sexual_exploitation").seed_heading.startswith(
        "KEY INDICATORS OF PROSITUTION"
    )
    assert Indicator.objects.get(code="COM-01").seed_line == 154
    assert Indicator.objects.filter(text="The person is underage").count() == 3


def test_loader_is_idempotent_and_keeps_country_weights():
    from django.apps import apps

    IndicatorWeight.objects.create(
        indicator_id="COM-03", country_id="TH", person_category="adult", weight="strong"
    )
    before = IndicatorWeight.objects.count()
    assert load_indicators(apps) == 41
    assert IndicatorWeight.objects.count() == before


def test_checklist_by_form():
    codes = [c.code for c in indicator_checklist(forms=["domestic_servitude"])]
    assert codes == ["common", "domestic_servitude"]
    assert len(indicator_checklist()) == 7


@pytest.fixture
def officer_case(make_org, make_member):
    org = make_org(kind="ngo", country="TH")
    officer = make_member(org, Role.CASE_OFFICER)
    return officer, org


def test_observe_records_who_and_when_and_never_decides(officer_case):
    officer, org = officer_case
    case = make_case(org, state="first_contact")
    created = indicators_observe(case=case, actor=officer, codes=["COM-01", "COM-06", "COM-01"])
    assert [o.indicator_id for o in created] == ["COM-01", "COM-06"]
    assert all(o.observed_by == officer and o.observed_at for o in created)
    assert indicators_observe(case=case, actor=officer, codes=["COM-01"]) == []
    case.refresh_from_db()
    assert case.identification_state == "first_contact"
    summary = indicator_summary(case=case)
    assert summary.counts()["strong"] == 2
    assert "never decide" in summary.caveat


def test_observe_unknown_code_is_refused(officer_case):
    officer, org = officer_case
    with pytest.raises(ApplicationError) as exc:
        indicators_observe(case=make_case(org), actor=officer, codes=["NOPE"])
    assert "indicators" in exc.value.fields
    assert not ObservedIndicator.objects.exists()


def test_unobserve_needs_a_reason(officer_case):
    officer, org = officer_case
    case = make_case(org)
    indicators_observe(case=case, actor=officer, codes=["COM-03"])
    with pytest.raises(GuardFailed):
        indicator_unobserve(case=case, actor=officer, code="COM-03", reason="")
    indicator_unobserve(case=case, actor=officer, code="COM-03", reason="typo")
    assert not case.observed_indicators.exists()


def test_weights_differ_for_children_by_form_and_by_country(officer_case):
    officer, org = officer_case
    adult = make_case(org, exploitation_forms=["forced_labour"])
    child = make_case(org, minor_status=MinorStatus.PRESUMED_CHILD)
    sexual = make_case(org, exploitation_forms=["sexual_exploitation"])
    for case in (adult, child, sexual):
        indicators_observe(case=case, actor=officer, codes=["COM-07", "COM-03"])
    by_code = lambda s: {i["code"]: w for w, items in s.by_weight.items() for i in items}  # noqa: E731
    assert by_code(indicator_summary(case=adult)) == {"COM-07": "weak", "COM-03": "medium"}
    assert by_code(indicator_summary(case=child)) == {"COM-07": "strong", "COM-03": "strong"}
    assert by_code(indicator_summary(case=sexual))["COM-03"] == "weak"
    IndicatorWeight.objects.create(
        indicator_id="COM-07", country_id="TH", person_category="adult", weight="medium"
    )
    assert by_code(indicator_summary(case=adult))["COM-07"] == "medium"
