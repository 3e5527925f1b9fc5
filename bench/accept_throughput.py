"""Referral acceptance through the full stack, as a ratio to a pgbench replay of its own SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_thru \
    REDIS_URL=redis://127.0.0.1:6379/11 \
      .venv/bin/python bench/accept_throughput.py --clients 8 --seconds 20 --rounds 3

What it does, in one invocation (bench/README.md, "Referral acceptance throughput"):
1. prepares the database as `make prod` does (`python -m concord.prod prepare`: create, migrate,
   collectstatic) and tops it up, through the services, to enough *submitted* referrals: a few
   sending agencies hold cases (each with a consent that covers the receivers), and each referral
   goes to one of many receiving agencies, so that every acceptance grants fresh object
   permissions; each receiving agency has a case officer signed in with a verified second factor
   (a Django session carrying the OTP device id, as after password + TOTP);
2. captures, in this process, the SQL of one acceptance through the test Client (the same
   middleware, session, DRF view and service) with CaptureQueriesContext, and turns it into a
   pgbench script: the referral's and its case's ids become variables, BEGIN/COMMIT and SELECT ...
   FOR UPDATE stay as issued;
3. starts uvicorn with the flags of concord.prod (N ASGI worker processes, DEBUG off, PostgreSQL,
   Redis) and alternates, `--rounds` times, A = C keep-alive HTTP clients POSTing
   /api/referrals/{id}/accept/ (each request a different submitted referral, closed loop, as fast
   as answered) and B = `pgbench -n -f script -c C -j C -T t` over TCP 127.0.0.1;
4. at half of the best A rate, sends requests open loop (Poisson arrivals, each on its own
   connection from a pool, independent of answers) and reports latency from the *scheduled* send
   time, so queueing delay counts.

The pgbench replay runs on referrals already accepted by A (the database keeps only what a real
acceptance needs; a fresh referral per pgbench transaction would need ~10^5 of them): the same
statements, the same rows touched, the row lock taken (the object-permission grant is issued by
Django as INSERT ... ON CONFLICT DO NOTHING, so a repeated grant replays without error).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

REFERRAL_ID_BASE = 10_000_000  # distinctive ids: the capture finds them in the SQL unambiguously
CASE_ID_BASE = 20_000_000
# 32 characters of the CSRF alphabet, sent as cookie and header (not a secret).
CSRF_TOKEN = "benchcsrftokenbenchcsrftokenbenc"  # noqa: S105


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- environment ---------------------------------------------------------------------------------


def production_env(args: argparse.Namespace) -> dict[str, str]:
    """The environment of `make prod` on http://127.0.0.1 (docs/deployment.md), DEBUG off."""
    from concord.prod import production_environment

    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/concord_thru")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
    env.setdefault("CHANNELS_PREFIX", "thru")
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    env["SECURE_SSL_REDIRECT"] = "false"
    env["SECURE_COOKIES"] = "false"
    env["CONN_MAX_AGE"] = str(args.conn_max_age)
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    return production_environment(env)


def prepare_database(env: dict[str, str]) -> None:
    from concord.prod import ensure_database

    log("prepare: python -m concord.prod prepare (create database, migrate, collectstatic)")
    ensure_database(env["DATABASE_URL"])
    subprocess.run(
        [sys.executable, "-m", "concord.prod", "prepare"], env=env, cwd=BASE_DIR, check=True
    )


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    import django

    django.setup()


# --- data ----------------------------------------------------------------------------------------


@dataclass
class World:
    receivers: list[Any]
    sessions: dict[int, str]  # receiver organisation id -> session key of its case officer
    user_ids: dict[int, int] = field(default_factory=dict)


def _bump_sequences() -> None:
    from django.db import connection

    from workflows.cases.models import Case
    from workflows.referrals.models import Referral

    with connection.cursor() as cur:
        for model, base in ((Referral, REFERRAL_ID_BASE), (Case, CASE_ID_BASE)):
            table = model._meta.db_table
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            if cur.fetchone()[0] < base:
                cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, base])


