"""A labour inspector registers a first contact on a phone: minimal facts, indicators of the form
of exploitation, consent, the presumption of minority and of victim status, in a few taps."""

from __future__ import annotations

import re
import time

import pytest

from coordination.models import Role
from tests.browser.helpers import browser_login
from workflows.cases.models import Case


@pytest.mark.browser
def test_first_contact_registration_on_a_phone(phone_page, live_url, make_org, make_member):
    org = make_org(kind="labour_inspectorate", country="TH", name="Labour Inspectorate TH")
    inspector = make_member(org, Role.CASE_OFFICER)
    page = phone_page
    browser_login(page, live_url, inspector)

    started = time.monotonic()
    page.goto(f"{live_url}/cases/new/")
    # The form fits a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("input[name=given_names]", "Mey")
    page.check("input[name=gender][value=Female]")
    page.check("input[name=minor_status][value=presumed_child]")
    page.check("input[name=exploitation_forms][value=domestic_servitude]")
    # Ticking the form opens its indicator list.
    dom_list = page.locator("details.indicators[data-forms~=domestic_servitude]")
    assert dom_list.get_attribute("open") is not None
    dom_list.get_by_label("The person works excessive hours").check()
    page.get_by_label(
        "The person is in a situation that is inappropriate for his or her age"
    ).check()
    page.locator("#consent").get_by_label("Need-to-know summary (no identifying details)").check()
    page.get_by_label("Informed orally").check()
    page.get_by_label("Informed in writing").check()
    page.fill("input[name=consent_language]", "km")
    # Wait for the navigation the POST causes (a bare wait_for_load_state can return before it
    # starts, while the page that was already loaded still counts as loaded).
    with page.expect_navigation(url=re.compile(r"/cases/\d+/$")):
        page.get_by_role("button", name="Register — presume a victim").click()
    elapsed = time.monotonic() - started

    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert "Mey" not in page.url
    assert case.reference in page.locator("h1").inner_text()
    assert case.identification_state == "presumed_victim"
    assert case.is_or_may_be_child
    assert case.observed_indicators.count() == 2
    assert case.consents.count() == 1
    # No child protection authority in the directory: the case says so in its timeline.
    assert page.locator("#timeline").get_by_text("child_protection_missing").is_visible()
    assert elapsed < 60
