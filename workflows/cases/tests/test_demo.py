from __future__ import annotations

import io

import pytest

from workflows.cases.models import Case

pytestmark = pytest.mark.django_db


def test_demo_cases_load_twice_with_several_states_on_both_sides():
    from coordination import demo as coordination_demo
    from workflows.cases import demo

    out = io.StringIO()
    coordination_demo.load(stdout=out)
    demo.load(stdout=out)
    first = Case.objects.count()
    demo.load(stdout=out)
    assert Case.objects.count() == first >= 10
    states = set(Case.objects.values_list("identification_state", flat=True))
    assert {"first_contact", "presumed_victim", "identified", "confirmed", "not_identified"} <= (
        states
    )
    assert set(Case.objects.values_list("country_of_identification_id", flat=True)) == {"TH", "KH"}
    child = Case.objects.get(reference="C-2026-DM0003")
    assert child.is_or_may_be_child
    assert child.guardians.exists()
    assert Case.objects.get(reference="C-2026-DM0004").has_asylum_claim_or_refugee_status
    assert "Sophea" not in out.getvalue()
