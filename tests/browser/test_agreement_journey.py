"""An MOU from template to in force, in a real browser: the compliance panel names the missing
minors element, the coordinator fixes it, consultation, the partner approves, both signatories
sign, the agreement enters into force on its date (time frozen), and its PDF names both
signatures."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements.models import Agreement, AgreementState
from agreements.tasks import run_lifecycle
from agreements.tests.factories import GOOD_TEXT, coordinator, ensure_templates, signatory
from coordination.tests.factories import make_organisation
from tests.browser.helpers import browser_login

pytestmark = pytest.mark.browser


def _tab(browser, live_url, user):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, live_url, user)
    return page


def test_mou_from_template_to_in_force_with_its_pdf(browser, page, live_url):
    ensure_templates()
    th = make_organisation(
        kind="government_ministry",
        country="TH",
        name="Thai Ministry",
        mandate="Lead ministry",
        areas_of_operation="Thailand, nationwide",
    )
    kh = make_organisation(
        kind="government_ministry",
        country="KH",
        name="Cambodian Ministry",
        mandate="Lead ministry",
        areas_of_operation="Cambodia, nationwide",
    )
    drafter = coordinator(th)
    partner = coordinator(kh)
    signer_th = signatory(th)
    signer_th.first_name, signer_th.last_name = "Somchai", "Thepsiri"
    signer_th.save()
    signer_kh = signatory(kh)
    signer_kh.first_name, signer_kh.last_name = "Sokha", "Chan"
    signer_kh.save()
    start = timezone.localdate() + timedelta(days=10)

    # The coordinator drafts an MOU from the bilateral template.
    browser_login(page, live_url, drafter)
    page.goto(f"{live_url}/agreements/new/")
    page.select_option(
        "select[name=template]",
        label=("Bilateral MOU between two States on cooperation against trafficking in persons"),
    )
    page.fill("input[name=title]", "MOU between Thailand and Cambodia")
    page.fill("input[name=effective_date]", start.isoformat())
    page.click("#new-agreement button[type=submit]")
    page.wait_for_url("**/edit/")
    agreement = Agreement.objects.get(title="MOU between Thailand and Cambodia")

    # Partner and coverage (children among the target groups).
    page.goto(f"{live_url}/agreements/{agreement.pk}/")
    page.select_option("#partners select[name=organisation]", str(kh.pk))
    page.click("#partners form.row button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_url}/agreements/{agreement.pk}/coverage/")
    for value in ("referral", "return_reintegration", "adults", "children"):
        page.check(f"#coverage-form input[value={value}]")
    page.click("#coverage-form button[type=submit]")
    page.wait_for_load_state()

    # The editor: write every element but the minors one; the panel names it.
    page.goto(f"{live_url}/agreements/{agreement.pk}/edit/")
    for key, text in GOOD_TEXT.items():
        if key == "minors":
            continue
        area = page.locator(f"textarea[name=clause__{key}__en]")
        if area.count():
            area.fill(text)
    page.fill(
        "textarea[name=clause__return_reintegration__en]",
        "Return is voluntary and preceded by a risk assessment by both parties.",
    )
    panel = page.locator("#compliance-panel")
    expect(panel.locator("li[data-key=minors]")).to_contain_text("Appropriate measures for minors")
    expect(panel.locator("li[data-key=minors]")).to_contain_text("missing")
    # a minors clause that says nothing of children is named weak, live
    page.fill("textarea[name=clause__minors__en]", "Vulnerable persons receive special care.")
    expect(panel.locator("li[data-key=minors]")).to_contain_text("says nothing of children")
    page.fill("textarea[name=clause__minors__en]", GOOD_TEXT["minors"])
    expect(panel.locator("li[data-key=minors]")).to_have_count(0)
    expect(page.locator("#compliance-summary")).to_contain_text("All required elements are present")
    page.click(".sticky-save button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Saved as version")

    # Consultation; the drafter approves.
    page.goto(f"{live_url}/agreements/{agreement.pk}/")
    page.click("#actions >> text=Open consultation")
    page.wait_for_load_state()
    expect(page.locator("h1 + p .pill").first).to_have_text("In consultation")
    page.goto(f"{live_url}/agreements/{agreement.pk}/comments/")
    page.click("#approve")
    page.wait_for_load_state()

    # The partner's coordinator comments and approves.
    other = _tab(browser, live_url, partner)
    other.goto(f"{live_url}/agreements/{agreement.pk}/comments/")
    other.select_option("#new-comment select[name=element]", "procedures")
    other.fill("#new-comment textarea[name=text]", "Agreed: 72 hours also at weekends.")
    other.click("#new-comment button[type=submit]")
    other.wait_for_load_state()
    other.click("#approve")
    other.wait_for_load_state()
    other.click("#approvals >> text=Send for signature")
    other.wait_for_load_state()
    expect(other.locator(".messages")).to_contain_text("Sent for signature")
    other.context.close()

    # Both signatories sign the version they read.
    for signer in (signer_th, signer_kh):
        tab = _tab(browser, live_url, signer)
        tab.goto(f"{live_url}/agreements/{agreement.pk}/sign/")
        agreement.refresh_from_db()
        expect(tab.locator("code.hash")).to_have_text(agreement.current_version.content_hash)
        tab.check("input[name=confirm]")
        tab.click("#sign-button")
        tab.wait_for_load_state()
        expect(tab.locator(".messages")).to_contain_text("Signed for")
        tab.context.close()
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.AWAITING_SIGNATURES  # its date has not come

    # Its effective date: the daily task brings it into force.
    frozen = timezone.make_aware(datetime.combine(start, time(0, 5)))
    with time_machine.travel(frozen, tick=True):
        assert run_lifecycle()["in_force"] == 1
        tab = _tab(browser, live_url, drafter)
        tab.goto(f"{live_url}/agreements/{agreement.pk}/")
        expect(tab.locator("h1 + p .pill").first).to_have_text("In force")
        response = tab.request.get(f"{live_url}/agreements/{agreement.pk}/document.pdf")
        assert response.ok
        text = " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split()
        )
        tab.context.close()
    assert "Signed by Somchai Thepsiri" in text
    assert "Signed by Sokha Chan" in text
    assert agreement.current_version.content_hash in text.replace(" ", "")
    agreement.refresh_from_db()
    assert agreement.entered_into_force_on == start
