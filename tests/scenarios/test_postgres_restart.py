"""PostgreSQL dies in the middle of a run of referral transitions, then comes back.

A PRIVATE PostgreSQL instance (initdb into a temporary directory, its own port, trust auth) holds
a copy of the migrated test database; Concord serves it from a real ASGI server (daphne, in a
subprocess, with persistent connections: CONN_MAX_AGE=60 and CONN_HEALTH_CHECKS); four client
threads drive referrals through the API with tokens (create and submit in one request, then
accept), retrying what failed. In the middle of the run the instance is killed
(`pg_ctl stop -m immediate`: no shutdown checkpoint, open transactions cut off, crash recovery at
the next start), then started again. The machine's shared server is never touched.

What it proves:
* while the database is down every request fails cleanly: a 503 whose body is the API's error
  body (`service_unavailable`), never a 2xx, never a 500, no hang; /readyz says "not ready"
  (pages answer 503 too with DEBUG off: concord/tests/test_security.py);
* nothing half-done remains: every referral's state is explained by its event rows (create,
  submit, accept: all of them or none), no draft is left by a create-and-submit request, every
  inbox/outbox row agrees with its referral, an accepted referral's receiver holds the case
  grant, and (once the notifications outbox exists) no notification exists without its event
  and every event of a kind has its notifications or none of that kind has;
* every 2xx the clients saw is durable across the crash;
* the service recovers by itself: the same server process, untouched, answers every request sent
  after the restart with success, and /readyz is "ready" again.

The database copy is made with pg_dump from the test database (schema, triggers, reference data:
what the migrations made) rather than by running the migrations again, which would cost the test
a minute of the two shared CPUs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

logger = logging.getLogger(__name__)
BASE_DIR = Path(settings.BASE_DIR)
CASES = 48
WORKERS = 4
TRANSITIONS_BEFORE_CRASH = 12
FAILURES_WHILE_DOWN = 12
DEADLINE = 180.0


# --- the private PostgreSQL instance -------------------------------------------------------------
def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """Our own PostgreSQL binaries and Python, with arguments this module builds."""
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("check", True)
    kwargs.setdefault("timeout", 300)
    return subprocess.run(args, **kwargs)  # noqa: S603 - see the docstring


def _bindir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = _run([pg_config, "--bindir"], text=True, check=False)
        candidates.insert(0, Path(out.stdout.strip()))
    tools = ("initdb", "pg_ctl", "pg_dump", "psql", "createdb")
    return next((c for c in candidates if all((c / t).exists() for t in tools)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivatePostgres:
    bindir: Path
    root: Path
    port: int
    as_user: list[str]  # ["runuser", "-u", "postgres", "--"] when running as root

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/concord"

    def _pg_ctl(self, *args: str) -> None:
        _run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args])

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.root / "log"), "-w", "-t", "120", "start")

    def kill(self) -> None:
        """Immediate stop: the postmaster and every backend go at once, like a crash."""
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    bindir = _bindir()
    if bindir is None:
        message = "needs PostgreSQL's initdb and pg_ctl (e.g. /usr/lib/postgresql/15/bin)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the instance as `postgres`
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser: cannot start a private PostgreSQL")
        as_user = [runuser, "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="concord-pg-"))
    if as_user:
        shutil.chown(root, user="postgres")
    pg = PrivatePostgres(bindir=bindir, root=root, port=_free_port(), as_user=as_user)
    initdb = [*as_user, str(bindir / "initdb"), "-D", str(pg.data), "-A", "trust"]
    _run([*initdb, "-U", "postgres", "--no-sync", "-E", "UTF8"])
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def _copy_test_database(pg: PrivatePostgres) -> None:
    """The migrated test database (schema, triggers, reference data) into the private instance."""
    from django.db import connection

    source = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
    private = ["-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres"]
    _run([str(pg.bindir / "createdb"), *private, "concord"])
    dump = _run(
        [
            str(pg.bindir / "pg_dump"),
            "--no-owner",
            "--no-privileges",
            *("-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432)),
            *("-U", source["USER"] or "postgres", source["NAME"]),
        ],
        env=env,
    )
    _run(
        [str(pg.bindir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", *private, "-d", "concord"],
        input=dump.stdout,
    )


# --- Concord against it ---------------------------------------------------------------------------
def _server_env(pg: PrivatePostgres) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DATABASE_URL=pg.url,
        CONN_MAX_AGE="60",
        DJANGO_SETTINGS_MODULE="concord.settings",
        PYTHONDONTWRITEBYTECODE="1",
        LOG_LEVEL="WARNING",
    )
    return env


def seed(cases: int) -> dict[str, Any]:
    """Run inside the private database (subprocess): a labour inspectorate's case system, a
    shelter's intake system (API tokens), and `cases` consenting adults' cases."""
    from coordination.models import Role
    from coordination.services import api_token_issue, service_account_create
    from coordination.tests.factories import make_organisation
    from workflows.cases.tests.factories import make_case, make_consent

    sender = make_organisation(kind="labour_inspectorate", country="TH", name="Restart sender")
    shelter = make_organisation(
        kind="ngo", country="TH", name="Restart shelter", services=["shelter"]
    )
    tokens = {}
    for side, org in (("sender", sender), ("receiver", shelter)):
        membership = service_account_create(
            organisation=org, name="case-system", role=Role.CASE_OFFICER, actor=None
        )
        tokens[side] = api_token_issue(user=membership.user, actor=None)
    case_ids = []
    for _ in range(cases):
        case = make_case(sender, country="TH", nationality="TH")
        make_consent(case, organisations=[shelter])
        case_ids.append(case.pk)
    return {
        "tokens": tokens,
        "sender": sender.pk,
        "receiver": shelter.pk,
        "receiver_group": shelter.group_id,
        "cases": case_ids,
    }


def _seed(pg: PrivatePostgres) -> dict[str, Any]:
    code = (
        "import json, django; django.setup(); "
        "from tests.scenarios.test_postgres_restart import seed; "
        f"print(json.dumps(seed({CASES})))"
    )
    out = _run([sys.executable, "-c", code], cwd=BASE_DIR, env=_server_env(pg), text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def server(private_postgres: PrivatePostgres, tmp_path: Path) -> Iterator[dict[str, Any]]:
    _copy_test_database(private_postgres)
    world = _seed(private_postgres)
    port = _free_port()
    log = (tmp_path / "daphne.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own server
        [
            str(Path(sys.executable).with_name("daphne")),
            *("-b", "127.0.0.1", "-p", str(port)),
            "concord.asgi:application",
        ],
        cwd=BASE_DIR,
        env=_server_env(private_postgres),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _poll(lambda: _get(f"{base}/healthz")[0] == 200, "the server to start", process)
        yield {**world, "base": base, "process": process, "pg": private_postgres}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        log.close()


def _poll(condition: Any, what: str, process: Any = None, timeout: float = DEADLINE) -> None:
    """Wait for a real process: check, then wait a little, until a deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}) waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        threading.Event().wait(0.05)


