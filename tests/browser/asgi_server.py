"""The live server of the browser tests: Concord's ASGI application (HTTP and websockets) served by
daphne in a thread of the test process, so that pages, `/ws/notifications/` and the test share one
database (the in-memory SQLite of the embedded phase included) and one channel layer (the
in-memory one of the embedded phase included).

Twisted's reactor cannot be restarted, so the server lives for the whole session; daphne runs it
on an event loop of its own (`daphne.server.twisted_loop`), not on the one Playwright's sync API
keeps in the main thread.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

STARTUP_SECONDS = 30


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class AsgiLiveServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = _free_port(host)
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        from daphne.server import Server  # installs twisted's asyncio reactor first
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from concord.asgi import application

        server = Server(
            application=ASGIStaticFilesHandler(application),
            endpoints=[f"tcp:port={self.port}:interface={self.host}"],
            signal_handlers=False,
            verbosity=0,
        )

        def run() -> None:
            try:
                server.run()
            except BaseException as exc:  # noqa: BLE001 - reported to the test by start()
                self._error = exc

        self._thread = threading.Thread(target=run, name="daphne-live-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._error is not None:
                raise RuntimeError(f"daphne did not start: {self._error!r}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)  # polling a real server's port until it listens
        raise RuntimeError(f"daphne did not listen on {self.url} within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        from twisted.internet import reactor

        r: Any = reactor
        if r.running:
            r.callFromThread(r.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
