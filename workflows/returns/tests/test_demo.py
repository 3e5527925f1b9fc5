"""The demo returns: made through the services, idempotent, every step of the corridor shown."""

from __future__ import annotations

import io

import pytest

from workflows.returns.models import ReturnAlert, ReturnProcedure


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from coordination.demo import load

    load(stdout=io.StringIO())


def test_load_returns_is_idempotent_and_covers_the_corridor(demo):
    from workflows.returns.demo import load as load_returns

    out = io.StringIO()
    load_returns(stdout=out)
    states = dict(ReturnProcedure.objects.values_list("case__reference", "state"))
    assert states == {
        "C-2026-DR0001": "monitoring",
        "C-2026-DR0002": "decision",
        "C-2026-DR0003": "requested",
        "C-2026-DR0004": "alternative",
        "C-2026-DR0005": "risk_assessment",
        "C-2026-DR0006": "preparation",
        "C-2026-DR0101": "travel",
        "C-2026-DR0102": "monitoring",
        "C-2026-DR0103": "requested",
    }
    blocked = ReturnProcedure.objects.get(case__reference="C-2026-DR0003")
    assert blocked.events.filter(
        transition="blocked", payload__guard="return_non_refoulement"
    ).exists()
    assert ReturnAlert.objects.filter(kind="visit_missed").exists()
    assert ReturnAlert.objects.filter(kind="step_overdue").exists()
    directions = set(
        ReturnProcedure.objects.values_list("returning_country_id", "receiving_country_id")
    )
    assert directions == {("TH", "KH"), ("KH", "TH")}
    count = ReturnProcedure.objects.count()
    load_returns(stdout=io.StringIO())
    assert ReturnProcedure.objects.count() == count
    assert "9 demo return procedures" in out.getvalue()