# --- HTTP -----------------------------------------------------------------------------------------
def _get(url: str) -> tuple[int, Any]:
    return _request("GET", url, None, None)


def _request(method: str, url: str, token: str | None, body: Any) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(url, method=method, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw[:200]
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, repr(error)


@dataclass
class Run:
    """What the clients saw, by phase: "up" before the crash, "down", "back" after the restart."""

    phase: str = "up"
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: list[tuple[str, str, str, int, Any]] = field(default_factory=list)
    created: dict[int, int] = field(default_factory=dict)  # referral id -> case id (a 201 seen)
    accepted: set[int] = field(default_factory=set)  # referral ids (a 200 seen)
    done: int = 0

    def record(self, sent_in: str, what: str, status: int, body: Any) -> None:
        with self.lock:
            self.seen.append((sent_in, self.phase, what, status, body))

    def count(self, predicate: Any) -> int:
        with self.lock:
            return sum(1 for row in self.seen if predicate(*row))


def _drive(world: dict[str, Any], run: Run, case_ids: list[int], stop: threading.Event) -> None:
    """Create-and-submit, then accept, each case's referral, retrying failures until they pass."""
    base, tokens = world["base"], world["tokens"]
    for case_id in case_ids:
        referral_id = None
        while referral_id is None and not stop.is_set():
            phase = run.phase
            status, body = _request(
                "POST",
                f"{base}/api/referrals/",
                tokens["sender"],
                {
                    "case": case_id,
                    "receiver": world["receiver"],
                    "services": ["shelter"],
                    "urgency": "urgent",
                    "submit": True,
                },
            )
            run.record(phase, "create", status, body)
            if status == 201:
                referral_id = body["id"]
                with run.lock:
                    run.created[referral_id] = case_id
                    run.done += 1
            else:
                stop.wait(0.02)
        while referral_id is not None and not stop.is_set():
            phase = run.phase
            status, body = _request(
                "POST", f"{base}/api/referrals/{referral_id}/accept/", tokens["receiver"], None
            )
            run.record(phase, "accept", status, body)
            # A 409 after a failed attempt: that attempt committed but its answer was lost.
            if status == 200 or (status == 409 and body["code"] == "transition_not_allowed"):
                with run.lock:
                    run.accepted.add(referral_id)
                    run.done += 1
                break
            stop.wait(0.02)


def _rows(pg: PrivatePostgres, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(pg.url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql, params).fetchall()


# --- the test -------------------------------------------------------------------------------------
def test_postgres_killed_mid_run_nothing_half_done_and_the_service_recovers(server):
    """See the module's docstring: fails cleanly while down, atomic, durable, recovers alone.
    Its figures (requests per phase, seconds down, referrals by state) are logged at INFO
    (`--log-cli-level=INFO` shows them)."""
    pg: PrivatePostgres = server["pg"]
    run = Run()
    stop = threading.Event()
    shares = [server["cases"][i::WORKERS] for i in range(WORKERS)]
    workers = [threading.Thread(target=_drive, args=(server, run, s, stop)) for s in shares]
    for w in workers:
        w.start()
    try:
        _poll(lambda: run.done >= TRANSITIONS_BEFORE_CRASH, "transitions before the crash")
        killed_at = time.monotonic()
        pg.kill()
        run.phase = "down"
        _poll(
            lambda: (
                run.count(lambda sent, got, *_: sent == "down" and got == "down")
                >= FAILURES_WHILE_DOWN
            ),
            "requests while the database is down",
        )
        ready_down = _get(f"{server['base']}/readyz")
        pg.start()
        down_for = time.monotonic() - killed_at
        run.phase = "back"
        for w in workers:
            w.join(timeout=DEADLINE)
        assert not any(w.is_alive() for w in workers), "clients did not finish after the restart"
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=30)
    ready_back = _get(f"{server['base']}/readyz")

    # While down: every answer is a clean 503 with the error body; /readyz says not ready.
    while_down = [(s, b) for sent, got, _, s, b in run.seen if sent == "down" and got == "down"]
    assert len(while_down) >= FAILURES_WHILE_DOWN
    assert {s for s, _ in while_down} == {503}, while_down[:5]
    assert all(b["code"] == "service_unavailable" for _, b in while_down)
    assert all(set(b) == {"code", "detail", "fields"} for _, b in while_down)
    assert ready_down[0] == 503
    assert ready_down[1]["checks"]["database"].startswith("down")
    assert not [r for r in run.seen if r[3] == 500 or r[3] == 0], "a 500 or a dropped request"
    # Back: the same server process, never restarted, answers everything sent after the restart.
    assert server["process"].poll() is None
    after = [(what, s, b) for sent, _, what, s, b in run.seen if sent == "back"]
    assert after, "no request after the restart"
    failed_after = [
        (what, s, b)
        for what, s, b in after
        if s not in (200, 201)
        and not (s == 409 and isinstance(b, dict) and b["code"] == "transition_not_allowed")
    ]
    assert not failed_after, failed_after[:5]
    assert ready_back[0] == 200
    assert ready_back[1]["status"] == "ready"
    assert set(run.created.values()) == set(server["cases"])
    assert run.accepted == set(run.created)

    # Nothing half-done: every referral's state is explained by its event rows.
    referrals = _rows(
        pg,
        """
        SELECT r.id, r.state, r.case_id,
               array_agg(e.transition ORDER BY e.id), array_agg(e.to_state ORDER BY e.id)
          FROM referrals_referral r LEFT JOIN referrals_referralevent e ON e.referral_id = r.id
         WHERE r.sender_id = %s GROUP BY r.id
        """,
        server["sender"],
    )
    paths = {
        "submitted": ["create", "submit"],
        "accepted": ["create", "submit", "accept"],
    }
    by_state: dict[str, int] = {}
    for referral_id, state, _case, transitions, to_states in referrals:
        by_state[state] = by_state.get(state, 0) + 1
        assert state in paths, (referral_id, state, transitions)  # no draft left behind
        assert transitions == paths[state], (referral_id, state, transitions)
        assert to_states[-1] == state
    events = dict(
        _rows(
            pg,
            """
            SELECT e.transition, count(*) FROM referrals_referralevent e
              JOIN referrals_referral r ON r.id = e.referral_id
             WHERE r.sender_id = %s GROUP BY e.transition
            """,
            server["sender"],
        )
    )
    assert events.get("create", 0) == len(referrals)
    assert events.get("submit", 0) == by_state.get("submitted", 0) + by_state.get("accepted", 0)
    assert events.get("accept", 0) == by_state.get("accepted", 0)
    # Every 2xx the clients saw survived the crash.
    states = {r[0]: r[1] for r in referrals}
    assert set(run.created) <= set(states)
    assert all(states[r] == "accepted" for r in run.accepted)
    # Inbox and outbox rows agree with their referral.
    boxes = _rows(
        pg,
        """
        SELECT v.referral_id, v.box, v.state FROM referrals_referralvisibility v
          JOIN referrals_referral r ON r.id = v.referral_id WHERE r.sender_id = %s
        """,
        server["sender"],
    )
    assert {(r, b) for r, b, _ in boxes} == {(r, b) for r in states for b in ("inbox", "outbox")}
    assert all(state == states[r] for r, _, state in boxes)
    # An accepted referral's receiver holds the case grant that came with the acceptance.
    granted = {
        case_id
        for (case_id,) in _rows(
            pg,
            """
            SELECT g.content_object_id FROM cases_casegroupobjectpermission g
              JOIN auth_permission p ON p.id = g.permission_id
             WHERE g.group_id = %s AND p.codename = 'view_case_details'
            """,
            server["receiver_group"],
        )
    }
    assert {case for r, state, case, *_ in referrals if state == "accepted"} <= granted
    _assert_outbox_with_its_events(pg)
    figures: dict[str, Any] = {"seconds_down": round(down_for, 2), "referrals": by_state}
    for phase in ("up", "down", "back"):
        statuses: dict[int, int] = {}
        for sent, _, _, status, _ in run.seen:
            if sent == phase:
                statuses[status] = statuses.get(status, 0) + 1
        figures[f"statuses_sent_{phase}"] = statuses
    logger.info("postgres restart run: %s", json.dumps(figures))


def _assert_outbox_with_its_events(pg: PrivatePostgres) -> None:
    """Once the notifications outbox exists: a notification only with its event, and the events of
    one kind either all have their notifications or none has (recipients depend on the kind)."""
    (exists,) = _rows(pg, "SELECT to_regclass('notifications_notification') IS NOT NULL")[0]
    if not exists:
        return
    keys = _rows(
        pg,
        "SELECT DISTINCT event_key FROM notifications_notification "
        "WHERE event_key LIKE 'referrals.referralevent:%%'",
    )
    noted = {int(key.split(":")[1]) for (key,) in keys}
    events = _rows(pg, "SELECT id, transition FROM referrals_referralevent")
    existing = {event_id for event_id, _ in events}
    assert noted <= existing, "a notification without its event"
    for kind in {t for _, t in events}:
        of_kind = {event_id for event_id, t in events if t == kind}
        assert of_kind & noted in (set(), of_kind), f"{kind}: some events lack notifications"
