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


def point_celery_at(broker_url: str) -> None:
    """Make this process's celery app publish to `broker_url` from now on: forget its connection
    pool and the producer pool that holds on to it. Nothing is closed: kombu keeps its pools in
    a registry keyed by the connection's parameters, so a pool closed here would come back,
    closed, the next time the same URL is used ("Acquire on closed pool")."""
    from concord.celery import app

    app.conf.broker_url = broker_url
    app._pool = None
    app.amqp._producer_pool = None


class PrivateRedis:
    """A redis-server of this test's own (never the shared one), on a free port, without
    persistence: `kill()` is a kill -9 that loses every key, `start()` brings it back on the
    same port, empty, as after a crash."""

    def __init__(self, directory: Any) -> None:
        import socket

        self.directory = directory
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Any = None
        self.starts = 0

    def start(self, seconds: float = 30) -> None:
        import subprocess
        import time as _time

        import redis

        self.starts += 1
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
            [
                "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=open(self.directory / f"redis{self.starts}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = _time.monotonic() + seconds
        while _time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        (self.directory / f"redis{self.starts}.log").read_text()
                    ) from None
        raise RuntimeError(f"redis-server on port {self.port} did not answer within {seconds} s")

    def kill(self) -> None:
        """kill -9: no shutdown, no save; the clients see their sockets reset."""
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def private_redis(tmp_path: Any, settings: Any) -> Iterator[PrivateRedis]:
    """A private Redis (see PrivateRedis) that this process's celery app, channel layer and
    settings.REDIS_URL (so `celery_worker_process`) point at for the test; restored afterwards."""
    from channels.layers import channel_layers

    from concord.celery import app
    from notifications import dispatch

    directory = tmp_path / "redis"
    directory.mkdir()
    server = PrivateRedis(directory)
    server.start()
    before = app.conf.broker_url
    settings.REDIS_URL = server.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": server.url, "socket_timeout": 15}],
                "prefix": "concord",
            },
        }
    }
    channel_layers.backends = {}
    point_celery_at(server.url)
    dispatch.reset_broker_state()
    try:
        yield server
    finally:
        point_celery_at(before)
        channel_layers.backends = {}
        dispatch.reset_broker_state()
        if server.process is not None and server.process.poll() is None:
            server.process.terminate()
            server.process.wait(timeout=30)


@pytest.fixture
def celery_worker_process(tmp_path: Any, settings: Any) -> Iterator[Any]:
    """start(beat=False, **env) -> a real `celery worker` (prefork, one child) on this test's
    database and Redis, with beat embedded (`-B`, django-celery-beat's DatabaseScheduler) when
    asked; stopped at the end of the test. Returns the Popen; the fixture waits for its ping."""
    import os
    import subprocess
    import sys
    import time as _time

    from concord.celery import app

    started: list[subprocess.Popen[bytes]] = []
    db = settings.DATABASES["default"]
    # Earlier tests of this process published tasks for rows their rollback removed; nobody
    # consumed them. Drop that backlog so the worker starts on this test's messages only.
    app.control.purge()

    def start(*, beat: bool = False, **extra_env: str) -> subprocess.Popen[bytes]:
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
                *(
                    [
                        "-B",
                        "--scheduler",
                        "django_celery_beat.schedulers:DatabaseScheduler",
                        "-s",
                        str(tmp_path / f"beat{len(started)}"),
                    ]
                    if beat
                    else []
                ),
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
