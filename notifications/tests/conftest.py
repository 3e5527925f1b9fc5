"""Fixtures for notification tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest


def run_async(coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
    """Run a coroutine in a thread of its own (a Playwright test may leave a loop in this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=timeout)


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run tasks in-process for this test, whatever the broker: the channel layer stays the real
    one (Redis in the real-backends phase)."""
    from concord.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@pytest.fixture
def session_cookie(client: Any) -> Any:
    """session_cookie(user, verified=True) -> the Cookie header of a signed-in session."""
    from coordination.tests.factories import login_verified

    def make(user: Any, verified: bool = True) -> bytes:
        from django.test import Client

        c = Client()
        if verified:
            login_verified(c, user)
        else:
            c.force_login(user)
        return f"sessionid={c.cookies['sessionid'].value}".encode()

    return make


@pytest.fixture
def celery_worker_process(tmp_path: Any, settings: Any) -> Iterator[Any]:
    """start(**env) -> a real `celery worker` (prefork, one child) on this test's database and
    Redis; stopped at the end of the test. Returns the Popen; the fixture waits for its ping."""
    import os
    import subprocess
    import sys
    import time as _time

    from concord.celery import app

    started: list[subprocess.Popen[bytes]] = []
    db = settings.DATABASES["default"]

    def start(**extra_env: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path / "mail"),
            "DJANGO_SETTINGS_MODULE": "concord.settings",
            **extra_env,
        }
        name = f"test{len(started)}-{os.getpid()}@%h"
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "concord",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "-n",
                name,
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            stdout=open(tmp_path / f"worker{len(started)}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        started.append(proc)
        deadline = _time.monotonic() + 120
        while _time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / f"worker{len(started) - 1}.log").read_text())
            replies = app.control.ping(timeout=0.5)
            if any(name.split("@")[0] in key for reply in replies for key in reply):
                return proc
        raise RuntimeError("celery worker did not answer a ping within 120 s")

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
