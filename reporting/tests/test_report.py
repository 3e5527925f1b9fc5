"""The annual report of a coordination body: a PDF on its page and in the API, for the body's
seat holders only, with the agreements in force for its countries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coordination.work import services
from reporting.report import agreements_in_force

pytestmark = pytest.mark.django_db


def test_annual_report_pdf(client, login, body_world, held_meeting):
    services.decision_record(
        meeting=held_meeting,
        text="Set up hotline",
        action_items=[
            {"owner": body_world.member, "description": "Hotline", "due_on": timezone.localdate()}
        ],
        actor=body_world.sec_user,
    )
    login(body_world.member_user)
    year = timezone.localdate().year
    r = client.get(f"/work/bodies/{body_world.body.pk}/report/{year}.pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    r = client.get(f"/api/bodies/{body_world.body.pk}/annual-report/{year}/")
    assert r.status_code == 200
    login(body_world.outsider_user)
    assert client.get(f"/work/bodies/{body_world.body.pk}/report/{year}.pdf").status_code == 404


def test_annual_report_lists_agreements_in_force(body_world):
    from agreements.tests.factories import make_agreement_in_force

    today = timezone.localdate()
    assert agreements_in_force(body=body_world.body, on=today) == []
    make_agreement_in_force(party_a="TH", party_b="KH", title="TH-KH MOU on referral and return")
    make_agreement_in_force(party_a="AT", party_b="KH", title="Elsewhere")
    titles = agreements_in_force(body=body_world.body, on=today)
    assert len(titles) == 1
    assert titles[0].startswith("TH-KH MOU on referral and return")
