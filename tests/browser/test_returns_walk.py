"""A ministry official reads the corridor board (charts, table, filters, CSV); a case officer
reads a blocked return's safeguard checklist."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from coordination.demo import demo_user


@pytest.fixture
def demo(live_url: str) -> None:
    from coordination.demo import load
    from workflows.returns.demo import load as load_returns

    load(stdout=io.StringIO())
    load_returns(stdout=io.StringIO())


@pytest.mark.browser
def test_corridor_board(page, live_url, demo, browser_login):
    browser_login(page, live_url, demo_user("th_minister"))
    page.goto(f"{live_url}/returns/board/")
    rows = page.locator("#board-table tbody tr")
    assert rows.count() == 2
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.corridor)")) == {"TH-KH", "KH-TH"}
    # the charts are drawn (local SVG): bars for the steps of each corridor
    assert page.locator("#chart-steps svg rect[data-step]").count() >= 5
    assert page.locator("#chart-medians svg rect[data-step]").count() >= 1
    # figures only: no case or procedure reference anywhere on the page
    text = page.locator("main").inner_text()
    assert "C-2026-" not in text
    assert "R-2026-" not in text
    # filter to one corridor
    page.select_option("select[name=corridor]", "KH-TH")
    page.click("#board-filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#board-table tbody tr").count() == 1
    assert "corridor=KH-TH" in page.locator("#csv-link").get_attribute("href")
    with page.expect_download() as download:
        page.click("#csv-link")
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.splitlines()[1].startswith("KH-TH,KH,TH,")
    # on a phone the board stays readable
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_url}/returns/board/")
    assert page.locator("#chart-steps svg").is_visible()


@pytest.mark.browser
def test_guard_checklist_of_a_blocked_return(page, live_url, demo, browser_login):
    from workflows.returns.models import ReturnProcedure

    blocked = ReturnProcedure.objects.get(case__reference="C-2026-DR0003")
    browser_login(page, live_url, demo_user("th_social_worker"))
    page.goto(f"{live_url}/returns/")
    page.click(f"text={blocked.reference}")
    page.wait_for_load_state()
    row = page.locator('#guard-checklist tr[data-guard="non_refoulement"]')
    assert row.get_attribute("data-holds") == "no"
    assert "Non-refoulement" in row.inner_text()
    assert "seed 004:341" in row.inner_text()
    assert (
        page.locator('#guard-checklist tr[data-guard="voluntary"]').get_attribute("data-holds")
        == "yes"
    )
    # trying the step anyway shows the guard's message and changes nothing
    page.click("#actions button:has-text('Start the risk assessment')")
    page.wait_for_load_state()
    assert "Non-refoulement" in page.locator(".messages").inner_text()
    assert page.locator("#return-state").inner_text() == "Requested"
    # an unrelated ministry does not see it at all
    page.context.clear_cookies()
    browser_login(page, live_url, demo_user("kh_minister"))
    response = page.goto(f"{live_url}/returns/{blocked.pk}/")
    assert response.status == 200  # the Cambodian ministry takes part in this demo return
    page.context.clear_cookies()
    browser_login(page, live_url, demo_user("th_labour_inspector"))
    response = page.goto(f"{live_url}/returns/{blocked.pk}/")
    assert response.status == 404