def build_world(*, receivers: int) -> World:
    """Agencies, case officers with verified sessions; idempotent on a database it filled before."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coordination.models import Organisation
    from coordination.tests.factories import make_member_user, make_organisation

    _bump_sequences()
    existing = list(Organisation.objects.filter(name__startswith="Bench receiver ").order_by("pk"))
    for i in range(len(existing), receivers):
        org = make_organisation(
            kind="ngo", country="TH", name=f"Bench receiver {i:04d}", services=["shelter"]
        )
        make_member_user(org, "case_officer", username=f"bench-recv-{i:04d}")
        existing.append(org)
    sessions: dict[int, str] = {}
    user_ids: dict[int, int] = {}
    user_model = get_user_model()
    for org in existing[:receivers]:
        user = user_model.objects.get(username=f"bench-recv-{org.name[-4:]}")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        # A session as `login` + the OTP step leave it (django.contrib.auth.login's keys).
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        sessions[org.pk] = store.session_key
        user_ids[org.pk] = user.pk
    return World(receivers=existing[:receivers], sessions=sessions, user_ids=user_ids)


def submitted_referrals(world: World) -> list[tuple[int, int]]:
    from workflows.referrals.models import Referral, ReferralState

    return list(
        Referral.objects.filter(
            state=ReferralState.SUBMITTED,
            receiver__in=world.receivers,
            pk__gt=REFERRAL_ID_BASE,
        )
        .order_by("pk")
        .values_list("pk", "receiver_id")
    )


def top_up(world: World, *, wanted: int) -> None:
    """Submitted referrals through referral_create/referral_submit, until `wanted` are waiting.

    One case is referred to every receiving agency (its consent covers them all), so each
    (case, receiver) pair is new and each acceptance grants fresh object permissions."""
    from coordination.models import Organisation
    from coordination.tests.factories import make_member_user, make_organisation
    from workflows.cases.tests.factories import make_case, make_consent
    from workflows.referrals import services

    have = len(submitted_referrals(world))
    if have >= wanted:
        log(f"data: {have} submitted referrals waiting (wanted {wanted})")
        return
    sender = Organisation.objects.filter(name="Bench sender").first()
    if sender is None:
        sender = make_organisation(kind="labour_inspectorate", country="TH", name="Bench sender")
        make_member_user(sender, "case_officer", username="bench-sender")
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="bench-sender")
    started = time.monotonic()
    while have < wanted:
        case = make_case(sender, country="TH", nationality="TH")
        make_consent(case, organisations=world.receivers)
        for org in world.receivers:
            referral = services.referral_create(
                case=case, receiver=org, actor=officer, services=["shelter"], urgency="urgent"
            )
            services.referral_submit(referral=referral, actor=officer)
        have += len(world.receivers)
        log(f"data: {have}/{wanted} submitted referrals ({time.monotonic() - started:.0f} s)")


# --- capture -> pgbench script -------------------------------------------------------------------


def capture_accept_sql(world: World, referral_id: int, receiver_id: int) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = world.sessions[receiver_id]
    client.cookies["csrftoken"] = CSRF_TOKEN
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            f"/api/referrals/{referral_id}/accept/",
            HTTP_X_CSRFTOKEN=CSRF_TOKEN,
            HTTP_HOST="127.0.0.1",
            HTTP_ACCEPT="application/json",
        )
    if response.status_code != 200:
        raise SystemExit(f"capture: accept answered {response.status_code}: {response.content!r}")
    return [q["sql"] for q in ctx.captured_queries]


def case_of_referral() -> tuple[int, int, int]:
    """(first referral id, first case id, referrals per case): the seeding refers each case to
    every receiver in one run of consecutive ids, so a referral's case follows from its id."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(id), min(case_id), count(*) FILTER (WHERE case_id = "
            "(SELECT min(case_id) FROM referrals_referral WHERE id > %s)) "
            "FROM referrals_referral WHERE id > %s",
            [REFERRAL_ID_BASE, REFERRAL_ID_BASE],
        )
        r0, c0, per_case = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM referrals_referral "
            "WHERE id > %s AND case_id <> %s + (id - %s) / %s",
            [REFERRAL_ID_BASE, c0, r0, per_case],
        )
        if cur.fetchone()[0]:
            raise SystemExit("referral ids do not map onto case ids: use a fresh database")
    return r0, c0, per_case


@dataclass
class CapturedIds:
    """Ids the captured acceptance created, which later statements of the same acceptance name:
    the event row (in the notices' event_key) and the notice (in its outbox rows)."""

    event_id: int
    notification_ids: list[int]


