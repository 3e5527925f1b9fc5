"""Notification latency: from a transition's commit to the websocket message on a client.

    .venv/bin/python bench/notify_latency.py            # 1,000 events at 100/s to 100 sockets

What runs (each its own process, all on this machine):
- PostgreSQL: the database `concord_notifbench` (created and migrated on first use; `--db`);
- Redis: a private redis-server on a free port, no persistence (`--redis-url` to use another);
- a real celery worker (`--pool`, `--concurrency`; prefetch 1, acks late, as in production);
- a real ASGI server, one process: daphne through `manage.py serve`, or `--server uvicorn`;
- one client process with 100 websockets (the `websockets` library), each signed in as one of
  100 shelter case officers (a session minted by Django's session engine, with a verified
  second-factor device in it, as after a real sign-in);
- one or more driver processes (`--drivers`) that submit referrals to those shelters on an
  open-loop schedule (event i at t0 + i / rate, whatever the previous one cost), each in its own
  transaction; an on_commit callback registered first (so it runs before the outbox's publish)
  stamps the commit with time.time().
Each submission notifies exactly one user (the receiving shelter's officer), so each event is one
websocket message; latency = client receive time - commit time, on the same clock.
Also printed: where the time goes, from the Delivery rows (`delivered_at` is stamped by the worker's
task once it holds the rows): commit → task running, and task running → message on the socket.

Runs in production mode (DEBUG off) with throwaway keys. Every process is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # setup speed only


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_env(args: argparse.Namespace, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "concord.settings",
        "DATABASE_URL": args.db,
        "REDIS_URL": redis_url,
        "CHANNELS_PREFIX": "notifbench",
        "DEBUG": "false",
        "SECRET_KEY": "notify-latency-bench-only",
        "FIELD_ENCRYPTION_KEYS": "Y29uY29yZC1kZXYta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE=",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- setup (in the bench database) -------------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = BENCH_PASSWORD_HASHERS


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Migrate, create the 100 shelters with one officer each (once), mint their sessions, and
    create this run's referral drafts (nothing is notified until they are submitted)."""
    ensure_database(args.db)
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    django_setup(env)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coordination.models import Organisation
    from coordination.tests.factories import make_member_user, make_organisation
    from workflows.cases.tests.factories import make_case, make_consent
    from workflows.referrals import services

    sender = Organisation.objects.filter(name="Bench sender").first()
    if sender is None:
        sender = make_organisation(kind="labour_inspectorate", country="TH", name="Bench sender")
        make_member_user(sender, "case_officer", username="bench-sender")
    from django.contrib.auth import get_user_model

    User = get_user_model()
    officer = User.objects.get(username="bench-sender")
    shelters = []
    cookies = []
    for i in range(args.sockets):
        name = f"Bench shelter {i:03d}"
        shelter = Organisation.objects.filter(name=name).first()
        if shelter is None:
            shelter = make_organisation(kind="ngo", country="TH", name=name, services=["shelter"])
            user = make_member_user(shelter, "case_officer", username=f"bench-shelter-{i:03d}")
            User.objects.filter(pk=user.pk).update(email="")  # the live path only: no e-mail
        user = User.objects.get(username=f"bench-shelter-{i:03d}")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        shelters.append(shelter)
        cookies.append(f"sessionid={session.session_key}")

    total = args.events + args.warmup
    per_case = len(shelters)
    from workflows.referrals.models import Referral

    # Drafts an interrupted run left are used first (creating them is most of the setup time).
    drafts: list[int] = list(
        Referral.objects.filter(sender=sender, receiver__in=shelters, state="draft")
        .order_by("pk")
        .values_list("pk", flat=True)[:total]
    )
    started = time.monotonic()
    while len(drafts) < total:
        case = make_case(sender, country="TH", nationality="TH")
        make_consent(case, kinds=["ngo"])
        for shelter in shelters[: min(per_case, total - len(drafts))]:
            referral = services.referral_create(
                case=case, receiver=shelter, actor=officer, services=["shelter"]
            )
            drafts.append(referral.pk)
    print(f"setup: {len(drafts)} referral drafts in {time.monotonic() - started:.0f} s")
    from django.db import connections

    connections.close_all()
    (workdir / "cookies.json").write_text(json.dumps(cookies))
    return {"drafts": drafts, "officer_id": officer.pk}


# --- the client: 100 sockets -------------------------------------------------------------------


