"""An e-mail backend for the worker-killed test only: it writes the pid of the process about to
send into `CONCORD_TEST_EMAIL_GATE`.started, then waits until `CONCORD_TEST_EMAIL_GATE`.open
exists, then hands the message to Django's file backend. A worker killed while it waits has sent
nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend

GATE_DEADLINE_SECONDS = 120


class EmailBackend(FileBackend):
    def send_messages(self, email_messages: Any) -> int:
        gate = Path(os.environ["CONCORD_TEST_EMAIL_GATE"])
        gate.with_suffix(".started").write_text(str(os.getpid()))
        deadline = time.monotonic() + GATE_DEADLINE_SECONDS
        while not gate.with_suffix(".open").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # a real process waiting on a real file, not a test sleeping
        return super().send_messages(email_messages)