def captured_ids(referral_id: int) -> CapturedIds:
    from notifications.models import Notification
    from workflows.referrals.models import ReferralEvent

    event_id = (
        ReferralEvent.objects.filter(referral_id=referral_id, transition="accept").latest("id").pk
    )
    notices = Notification.objects.filter(
        event_key__startswith=f"referrals.referralevent:{event_id}:"
    ).order_by("pk")
    return CapturedIds(event_id=event_id, notification_ids=[n.pk for n in notices])


def pgbench_script(
    queries: list[str],
    referral_id: int,
    case_id: int,
    pool: list[int],
    mapping: tuple[int, int, int],
    ids: CapturedIds,
) -> str:
    """The captured statements, the referral and case ids replaced by variables.

    The referral is drawn from `pool` (accepted by A already, consecutive ids); its case id
    follows from the referral's as the seeding laid them out. Rows the acceptance inserts and
    names again later keep their link in the replay: the event INSERT's RETURNING id is kept
    with pgbench's `\\gset` and spliced into the notices' event_key (unique per recipient, so a
    replay of the literal key would fail), and the notice's id into its outbox (delivery) rows.
    The transition's UPDATE stays as issued: guarded by the state it leaves (`WHERE state =
    'submitted'`, the concurrent-transition check), it matches no row of an accepted referral, so
    B writes one row less than a real acceptance (B slightly faster, A/B slightly lower). Naming
    the current state instead would make the old full-row UPDATE write the captured referral's
    sender, receiver and case into other rows."""
    r0, c0, per_case = mapping
    if len(ids.notification_ids) > 1:
        raise SystemExit("capture: more than one notice per acceptance; the replay keeps one id")
    lines = [
        f"\\set rid random({min(pool)}, {max(pool)})",
        f"\\set cid {c0} + (:rid - {r0}) / {per_case}",
    ]
    event_key = f"referralevent:{ids.event_id}:"
    for sql in queries:
        sql = re.sub(rf"\b{referral_id}\b", ":rid", sql)
        sql = re.sub(rf"\b{case_id}\b", ":cid", sql)
        sql = sql.replace("\n", " ")
        end = ";"
        if sql.startswith('INSERT INTO "referrals_referralevent"'):
            end = " \\gset ev_"
        elif sql.startswith('INSERT INTO "notifications_notification"'):
            sql = sql.replace(event_key, "referralevent:' || :ev_id || ':")
            end = " \\gset notice_" if ids.notification_ids else ";"
        elif sql.startswith('INSERT INTO "notifications_delivery"') and ids.notification_ids:
            sql = re.sub(rf"\(\s*{ids.notification_ids[0]}\s*,", "(:notice_id, ", sql)
        lines.append(sql + end)
    return "\n".join(lines) + "\n"


