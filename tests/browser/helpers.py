"""Helpers for browser tests (see tests/browser/conftest.py)."""

from __future__ import annotations

from typing import Any


def current_totp(user: Any) -> str:
    """The code the user's authenticator shows now (one step ahead if this step was used)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    assert device is not None, f"{user} has no confirmed TOTP device"
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t():  # the code of this step was used already: replay is refused
        totp.drift += device.last_t - totp.t() + 1
    return f"{totp.token():0{device.digits}d}"


def _password_for(user: Any) -> str:
    from coordination.demo import DEMO_PASSWORD
    from coordination.tests.factories import PASSWORD

    return DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else PASSWORD


def browser_login(page: Any, live_url: str, user: Any, *, password: str | None = None) -> None:
    """Sign in through the real login form and, when asked, the real second-factor form."""
    page.goto(f"{live_url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password or _password_for(user))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/second-factor/" in page.url:
        page.fill("input[name=token]", current_totp(user))
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
    assert "/accounts/" not in page.url, f"sign-in did not complete: {page.url}"
