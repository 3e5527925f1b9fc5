"""Two people, two browsers: a police case officer refers a case to a shelter through the
pages; the shelter's case officer, with the notification centre open, sees the unread badge and a
toast appear without reloading. When the shelter then accepts, the referral page the police officer
still has open refreshes itself to the new state; when the officer has typed something there, a
banner asks before reloading instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from coordination.models import Role
from tests.browser.helpers import browser_login
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals.models import Referral

TIMEOUT_MS = 15_000


@pytest.fixture
def tasks_in_process() -> Iterator[None]:
    """Celery tasks run in the server's process for this test (the real-backends phase has no
    worker here); the channel layer stays the configured one (Redis in that phase)."""
    from concord.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_a_submitted_referral_reaches_the_receivers_open_page_live(
    page, second_page, live_url, make_org, make_member, tasks_in_process
):
    police = make_org(kind="law_enforcement", country="TH", name="Police TH")
    shelter = make_org(kind="ngo", country="TH", name="Shelter TH", services=["shelter"])
    officer = make_member(police, Role.CASE_OFFICER)
    shelter_officer = make_member(shelter, Role.CASE_OFFICER)
    case = make_case(police, country="TH")
    make_consent(case, organisations=[shelter])

    # The shelter's officer has the notification centre open, nothing unread, socket connected.
    shelter_page = second_page
    browser_login(shelter_page, live_url, shelter_officer)
    shelter_page.goto(f"{live_url}/notifications/")
    shelter_page.wait_for_selector("body[data-live=open]")
    assert shelter_page.locator("#notif-badge").is_hidden()
    shelter_page.evaluate("window.__sameDocument = true")

    # The police officer refers the case through the pages.
    browser_login(page, live_url, officer)
    page.goto(f"{live_url}/cases/{case.pk}/refer/")
    page.select_option("select[name=receiver]", str(shelter.pk))
    page.check("input[name=services][value=shelter]")
    page.select_option("select[name=urgency]", "emergency")
    page.click("button[name=submit]")
    page.wait_for_selector("#referral-state")
    referral = Referral.objects.get(case=case)
    assert referral.state == "submitted"
    page.wait_for_selector("body[data-live=open]")  # watching the referral it shows

    # Without a reload, the shelter's page shows the badge and a toast linking to the referral.
    shelter_page.wait_for_selector("#notif-badge:not([hidden])")
    assert shelter_page.inner_text("#notif-badge") == "1"
    toast = shelter_page.locator("#toasts .toast[role=status]")
    toast.first.wait_for()
    assert referral.reference in toast.first.inner_text()
    assert toast.first.locator("a").get_attribute("href") == f"/referrals/{referral.pk}/"
    assert shelter_page.evaluate("window.__sameDocument") is True

    # The shelter accepts from the toast's link; the police officer's referral page follows.
    toast.first.locator("a").click()
    shelter_page.click("#accept")
    shelter_page.wait_for_selector("text=Done.")
    page.wait_for_function(
        "document.querySelector('#referral-state').textContent.trim() === 'Accepted'"
    )
    assert Referral.objects.get(pk=referral.pk).state == "accepted"

    # With unsaved input on the page, a change elsewhere asks before reloading.
    page.wait_for_selector("body[data-live=open]")
    page.fill("#sender-actions input[name=text]", "typed, not sent")
    page.evaluate("window.__sameDocument = true")
    shelter_page.click("text=Start providing services")
    banner = page.locator("#live-banner")
    banner.wait_for()
    assert "changed to in progress" in banner.inner_text()
    assert page.input_value("#sender-actions input[name=text]") == "typed, not sent"
    assert page.evaluate("window.__sameDocument") is True


@pytest.mark.browser
def test_a_page_that_lost_its_socket_catches_up_on_reconnect(
    page, live_url, make_org, make_member, tasks_in_process
):
    from workflows.referrals import services

    police = make_org(kind="law_enforcement", country="TH", name="Police TH")
    shelter = make_org(kind="ngo", country="TH", name="Shelter TH", services=["shelter"])
    officer = make_member(police, Role.CASE_OFFICER)
    shelter_officer = make_member(shelter, Role.CASE_OFFICER)
    case = make_case(police, country="TH")
    make_consent(case, organisations=[shelter])

    # Every socket of this page goes through a route that the test can cut, as a network would,
    # and that keeps what the server sent.
    sockets: list[tuple[Any, Any]] = []
    from_server: list[str] = []

    def route(ws: Any) -> None:
        server = ws.connect_to_server()

        def relay(message: Any) -> None:
            from_server.append(str(message))
            ws.send(message)

        server.on_message(relay)
        sockets.append((ws, server))

    page.route_web_socket("**/ws/notifications/", route)
    browser_login(page, live_url, shelter_officer)
    page.goto(f"{live_url}/notifications/")
    page.wait_for_selector("body[data-live=open]")
    page.evaluate("window.__sameDocument = true")
    connected = len(sockets)

    # The connection drops; a referral arrives while the page is not connected.
    to_page, to_server = sockets[-1]
    to_server.close()
    to_page.close()
    page.wait_for_selector("body[data-live=closed]")
    referral = services.referral_submit(
        referral=services.referral_create(
            case=case, receiver=shelter, actor=officer, services=["shelter"], urgency="urgent"
        ),
        actor=officer,
    )

    # The page reconnects by itself, asks for what it missed after its cursor, and shows it.
    toast = page.locator("#toasts .toast[role=status]", has_text=referral.reference)
    toast.wait_for()
    assert len(sockets) > connected
    missed = [m for m in from_server if '"type": "missed"' in m]
    assert missed, from_server
    assert referral.reference in missed[-1]
    assert page.inner_text("#notif-badge") == "1"
    assert page.evaluate("window.__sameDocument") is True
