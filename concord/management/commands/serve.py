"""`manage.py serve`: Concord over ASGI (daphne: HTTP and websockets), as `make run` starts it.

On the embedded default it also runs the periodic tasks (reminders, escalations, the notification
sweep and digest) in-process with `concord.embedded_scheduler`; with a broker (REDIS_URL) they
belong to `celery beat` and a celery worker, which this command does not start. It says which.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Concord over ASGI (daphne); on the embedded default, run the schedules too."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not run the in-process scheduler."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from daphne.server import Server

        from concord.asgi import application
        from concord.embedded_scheduler import EmbeddedScheduler, embedded_mode

        scheduler = None
        if embedded_mode() and not options["no_scheduler"]:
            scheduler = EmbeddedScheduler()
            names = scheduler.describe()
            self.stdout.write(
                "Reminders and escalations: in-process scheduler (embedded default: celery beat's "
                f"DatabaseScheduler ticked inside this server, tasks run eagerly), "
                f"{len(names)} periodic tasks enabled."
            )
        elif embedded_mode():
            self.stdout.write("Reminders and escalations: not running (--no-scheduler).")
        else:
            self.stdout.write(
                "Reminders and escalations: celery beat and a celery worker on the broker "
                "(start them: .venv/bin/celery -A concord worker --beat -l info)."
            )

        def ready() -> None:
            self.stdout.write(
                f"Concord is serving at http://{options['host']}:{options['port']}/", ending="\n"
            )
            if scheduler is not None:
                loop = asyncio.get_event_loop()
                self._scheduler_task = loop.create_task(scheduler.run_forever())

        Server(
            application=application,
            endpoints=[f"tcp:port={options['port']}:interface={options['host']}"],
            ready_callable=ready,
        ).run()
