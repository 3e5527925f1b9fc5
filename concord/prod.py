"""`make prod`: Concord as it runs in production, on one machine, under one small supervisor.

    .venv/bin/python -m concord.prod [--host 127.0.0.1] [--port 8000] [--web-workers 2]
                                     [--worker-concurrency 2]

Before it starts anything it prepares, in this order, and stops at the first failure:
1. the PostgreSQL database named in DATABASE_URL is created if it does not exist yet;
2. `manage.py migrate`, `collectstatic` (whitenoise serves the result), `sync_schedules`, in one
   Django process (`python -m concord.prod prepare` runs only these, as a deploy step).

Then it starts and watches three kinds of process, each in a session of its own (so a Ctrl-C in
the terminal reaches only this supervisor, which stops them in order):
- web: uvicorn with `--workers N`, N ASGI processes sharing one listening socket (HTTP and the
  websockets of concord.asgi);
- worker: one celery worker (prefork, `--concurrency`), which runs every app's tasks;
- beat: exactly one celery beat, reading its schedule from the database (django-celery-beat's
  DatabaseScheduler, filled by `sync_schedules`).

SIGTERM or SIGINT stops them all: web first (no new work comes in), then beat and the worker
together (the worker's warm shutdown finishes the tasks it holds); each gets SIGTERM and
GRACE_SECONDS to exit, after which its whole process group is killed. If any process dies on its
own, the others are stopped the same way and the supervisor exits non-zero, so that a service
manager restarts the lot.

DATABASE_URL and REDIS_URL are required (PostgreSQL and Redis: production shares nothing else).
DEBUG is forced off. SECRET_KEY and FIELD_ENCRYPTION_KEYS come from the environment; where both are
missing they are read from `.prod-secrets.env` at the project root, created once with fresh random
keys (mode 0600), so that what was encrypted yesterday still decrypts today. A real deployment sets
them from its secret store instead (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SECRETS_FILE = BASE_DIR / ".prod-secrets.env"
GRACE_SECONDS = 20.0
POLL_SECONDS = 0.2


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[concord.prod {stamp}] {message}", file=sys.stderr, flush=True)  # noqa: T201 - a CLI's voice


# --- environment ---------------------------------------------------------------------------------


def load_or_create_secrets(path: Path = SECRETS_FILE) -> dict[str, str]:
    """SECRET_KEY and FIELD_ENCRYPTION_KEYS kept in a local file, created once."""
    if path.exists():
        values: dict[str, str] = {}
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
        return values
    values = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    path.touch(mode=0o600)
    path.write_text(
        "# Keys of `make prod` on this machine; keep them: encrypted fields need them to decrypt.\n"
        + "".join(f"{k}={v}\n" for k, v in values.items())
    )
    log(f"created {path.name} with a new SECRET_KEY and FIELD_ENCRYPTION_KEYS")
    return values


def production_environment(environ: dict[str, str]) -> dict[str, str]:
    env = dict(environ)
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.get(name)]
    if missing:
        raise SystemExit(f"concord.prod needs {' and '.join(missing)} (PostgreSQL and Redis).")
    if not env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("concord.prod runs on PostgreSQL: DATABASE_URL must be postgres://...")
    env["DEBUG"] = "false"
    env.setdefault("CONCORD_DEMO", "false")
    if not env.get("SECRET_KEY") and not env.get("FIELD_ENCRYPTION_KEYS"):
        env.update(load_or_create_secrets())
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS"):
        if not env.get(name):
            raise SystemExit(f"concord.prod needs {name} when the other key is given.")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def ensure_database(database_url: str) -> None:
    """Create the database of DATABASE_URL if the server does not have it yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise SystemExit("DATABASE_URL names no database.")
    admin_url = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin_url, connect_timeout=5, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")


PREPARE_STEPS: list[tuple[str, ...]] = [
    ("migrate", "--noinput"),
    ("collectstatic", "--noinput", "--verbosity", "0"),
    ("sync_schedules",),
]