def profile_accepts(world: World, items: list[tuple[int, int]]) -> None:
    """Acceptances through the test Client, timed plain and then under cProfile (after one warm-up):
    where the time goes."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    # One client, as one server process has one handler: the middleware chain (WhiteNoise scans
    # the static files when it starts) is built once, not per agency.
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_TOKEN

    def accept(referral_id: int, receiver_id: int) -> None:
        client.cookies["sessionid"] = world.sessions[receiver_id]
        response = client.post(
            f"/api/referrals/{referral_id}/accept/",
            HTTP_X_CSRFTOKEN=CSRF_TOKEN,
            HTTP_HOST="127.0.0.1",
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 200, response.content

    accept(*items.pop())
    plain = [items.pop() for _ in range(len(items) // 2)]
    started = time.process_time()
    for item in plain:
        accept(*item)
    plain_cpu = (time.process_time() - started) / len(plain) * 1000
    log(f"profile: {len(plain)} acceptances in process, {plain_cpu:.1f} ms CPU each (no profiler)")
    profiler = cProfile.Profile()
    started = time.process_time()
    profiler.enable()
    for item in items:
        accept(*item)
    profiler.disable()
    cpu = (time.process_time() - started) / len(items) * 1000
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    log(f"profile: {len(items)} acceptances in process, {cpu:.1f} ms CPU each (with cProfile)")
    print(out.getvalue(), file=sys.stderr)


# --- HTTP clients --------------------------------------------------------------------------------


def _request(host: str, port: int, referral_id: int, session_key: str) -> bytes:
    return (
        f"POST /api/referrals/{referral_id}/accept/ HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Accept: application/json\r\n"
        "Content-Length: 0\r\n"
        f"X-CSRFToken: {CSRF_TOKEN}\r\n"
        f"Cookie: sessionid={session_key}; csrftoken={CSRF_TOKEN}\r\n"
        "\r\n"
    ).encode()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(length)
    return status


@dataclass
class Work:
    items: list[tuple[int, int]]  # (referral id, receiver organisation id), each used once
    sessions: dict[int, str]
    next: int = 0

    def take(self) -> tuple[int, str] | None:
        if self.next >= len(self.items):
            return None
        referral_id, receiver_id = self.items[self.next]
        self.next += 1
        return referral_id, self.sessions[receiver_id]


async def closed_loop(host: str, port: int, work: Work, clients: int, seconds: float) -> dict:
    """C keep-alive connections, each sending its next request when the last is answered."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < deadline:
                item = work.take()
                if item is None:
                    log("closed loop: no submitted referral left; raise --expected-rate")
                    return
                t0 = time.monotonic()
                writer.write(_request(host, port, *item))
                status = await _read_response(reader)
                latencies.append(time.monotonic() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.monotonic() - started
    ok = statuses.get(200, 0)
    return {"rate": ok / elapsed, "statuses": statuses, "elapsed": elapsed, "n": len(latencies)}


async def open_loop(host: str, port: int, work: Work, rate: float, seconds: float) -> dict:
    """Poisson arrivals at `rate`; latency counts from the scheduled send time."""
    rng = random.Random(8)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    start = time.monotonic() + 0.2
    schedule: list[float] = []
    t = start
    while t < start + seconds:
        schedule.append(t)
        t += rng.expovariate(rate)

    async def one(at: float) -> None:
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        item = work.take()
        if item is None:
            return
        request = _request(host, port, *item)
        while idle:
            # uvicorn closes a keep-alive connection idle for 5 s; a request written to one that
            # is already closed never reached the application, so it is sent again on another.
            reader, writer = idle.pop()
            try:
                writer.write(request)
                status = await _read_response(reader)
                break
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
        else:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            status = await _read_response(reader)
        conn = (reader, writer)
        latencies.append(time.monotonic() - at)
        statuses[status] = statuses.get(status, 0) + 1
        idle.append(conn)

    await asyncio.gather(*(one(at) for at in schedule))
    for _, writer in idle:
        writer.close()
    latencies.sort()
    if not latencies:
        raise SystemExit("open loop: no submitted referral left; raise --expected-rate")

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "rate": rate,
        "sent": len(latencies),
        "statuses": statuses,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
    }


# --- server and pgbench --------------------------------------------------------------------------


