"""A shelter's case officer finds an emergency referral in the inbox, sees the need-to-know summary
only, accepts it, then sees the details on the case page (the consent covers the shelter)."""

from __future__ import annotations

import pytest

from coordination.models import Role
from tests.browser.helpers import browser_login
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals import services
from workflows.referrals.models import Referral

MARKER = "Zzbrowsermarker"


@pytest.mark.browser
def test_shelter_accepts_an_emergency_referral(page, live_url, make_org, make_member):
    police = make_org(kind="law_enforcement", country="TH", name="Police TH")
    shelter = make_org(kind="ngo", country="TH", name="Shelter TH", services=["shelter"])
    officer = make_member(police, Role.CASE_OFFICER)
    shelter_officer = make_member(shelter, Role.CASE_OFFICER)
    case = make_case(police, country="TH", identifying={"given_names": MARKER})
    make_consent(case, organisations=[shelter])
    referral = services.referral_submit(
        referral=services.referral_create(
            case=case, receiver=shelter, actor=officer, services=["shelter"], urgency="emergency"
        ),
        actor=officer,
    )

    browser_login(page, live_url, shelter_officer)
    page.goto(f"{live_url}/referrals/?urgency=emergency")
    row = page.locator("#referral-list tbody tr")
    assert row.count() == 1
    assert "Emergency" in row.inner_text()
    row.get_by_role("link", name=referral.reference).click()
    assert MARKER not in page.content()  # summary only until accepted
    page.click("#accept")
    page.wait_for_selector("text=Done.")
    assert page.inner_text("#referral-state") == "Accepted"
    assert Referral.objects.get(pk=referral.pk).state == "accepted"
    page.goto(f"{live_url}/cases/{case.pk}/?reveal=referral")
    assert MARKER in page.content()
