"""Sign-in (lockout, TOTP), caching, error bodies, production checks, API docs, tokens."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from coordination.tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db
# Variables of the test run that a production process would not have.
CLEAN_ENV = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def later(seconds: int) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def code_for(device: TOTPDevice, ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


# --- lockout -----------------------------------------------------------------------------------


def test_five_failed_logins_lock_that_username_from_that_address(make_org, make_member):
    make_member(make_org(), "coordinator", username="target")
    client = Client(REMOTE_ADDR="10.0.0.1")
    statuses = [sign_in(client, "target", "wrong password!!").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    assert "_auth_user_id" not in client.session
    locked = sign_in(client, "target")  # the right password, too late
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same username from another address, and another username from this one, still work.
    other_address = Client(REMOTE_ADDR="10.0.0.2")
    assert sign_in(other_address, "target").status_code == 302
    make_member(make_org(), "coordinator", username="bystander")
    assert sign_in(Client(REMOTE_ADDR="10.0.0.1"), "bystander").status_code == 302


# --- second factor -------------------------------------------------------------------------------


def test_totp_enrolment_with_a_real_code(make_org, make_member):
    make_member(
        make_org(kind="law_enforcement"), "case_officer", username="new_officer", with_device=False
    )
    client = Client()
    assert sign_in(client, "new_officer").status_code == 302
    step = client.get("/directory/")
    assert step["Location"].startswith("/accounts/second-factor/")
    setup = client.get(step["Location"], follow=True)
    assert "Set up your authenticator" in setup.content.decode()
    device = TOTPDevice.objects.get(user__username="new_officer", confirmed=False)
    secret = re.search(r"<code>([A-Z2-7=]+)</code>", setup.content.decode()).group(1)
    assert secret.rstrip("=")  # the key is shown for manual entry
    wrong = client.post("/accounts/second-factor/setup/", {"token": "000000", "next": "/"})
    assert "does not match" in wrong.content.decode()
    with time_machine.travel(later(5)):  # a failure throttles the device for a moment
        done = client.post(
            "/accounts/second-factor/setup/", {"token": code_for(device), "next": "/"}
        )
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/directory/").status_code == 200


def test_totp_verification_with_a_real_code_and_no_replay(make_org, make_member):
    user = make_member(make_org(kind="law_enforcement"), "supervisor", username="sup")
    device = TOTPDevice.objects.get(user=user)
    client = Client()
    sign_in(client, "sup")
    assert client.get("/").status_code == 302
    code = code_for(device)
    wrong = "000000" if code != "000000" else "111111"
    bad = client.post("/accounts/second-factor/", {"token": wrong, "next": "/"})
    assert "not valid now" in bad.content.decode()
    # Right after a failure even the right code waits (throttling), then it is accepted.
    throttled = client.post("/accounts/second-factor/", {"token": code, "next": "/"})
    assert throttled.status_code == 200
    with time_machine.travel(later(5)):
        code = code_for(device)
        accepted = client.post("/accounts/second-factor/", {"token": code, "next": "/"})
        assert accepted.status_code == 302
        assert client.get("/").status_code == 200
        # The same code cannot be used again (another session, same step).
        replay = Client()
        sign_in(replay, "sup")
        refused = replay.post("/accounts/second-factor/", {"token": code, "next": "/"})
        assert "not valid now" in refused.content.decode()


def test_api_session_needs_the_second_factor(make_org, make_member):
    make_member(make_org(kind="law_enforcement"), "case_officer", username="officer")
    client = Client()
    sign_in(client, "officer")
    response = client.get("/api/organisations/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


# --- caching -------------------------------------------------------------------------------------


def test_authenticated_pages_and_api_are_never_cached(login, make_org, make_member):
    org = make_org()
    client = login(make_member(org, "coordinator"))
    for path in ("/", "/directory/", f"/organisations/{org.pk}/", "/api/organisations/"):
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control, path
        assert "private" in cache_control, path


# --- error bodies --------------------------------------------------------------------------------


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "concord.tests.urls_errors"
    return Client(raise_request_exception=False)


def _assert_no_internals(body: str) -> None:
    for leak in ("Traceback", "secret_table", "SELECT", 'File "', "settings.py", "DatabaseError"):
        assert leak not in body, leak


def test_server_error_page_and_api_body_hold_no_internals(
    production_errors, login, make_org, make_member
):
    client = login(make_member(make_org(), "coordinator"), production_errors)
    page = client.get("/boom/")
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()
    _assert_no_internals(page.content.decode())
    api = client.get("/api/boom/")
    assert api.status_code == 500
    assert api.json() == {
        "code": "server_error",
        "detail": "Something went wrong on our side; it has been logged.",
        "fields": {},
    }
    _assert_no_internals(api.content.decode())


def test_unreachable_database_is_a_503_to_retry_not_a_500(
    production_errors, login, make_org, make_member
):
    """The database refusing connections (restart, failover) before or inside a view: a 503 with
    Retry-After, on pages and in the API body, naming nothing of the server."""
    client = login(make_member(make_org(), "coordinator"), production_errors)
    page = client.get("/down/")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Briefly unavailable" in page.content.decode()
    api = client.get("/api/down/")
    assert api.status_code == 503
    assert api["Retry-After"] == "5"
    assert api.json()["code"] == "service_unavailable"
    for body in (page.content.decode(), api.content.decode()):
        _assert_no_internals(body)
        assert "5432" not in body


def test_not_found_and_forbidden_pages_are_ours(production_errors, login, make_org, make_member):
    org = make_org()
    client = login(make_member(make_org(name="Elsewhere"), "coordinator"), production_errors)
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    assert "nothing you may see" in missing.content.decode()
    _assert_no_internals(missing.content.decode())
    api_missing = client.get("/api/no-such-endpoint/")
    assert api_missing.status_code == 404
    assert api_missing.json()["code"] == "not_found"
    forbidden = client.get(f"/organisations/{org.pk}/members/")
    assert forbidden.status_code == 403
    assert "Your role does not allow this" in forbidden.content.decode()


# --- production mode -----------------------------------------------------------------------------


def test_production_mode_passes_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k not in CLEAN_ENV},
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789abcdef",
        "ALLOWED_HOSTS": "concord.example.org",
        "FIELD_ENCRYPTION_KEYS": "WkF4cnp5d0FCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFk=",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_requires_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", *CLEAN_ENV}}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


# --- API docs ------------------------------------------------------------------------------------


def test_api_docs_are_served_locally(login, make_org, make_member):
    client = login(make_member(make_org(), "coordinator"))
    html = client.get("/api/docs/").content.decode()
    assert "swagger" in html.lower()
    for url in re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html):
        assert not re.match(r"^(https?:)?//", url), url
    assert "cdn" not in html.lower()
    assert "unpkg" not in html.lower()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    responses = schema["paths"]["/api/memberships/{id}/end/"]["post"]["responses"]
    assert {"400", "403", "404", "409"} <= set(responses)
    error = responses["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ApiError")


# --- tokens for agencies' systems ----------------------------------------------------------------


def test_service_account_token_authenticates_and_rotates(make_org):
    org = make_org(name="Police HQ", acronym="PHQ", kind="law_enforcement")
    out = io.StringIO()
    call_command("issue_api_token", organisation="PHQ", name="case-system", stdout=out)
    key = re.search(r"Token \(shown once\): (\w+)", out.getvalue()).group(1)
    account = get_user_model().objects.get(username=f"svc-{org.pk}-case-system")
    assert not account.has_usable_password()
    api = Client()
    response = api.get("/api/organisations/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    # The system is a member: it sees its own organisation's contact points.
    detail = api.get(f"/api/organisations/{org.pk}/", HTTP_AUTHORIZATION=f"Token {key}").json()
    assert detail["contact_points"] is not None
    # Rotation: the old key stops working.
    call_command("issue_api_token", username=account.username, stdout=io.StringIO())
    old = api.get("/api/organisations/", HTTP_AUTHORIZATION=f"Token {key}")
    assert old.status_code == 401
    assert old.json()["code"] == "authentication_failed"
    # Pages stay closed to it: it has no password to sign in with.
    assert sign_in(Client(), account.username, "").status_code == 200


def test_a_persons_account_never_authenticates_by_token(make_org, make_member):
    person = make_member(make_org(), "case_officer")
    token = Token.objects.create(user=person)
    response = Client().get("/api/organisations/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    assert "service accounts" in response.json()["detail"]
    with pytest.raises(Exception, match="service accounts"):
        call_command("issue_api_token", username=person.username, stdout=io.StringIO())


def test_admin_action_issues_tokens_for_service_accounts_only(make_org, make_member):
    from coordination.services import service_account_create

    org = make_org()
    system = service_account_create(organisation=org, name="sync", role="auditor", actor=None).user
    person = make_member(org, "auditor")
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    TOTPDevice.objects.create(user=admin, name="t", confirmed=True)
    from coordination.tests.factories import login_verified

    client = Client()
    login_verified(client, admin)
    response = client.post(
        "/admin/auth/user/",
        {"action": "issue_api_token", "_selected_action": [system.pk, person.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "shown once" in text
    assert "service accounts only" in text
    assert Token.objects.filter(user=system).exists()
    assert not Token.objects.filter(user=person).exists()