def start_web(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """uvicorn exactly as concord.prod starts it (its `web` program)."""
    cmd = [
        sys.executable, "-m", "uvicorn", "concord.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--lifespan", "off",
        "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1", "--no-server-header",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=BASE_DIR, start_new_session=True)  # noqa: S603
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("uvicorn did not become healthy within 120 s")


def stop_web(proc: subprocess.Popen) -> None:
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_pgbench(database_url: str, script: Path, clients: int, seconds: int) -> dict:
    parts = urlsplit(database_url)
    cmd = [
        "pgbench", "-n", "-f", str(script), "-c", str(clients), "-j", str(clients),
        "-T", str(seconds), "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
        "-U", unquote(parts.username or "postgres"), unquote(parts.path.lstrip("/")),
    ]  # fmt: skip
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    for attempt in range(1, 31):
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        # The server is shared: other sessions' tests may hold every connection for a moment.
        if out.returncode == 0 or "too many clients" not in out.stderr or attempt == 30:
            break
        log(f"pgbench: the server had no free connection, trying again ({attempt})")
        time.sleep(2)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    return {
        "rate": float(match.group(1)) if match else 0.0,
        "failed": int(failed.group(1)) if failed else 0,
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20, help="per A and per B run")
    parser.add_argument("--rounds", type=int, default=3, help="A/B alternations")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--receivers", type=int, default=200, help="receiving agencies")
    parser.add_argument("--port", type=int, default=8711)
    # 0, as in production: under ASGI each request runs in its own context with its own database
    # connection, so a non-zero CONN_MAX_AGE never reuses one; it only leaves each request's
    # connection open until the garbage collector finds it (90 idle connections after a few
    # seconds of load here, then "too many clients" for everyone on the server).
    parser.add_argument("--conn-max-age", type=int, default=0)
    parser.add_argument("--expected-rate", type=float, default=120.0, help="sizes the data")
    parser.add_argument("--latency-seconds", type=int, default=20)
    parser.add_argument("--skip-prepare", action="store_true")
    parser.add_argument("--profile", type=int, default=30, help="acceptances under cProfile")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()

    env = production_env(args)
    if not args.skip_prepare:
        prepare_database(env)
    django_setup(env)

    world = build_world(receivers=args.receivers)
    wanted = int(args.expected_rate * (args.seconds * args.rounds + args.latency_seconds / 2) * 1.3)
    top_up(world, wanted=wanted + args.profile + 1)
    items = submitted_referrals(world)

    from workflows.referrals.models import Referral

    capture_id, capture_receiver = items.pop(0)
    case_id = Referral.objects.get(pk=capture_id).case_id
    mapping = case_of_referral()
    queries = capture_accept_sql(world, capture_id, capture_receiver)
    ids = captured_ids(capture_id)
    log(f"capture: one acceptance issues {len(queries)} statements")
    if args.profile:
        profile_accepts(world, [items.pop() for _ in range(args.profile)])
    from django.db import connection

    connection.close()  # the benchmark's own process holds no connection while it measures

    work = Work(items=items, sessions=world.sessions)
    tmp = Path(tempfile.mkdtemp(prefix="accept-bench-"))
    (tmp / "captured.sql").write_text("\n".join(q + ";" for q in queries) + "\n")

    web = start_web(env, args.port, args.workers)
    results: dict[str, Any] = {
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "statements": len(queries),
        "A": [],
        "B": [],
        "load_before": load_average(),
    }
    try:
        # Warm-up: every worker imports and connects before anything is measured.
        asyncio.run(closed_loop("127.0.0.1", args.port, work, args.clients, 3))
        accepted_by_a: list[int] = []
        for round_no in range(1, args.rounds + 1):
            first = work.next
            a = asyncio.run(closed_loop("127.0.0.1", args.port, work, args.clients, args.seconds))
            accepted_by_a.extend(rid for rid, _ in work.items[first : work.next])
            results["A"].append(a)
            log(f"round {round_no} A (HTTP): {a['rate']:.1f} acceptances/s {a['statuses']}")
            pool = accepted_by_a
            script = tmp / "accept.pgbench"
            # pgbench draws from a contiguous id range: the referrals A accepted in this run.
            script.write_text(pgbench_script(queries, capture_id, case_id, pool, mapping, ids))
            b = run_pgbench(env["DATABASE_URL"], script, args.clients, args.seconds)
            results["B"].append(b)
            log(f"round {round_no} B (pgbench): {b['rate']:.1f} tps, failed {b['failed']}")
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
        ratios = [a["rate"] / b["rate"] for a, b in zip(results["A"], results["B"], strict=True)]
        results["ratios"] = ratios
        # A round is clean when every request was answered 200 and pgbench lost no transaction
        # (on a shared server other sessions may take every connection for a while).
        results["clean_rounds"] = [
            i
            for i, (a, b) in enumerate(zip(results["A"], results["B"], strict=True))
            if set(a["statuses"]) == {200} and b["failed"] == 0
        ]
        best = max(a["rate"] for a in results["A"])
        results["open_loop"] = asyncio.run(
            open_loop("127.0.0.1", args.port, work, best / 2, args.latency_seconds)
        )
    finally:
        stop_web(web)
    results["load_after"] = load_average()
    results["script"] = str(tmp / "accept.pgbench")
    log(f"pgbench script and captured SQL kept in {tmp}")

    a_rates = [a["rate"] for a in results["A"]]
    b_rates = [b["rate"] for b in results["B"]]
    print(json.dumps(results, indent=2))
    runs_a = ", ".join(f"{r:.1f}" for r in a_rates)
    runs_b = ", ".join(f"{r:.1f}" for r in b_rates)
    lat = results["open_loop"]
    print(
        f"\nA full stack: {statistics.mean(a_rates):.1f}/s (runs {runs_a})"
        f"\nB pgbench:    {statistics.mean(b_rates):.1f}/s (runs {runs_b})"
        f"\nratio A/B:    {statistics.mean(ratios):.3f}"
        f" (min {min(ratios):.3f}, max {max(ratios):.3f})"
        f"\nclean rounds: {[i + 1 for i in results['clean_rounds']]}"
        f"\nopen loop at {lat['rate']:.1f}/s: p50 {lat['p50_ms']:.0f} ms,"
        f" p95 {lat['p95_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