async def client_main(port: int, cookies: list[str], expected: int, out: Path, ready: Path) -> None:
    import websockets

    received: dict[int, float] = {}
    done = asyncio.Event()
    # Handshakes in flight at once: each costs the server a few queries, and daphne drops a
    # socket its application has not accepted within 20 s (on a loaded host 10 at once did).
    opening = asyncio.Semaphore(2)

    async def one(cookie: str, opened: asyncio.Event) -> None:
        for attempt in range(10):
            try:
                async with opening:
                    ws = await websockets.connect(
                        f"ws://127.0.0.1:{port}/ws/notifications/",
                        origin=websockets.Origin(f"http://127.0.0.1:{port}"),
                        additional_headers={"Cookie": cookie},
                        open_timeout=60,
                        ping_interval=None,
                    )
                    hello = json.loads(await asyncio.wait_for(ws.recv(), 60))
                    assert hello["type"] == "hello", hello
                break
            except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                failure = f"{type(exc).__name__}: {exc}"
                print(f"socket open failed ({failure}), attempt {attempt + 1}", flush=True)
        else:
            raise SystemExit("a socket could not be opened")
        opened.set()
        async with ws:
            while not done.is_set():
                raw = await ws.recv()
                at = time.time()
                message = json.loads(raw)
                if message.get("type") == "notification":
                    received[int(message["notification"]["object_id"])] = at
                    if len(received) >= expected:
                        done.set()

    opened = [asyncio.Event() for _ in cookies]
    tasks = [asyncio.create_task(one(c, e)) for c, e in zip(cookies, opened, strict=True)]
    deadline = time.monotonic() + 300
    while not all(e.is_set() for e in opened):
        failed = [t for t in tasks if t.done() and t.exception()]
        if failed or time.monotonic() > deadline:
            raise SystemExit(f"sockets not open: {failed[0].exception() if failed else 'timeout'}")
        await asyncio.sleep(0.1)
    print(f"{len(opened)} sockets open", flush=True)
    ready.write_text("ready")
    # Until every message came, or 30 s after the drivers' last commit (what is missing then is
    # counted as lost).
    drivers_done = ready.with_name("drivers.done")
    grace_until = None
    while not done.is_set():
        if grace_until is None and drivers_done.exists():
            grace_until = time.monotonic() + 30
        if grace_until is not None and time.monotonic() > grace_until:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=0.5)
    out.write_text(json.dumps(received))
    for task in tasks:
        task.cancel()


# --- the drivers: transitions at a fixed rate ----------------------------------------------------


def driver_main(
    env: dict[str, str],
    ids: list[int],
    t0: float,
    rate: float,
    stride: int,
    offset: int,
    officer_id: int,
    out: Path,
) -> None:
    django_setup(env)
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from workflows.referrals import services
    from workflows.referrals.models import Referral

    officer = get_user_model().objects.get(pk=officer_id)
    committed: dict[int, float] = {}
    late = 0
    for n, referral_id in enumerate(ids):
        index = offset + n * stride
        due = t0 + index / rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)  # pacing an open-loop load, not waiting for a result
        else:
            late += 1
        referral = Referral.objects.get(pk=referral_id)
        with transaction.atomic():
            transaction.on_commit(lambda r=referral_id: committed.__setitem__(r, time.time()))
            services.referral_submit(referral=referral, actor=officer)
    out.write_text(json.dumps({"committed": committed, "late": late}))


# --- orchestration -----------------------------------------------------------------------------


