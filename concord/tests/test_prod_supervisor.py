"""concord/prod.py's own behaviour, without Django processes: environment, keys, supervision."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from concord import prod

WAITS_FOR_A_SIGNAL = [sys.executable, "-c", "import signal; signal.pause()"]


@pytest.fixture
def restore_signal_handlers():
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_production_environment_requires_postgres_and_redis_and_forces_debug_off():
    with pytest.raises(SystemExit, match="DATABASE_URL and REDIS_URL"):
        prod.production_environment({})
    with pytest.raises(SystemExit, match="PostgreSQL"):
        prod.production_environment({"DATABASE_URL": "sqlite:///x", "REDIS_URL": "redis://h/0"})
    env = prod.production_environment(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://h/0",
            "DEBUG": "true",
            "SECRET_KEY": "k" * 50,
            "FIELD_ENCRYPTION_KEYS": "f",
        }
    )
    assert env["DEBUG"] == "false"
    assert env["CONCORD_DEMO"] == "false"
    with pytest.raises(SystemExit, match="FIELD_ENCRYPTION_KEYS"):
        prod.production_environment(
            {"DATABASE_URL": "postgres://u@h/db", "REDIS_URL": "redis://h/0", "SECRET_KEY": "k"}
        )


def test_local_keys_are_created_once_private_and_then_reused(tmp_path: Path):
    path = tmp_path / ".prod-secrets.env"
    first = prod.load_or_create_secrets(path)
    assert set(first) == {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert prod.load_or_create_secrets(path) == first


def test_a_process_dying_on_its_own_stops_the_others_and_fails(restore_signal_handlers):
    steady = prod.Program("web", WAITS_FOR_A_SIGNAL)
    crashing = prod.Program("worker", [sys.executable, "-c", "raise SystemExit(3)"])
    supervisor = prod.Supervisor({})
    assert supervisor.run([steady, crashing]) == 1
    assert crashing.exited() == 3
    assert steady.exited() is not None


def test_sigterm_stops_every_process_and_exits_zero(restore_signal_handlers):
    members = [prod.Program(name, WAITS_FOR_A_SIGNAL) for name in ("worker", "beat", "web")]
    supervisor = prod.Supervisor({})

    def send_sigterm_once_all_started() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(m.process for m in members):
            time.sleep(0.01)  # polling the supervisor's progress with a deadline
        os.kill(os.getpid(), signal.SIGTERM)  # as a service manager would

    sender = threading.Thread(target=send_sigterm_once_all_started)
    sender.start()
    assert supervisor.run(members) == 0
    sender.join()
    assert supervisor.received == signal.SIGTERM
    # Each exited through the SIGTERM it was sent (a process waiting in pause() dies of it).
    assert [m.exited() for m in members] == [-signal.SIGTERM] * 3
