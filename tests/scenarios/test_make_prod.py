"""`make prod` as a whole: concord.prod's supervisor, uvicorn's worker processes, a celery worker
and beat, on PostgreSQL and Redis with DEBUG off.

The supervisor runs on a free port against this test's own database (pytest-django's, committed to
by a transactional test, so the real processes see what the test wrote; its `migrate` then finds
nothing to apply). Two agencies' systems drive a referral through the API with their tokens, one
submitting and the other accepting; a websocket round-trips through the Redis channel layer; the
worker answers a ping through the broker. SIGTERM then stops everything: the supervisor exits 0
and no process it started is left.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from websockets.sync.client import connect as websocket_connect

from concord.celery import app as celery_app
from coordination.services import api_token_issue, service_account_create
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals.models import Referral, ReferralEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),
]

BASE_DIR = Path(__file__).resolve().parents[2]
READY_DEADLINE_SECONDS = 150  # a loaded shared machine; alone it is ready in about 20 s
STOP_DEADLINE_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _descendants(root: int) -> set[int]:
    """Every live process below `root`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Api:
    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, raw.decode(errors="replace")


def _wait_ready(api: Api, supervisor: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + READY_DEADLINE_SECONDS
    last: Any = "no answer yet"
    while time.monotonic() < deadline:
        if supervisor.poll() is not None:
            pytest.fail(
                f"concord.prod exited ({supervisor.returncode}):\n{log.read_text()[-4000:]}"
            )
        try:
            status, body = api.call("GET", "/readyz")
            if status == 200:
                return body
            last = body
        except OSError as exc:  # not listening yet
            last = repr(exc)
        time.sleep(0.25)  # polling a real process with a deadline, not waiting for time to pass
    pytest.fail(
        f"/readyz not ready in {READY_DEADLINE_SECONDS} s ({last}):\n{log.read_text()[-4000:]}"
    )


def _wait_worker(deadline_seconds: float) -> list:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(timeout=1.0)
        if replies:
            return replies
    return []


@pytest.fixture
def world(make_org):
    sender = make_org(kind="labour_inspectorate", country="TH")
    receiver = make_org(kind="ngo", country="TH", services=["shelter", "medical"])
    case = make_case(sender, country="TH", nationality="TH")
    make_consent(case, organisations=[receiver])
    tokens = {}
    for side, org in (("sender", sender), ("receiver", receiver)):
        account = service_account_create(
            organisation=org, name=f"{side}-system", role="case_officer", actor=None
        )
        tokens[side] = api_token_issue(user=account.user, actor=None)
    return {"sender": sender, "receiver": receiver, "case": case, "tokens": tokens}


def test_make_prod_serves_api_and_websocket_then_stops_cleanly(world, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": "make-prod-test-" + os.urandom(24).hex(),
        # The keys this process encrypted the case with, so that the web processes decrypt it.
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    # Earlier tests of this process published tasks for rows their rollback removed, and nobody
    # consumed them: without this the production worker would start by draining that backlog.
    celery_app.control.purge()
    log = tmp_path / "prod.log"
    processes: set[int] = set()
    started = time.monotonic()
    with log.open("wb") as out:
        supervisor = subprocess.Popen(  # noqa: S603 - our own supervisor
            [sys.executable, "-m", "concord.prod", "--port", str(port),
             "--web-workers", "2", "--worker-concurrency", "1"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        anonymous = Api(base)
        ready = _wait_ready(anonymous, supervisor, log)
        ready_after = time.monotonic() - started
        assert ready["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
        processes = _descendants(supervisor.pid)
        commands = [_cmdline(pid) for pid in processes]
        assert sum("uvicorn" in c for c in commands) == 1
        # uvicorn's worker processes are its spawned children (multiprocessing), at least two.
        assert sum("multiprocessing" in c for c in commands) >= 2, commands
        assert sum(" beat " in c for c in commands) == 1, commands
        assert any(" worker " in c for c in commands), commands
        assert _wait_worker(30), "the celery worker did not answer a ping through the broker"

        # DEBUG is off: an unknown page is the plain 404, never Django's technical page.
        status, body = anonymous.call("GET", "/no-such-page/")
        assert status == 404
        assert "URLconf" not in str(body)
        # Static files are served (whitenoise, hashed names from collectstatic's manifest).
        manifest = json.loads((BASE_DIR / "staticfiles" / "staticfiles.json").read_text())
        css = next(v for k, v in manifest["paths"].items() if k.endswith(".css"))
        with urllib.request.urlopen(f"{base}/static/{css}", timeout=30) as response:  # noqa: S310
            assert response.status == 200
            assert "max-age" in response.headers.get("Cache-Control", "")

        sender = Api(base, world["tokens"]["sender"])
        receiver = Api(base, world["tokens"]["receiver"])
        status, body = sender.call(
            "POST",
            "/api/referrals/",
            {
                "case": world["case"].pk,
                "receiver": world["receiver"].pk,
                "services": ["shelter"],
                "urgency": "urgent",
                "submit": True,
            },
        )
        assert status == 201, body
        assert body["state"] == "submitted"
        referral_id = body["id"]
        status, inbox = receiver.call("GET", "/api/referrals/?box=inbox")
        assert status == 200, inbox
        assert referral_id in [row["id"] for row in inbox["results"]]
        status, body = receiver.call("POST", f"/api/referrals/{referral_id}/accept/")
        assert status == 200, body
        assert body["state"] == "accepted"
        status, body = receiver.call("POST", f"/api/referrals/{referral_id}/accept/")
        # Accepting twice is refused with the API's error body, and changes nothing.
        assert status in (400, 409), body
        assert set(body) == {"code", "detail", "fields"}
        assert Referral.objects.get(pk=referral_id).state == "accepted"
        states = list(
            ReferralEvent.objects.filter(referral_id=referral_id)
            .order_by("id")
            .values_list("to_state", flat=True)
        )
        assert states[-2:] == ["submitted", "accepted"]
        assert states.count("accepted") == 1

        with websocket_connect(
            f"ws://127.0.0.1:{port}/ws/health/", origin=base, open_timeout=30
        ) as websocket:
            assert json.loads(websocket.recv(timeout=30)) == {"status": "ok"}
    finally:
        processes |= _descendants(supervisor.pid)
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)
        try:
            code = supervisor.wait(timeout=STOP_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            for pid in [supervisor.pid, *processes]:
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
            raise
    assert code == 0, log.read_text()[-4000:]
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [(pid, _cmdline(pid)) for pid in processes if _alive(pid)]
    assert not left, left
    text = log.read_text()
    assert "SIGTERM received: stopping all" in text
    for name in ("web", "beat", "worker"):
        assert f"{name} exited (0)" in text, text[-4000:]
    stopped_after = time.monotonic() - started
    print("\n".join(line for line in text.splitlines() if "[concord.prod" in line))  # noqa: T201
    print(f"make prod: ready after {ready_after:.1f} s, all stopped after {stopped_after:.1f} s")  # noqa: T201 - the figure for the report
