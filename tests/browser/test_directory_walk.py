"""A person signs in (password + TOTP), walks the directory and sees the dashboard."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from coordination.demo import demo_user
from tests.browser.helpers import browser_login

ROOT = Path(__file__).resolve().parents[2]
# Every run saves the screenshot under test-artifacts/ (ignored by git); the README's copy in
# docs/ is refreshed only on request, so a test run never leaves the work tree changed:
#   CONCORD_UPDATE_SCREENSHOTS=1 make test
SCREENSHOTS = (
    [ROOT / "docs", ROOT / "test-artifacts"]
    if os.environ.get("CONCORD_UPDATE_SCREENSHOTS") == "1"
    else [ROOT / "test-artifacts"]
)


@pytest.fixture
def demo(live_url: str) -> None:
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.browser
def test_sign_in_walk_directory_and_screenshot_dashboard(page, live_url, demo):
    browser_login(page, live_url, demo_user("kh_supervisor"))

    # The dashboard lists the organisations I act for and the bodies they sit on.
    page.goto(f"{live_url}/")
    assert (
        page.locator("#panel-coordination-organisations")
        .get_by_text("Provincial Department of Social Affairs")
        .is_visible()
    )
    assert (
        page.locator("#panel-coordination-bodies")
        .get_by_text("National Committee for Counter Trafficking (Cambodia)")
        .is_visible()
    )
    for folder in SCREENSHOTS:
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / "screenshot-dashboard.png"))

    # Directory: filter to Cambodia's child protection authority.
    page.click("nav.mainnav >> text=Directory")
    total = page.locator("#result-count").inner_text()
    page.select_option("select[name=country]", "KH")
    page.select_option("select[name=service]", "child_protection")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#result-count").inner_text() != total
    rows = page.locator("#directory tbody tr")
    names = rows.locator("td:first-child a").all_inner_texts()
    assert "Child Protection Authority" in names
    assert all("Thailand" not in text for text in rows.all_inner_texts())

    # Open the organisation: services and the bodies it sits on; no private contacts (not mine).
    page.click("#directory >> text=Child Protection Authority")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Child Protection Authority")
    assert page.locator("#services").get_by_text("Child protection").is_visible()
    assert "shown to this organisation's own members only" in page.locator("#contacts").inner_text()

    # Open the body: coordinator, terms of reference, seats.
    page.click("#bodies >> text=National Committee for Counter Trafficking (Cambodia)")
    page.wait_for_load_state()
    assert "Ministry of Social Affairs" in page.locator("#coordinator").inner_text()
    assert "national action plan" in page.locator("#terms").inner_text()
    seats = page.locator("#seats tbody tr").all_inner_texts()
    assert any("Chair" in s for s in seats)
    assert any("Secretariat" in s for s in seats)
    assert any("Observer" in s for s in seats)


@pytest.mark.browser
def test_phone_width_pages_do_not_overflow(phone_page, live_url, demo):
    browser_login(phone_page, live_url, demo_user("th_coordinator"))
    for path in ("/", "/directory/", "/bodies/"):
        phone_page.goto(f"{live_url}{path}")
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} is {overflow}px wider than a phone screen"
    # The menu folds behind a toggle on a phone and opens on tap.
    assert not phone_page.locator("nav.mainnav").is_visible()
    phone_page.click("label.nav-toggle-label")
    assert phone_page.locator("nav.mainnav >> text=Directory").is_visible()