def wait_for(condition: Any, seconds: float, what: str, proc: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{what}: the process exited ({proc.returncode})")
        time.sleep(0.1)
    raise SystemExit(f"{what}: not within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/concord_notifbench")
    parser.add_argument("--redis-url", default="", help="default: a private redis-server")
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50, help="sent first, not counted")
    parser.add_argument("--rate", type=float, default=100.0, help="events per second")
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--drivers", type=int, default=2, help="driver processes")
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--pool", choices=["prefork", "threads", "solo"], default="prefork")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args()

    # A SIGTERM (or timeout(1)) still stops every process this started (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="notifbench-"))
    procs: list[subprocess.Popen[bytes]] = []

    def spawn(cmd: list[str], env: dict[str, str], log: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(  # noqa: S603 - our own binaries and arguments
            cmd,
            cwd=ROOT,
            env=env,
            stdout=open(workdir / log, "wb"),  # noqa: SIM115 - the child keeps it
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        return proc

    try:
        redis_url = args.redis_url
        if not redis_url:
            port = free_port()
            spawn(
                [
                    "/usr/bin/redis-server",
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                ],
                dict(os.environ),
                "redis.log",
            )
            redis_url = f"redis://127.0.0.1:{port}/0"
            import redis

            client = redis.Redis.from_url(redis_url)

            def pong() -> bool:
                try:
                    return bool(client.ping())
                except redis.ConnectionError:
                    return False

            wait_for(pong, 30, "redis-server")
        env = bench_env(args, redis_url)
        plan = prepare(args, env, workdir)

        worker = spawn(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "concord",
                "worker",
                "-P",
                args.pool,
                "-c",
                str(args.concurrency),
                "-n",
                f"notifbench-{os.getpid()}@%h",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env,
            "worker.log",
        )
        http_port = free_port()
        if args.server == "daphne":
            server = spawn(
                [PYTHON, "manage.py", "serve", "--port", str(http_port)], env, "server.log"
            )
        else:
            server = spawn(
                [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    "concord.asgi:application",
                    "--port",
                    str(http_port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env,
                "server.log",
            )
        from concord.celery import app

        app.conf.broker_url = redis_url
        wait_for(lambda: bool(app.control.ping(timeout=0.5)), 120, "celery worker", worker)

        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", http_port)) == 0

        wait_for(listening, 120, "ASGI server", server)

        total = args.events + args.warmup
        ready = workdir / "client.ready"
        client_env = {**env, "BENCH_WORKDIR": str(workdir)}
        client = spawn(
            [PYTHON, __file__, "--role-client", str(http_port), str(total)],
            client_env,
            "client.log",
        )
        wait_for(ready.exists, 360, "the sockets open", client)

        drafts = plan["drafts"]
        t0 = time.time() + 2.0
        load_before = os.getloadavg()
        drivers = []
        for d in range(args.drivers):
            out = workdir / f"driver{d}.json"
            drivers.append(
                (
                    spawn(
                        [
                            PYTHON,
                            __file__,
                            "--role-driver",
                            json.dumps(
                                {
                                    "ids": drafts[d :: args.drivers],
                                    "t0": t0,
                                    "rate": args.rate,
                                    "stride": args.drivers,
                                    "offset": d,
                                    "officer_id": plan["officer_id"],
                                    "out": str(out),
                                }
                            ),
                        ],
                        env,
                        f"driver{d}.log",
                    ),
                    out,
                )
            )
        for proc, _out in drivers:
            proc.wait(timeout=3600)
            if proc.returncode:
                raise SystemExit((workdir / f"driver{drivers.index((proc, _out))}.log").read_text())
        load_after = os.getloadavg()
        (workdir / "drivers.done").touch()
        client.wait(timeout=120)

        committed: dict[int, float] = {}
        late = 0
        for _proc, out in drivers:
            data = json.loads(out.read_text())
            committed.update({int(k): v for k, v in data["committed"].items()})
            late += data["late"]
        received = {int(k): v for k, v in json.loads((workdir / "client.json").read_text()).items()}
        counted = drafts[args.warmup :]
        latencies = [(received[r] - committed[r]) * 1000 for r in counted if r in received]
        lost = [r for r in counted if r not in received]
        span = max(committed[r] for r in counted) - min(committed[r] for r in counted)

        from notifications.models import Channel, Delivery

        picked = dict(
            Delivery.objects.filter(
                channel=Channel.LIVE,
                notification__object_id__in=counted,
                notification__object_type="referral",
                notification__kind="referral_submitted",
            ).values_list("notification__object_id", "delivered_at")
        )
        pickup = [(picked[r].timestamp() - committed[r]) * 1000 for r in counted if picked.get(r)]
        relay = [
            (received[r] - picked[r].timestamp()) * 1000
            for r in counted
            if picked.get(r) and r in received
        ]

        def summary(values: list[float]) -> dict[str, float]:
            if not values:
                return {}
            return {
                "median": round(statistics.median(values), 2),
                "p95": round(percentile(values, 95), 2),
                "p99": round(percentile(values, 99), 2),
                "max": round(max(values), 2),
            }

        result = {
            "events": len(counted),
            "received": len(latencies),
            "lost": len(lost),
            "achieved_rate": round(len(counted) / span, 1) if span else None,
            "late_starts": late,
            "latency_ms": summary(latencies),
            "commit_to_task_ms": summary(pickup),
            "task_to_socket_ms": summary(relay),
            "server": args.server,
            "pool": f"{args.pool} -c {args.concurrency}",
            "drivers": args.drivers,
            "nproc": os.cpu_count(),
            "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in load_after],
        }
        print(json.dumps(result, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if os.environ.get("BENCH_KEEP"):
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--role-client":
        port, expected = int(sys.argv[2]), int(sys.argv[3])
        here = Path(os.environ.get("BENCH_WORKDIR", "."))
        asyncio.run(
            client_main(
                port,
                json.loads((here / "cookies.json").read_text()),
                expected,
                here / "client.json",
                here / "client.ready",
            )
        )
    elif len(sys.argv) > 1 and sys.argv[1] == "--role-driver":
        spec = json.loads(sys.argv[2])
        driver_main(
            {},
            spec["ids"],
            spec["t0"],
            spec["rate"],
            spec["stride"],
            spec["offset"],
            spec["officer_id"],
            Path(spec["out"]),
        )
    else:
        main()