def prepare_in_this_process() -> None:
    """`python -m concord.prod prepare`: the deploy steps in one Django start-up (not three)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    import django
    from django.core.management import call_command

    django.setup()
    for name, *options in PREPARE_STEPS:
        log("manage.py " + " ".join([name, *options]))
        call_command(name, *options)


def prepare(env: dict[str, str], python: str, stop_requested: threading.Event) -> bool:
    """Database, migrations, static files, schedules; False if a stop signal came meanwhile."""
    ensure_database(env["DATABASE_URL"])
    if stop_requested.is_set():
        return False
    preparing = subprocess.Popen(  # noqa: S603 - our own fixed command line
        [python, "-m", "concord.prod", "prepare"], cwd=BASE_DIR, env=env, start_new_session=True
    )
    while preparing.poll() is None:
        if stop_requested.wait(POLL_SECONDS):
            preparing.terminate()
            preparing.wait()
            return False
    if preparing.returncode != 0:
        raise SystemExit(
            f"concord.prod: preparing failed ({preparing.returncode}); nothing started."
        )
    return True


# --- processes -----------------------------------------------------------------------------------


@dataclass
class Program:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command lines
            self.argv, cwd=BASE_DIR, env=env, start_new_session=True
        )
        log(f"started {self.name} (pid {self.process.pid})")

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def reap(self, deadline: float) -> int | None:
        """Wait until `deadline` (monotonic) for the program, then kill its process group."""
        proc = self.process
        if proc is None:
            return None
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{self.name} did not stop within its grace period: killing its process group")
        # Whatever is left in its group (uvicorn's or celery's children) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
        log(f"{self.name} exited ({code})")
        return code


def programs(
    python: str, *, host: str, port: int, web_workers: int, worker_concurrency: int
) -> list[Program]:
    """Start order; the supervisor stops web first, then beat and the worker."""
    return [
        Program(
            "worker",
            [python, "-m", "celery", "-A", "concord", "worker", "--loglevel", "INFO",
             "--concurrency", str(worker_concurrency)],
        ),
        Program(
            "beat",
            [python, "-m", "celery", "-A", "concord", "beat", "--loglevel", "INFO",
             "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
             "--pidfile", ""],
        ),
        Program(
            "web",
            [python, "-m", "uvicorn", "concord.asgi:application", "--host", host,
             "--port", str(port), "--workers", str(web_workers), "--lifespan", "off",
             "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1", "--no-server-header",
             "--timeout-graceful-shutdown", str(int(GRACE_SECONDS / 2))],
        ),
    ]  # fmt: skip


class Supervisor:
    def __init__(self, env: dict[str, str]) -> None:
        self.members: list[Program] = []
        self.env = env
        self.stop_requested = threading.Event()
        self.received: int | None = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.received = signum
        self.stop_requested.set()

    def run(self, members: list[Program]) -> int:
        self.members = members
        status = 0
        try:
            for member in self.members:
                if self.stop_requested.is_set():
                    break
                member.start(self.env)
            while not self.stop_requested.wait(POLL_SECONDS):
                dead = [m for m in self.members if m.exited() is not None]
                if dead:
                    log(f"{dead[0].name} exited on its own ({dead[0].exited()}): stopping all")
                    status = 1
                    break
            if self.received is not None:
                log(f"{signal.Signals(self.received).name} received: stopping all")
        finally:
            self.stop_all()
        return status

    def stop_all(self) -> None:
        """Web first (no new requests, so no new tasks), then beat and the worker together."""
        by_name = {m.name: m for m in self.members}
        for stage in (("web",), ("beat", "worker")):
            members = [by_name[name] for name in stage if name in by_name]
            for member in members:
                member.terminate()
            deadline = time.monotonic() + GRACE_SECONDS
            for member in members:
                member.reap(deadline)
        log("all processes stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="concord.prod", description=__doc__.split("\n")[0])
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "prepare"],
        help="run (default): prepare, then start and supervise; prepare: only the deploy steps",
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
    )
    parser.add_argument(
        "--worker-concurrency", type=int, default=int(os.environ.get("CELERY_CONCURRENCY", "2"))
    )
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare_in_this_process()
        return 0
    python = sys.executable
    env = production_environment(dict(os.environ))
    supervisor = Supervisor(env)
    started = time.monotonic()
    if not prepare(env, python, supervisor.stop_requested):
        log("stopped before serving")
        return 0
    log(f"prepared in {time.monotonic() - started:.1f} s")
    members = programs(
        python,
        host=args.host,
        port=args.port,
        web_workers=args.web_workers,
        worker_concurrency=args.worker_concurrency,
    )
    log(f"serving http://{args.host}:{args.port}/ with {args.web_workers} web processes")
    return supervisor.run(members)


if __name__ == "__main__":
    sys.exit(main())
