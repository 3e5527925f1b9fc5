"""Shared fixtures for browser tests: Debian's chromium driven by Playwright against a live server.

    from tests.browser.helpers import browser_login

    @pytest.mark.browser
    def test_something(page, live_url, make_org, make_member):
        user = make_member(make_org(), "case_officer")
        browser_login(page, live_url, user)          # real login form + real TOTP form
        page.goto(f"{live_url}/directory/")

The live server is daphne serving Concord's ASGI application (pages and websockets) in a thread
of the test process (tests/browser/asgi_server.py). `page` is a desktop-sized tab (1280x900),
`phone_page` a phone-sized one (390x844). Demo users sign in with the demo password, users from
`make_member` with the factories' password; pass `password=` for anyone else. The TOTP code is
computed from the user's confirmed device key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.helpers import browser_login

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _page(browser: Any, **context_options: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    yield from _page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


@pytest.fixture(scope="session")
def asgi_live_server(django_db_setup: Any) -> Iterator[Any]:
    """Concord's ASGI application (pages and `/ws/...` websockets) served by daphne in a thread
    of this process for the whole session (see tests/browser/asgi_server.py). It starts after
    the test database exists and stops before it is dropped (open sockets' consumers may still
    read it)."""
    from tests.browser.asgi_server import AsgiLiveServer

    server = AsgiLiveServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_url(asgi_live_server: Any, transactional_db: Any, settings: Any) -> str:
    """The live server's URL. Pages and websockets are served over ASGI (daphne), as in
    `make run`; what the test writes is committed, so the server sees it."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, asgi_live_server.host]
    return str(asgi_live_server.url)


@pytest.fixture(name="browser_login")
def browser_login_fixture() -> Any:
    """The `browser_login(page, live_url, user, password=None)` helper, as a fixture."""
    return browser_login
