"""Load the demo scenario: coordination, then agreements, workflows, notifications.

Each app contributes `<app>/demo.py` with `def load(*, stdout) -> None` (idempotent). An app
without a demo module is skipped; an error inside one is raised, never hidden.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_APPS = ("coordination", "agreements", "workflows", "notifications")


def demo_modules() -> list[Any]:
    modules = []
    for app in DEMO_APPS:
        name = f"{app}.demo"
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


class Command(BaseCommand):
    help = "Load (or bring up to date) the two-country demo scenario. Safe to run twice."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when CONCORD_DEMO is off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CONCORD_DEMO and not options["force"]:
            raise CommandError("Demo data is off here (CONCORD_DEMO=false); refusing to load it.")
        with transaction.atomic():
            for module in demo_modules():
                module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
