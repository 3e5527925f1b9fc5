"""Load the demo scenario: each installed app's part, in the order of INSTALLED_APPS (an app
comes after the apps it builds on: coordination, its work, agreements, cases, referrals, returns,
reporting, notifications).

Each app that has demo data contributes `<app>/demo.py` with `def load(*, stdout) -> None`
(idempotent); the command finds them as Django finds apps' admin modules (`module_has_submodule`),
so it names no app above coordination. An error inside one is raised, never hidden.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule


def demo_modules() -> list[Any]:
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in ROOTS and module_has_submodule(config.module, "demo")
    ]


# Concord's own apps (the third-party apps' `demo` modules, if any, are not Concord's demo).
ROOTS = ("concord", "coordination", "agreements", "workflows", "reporting", "notifications")


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
