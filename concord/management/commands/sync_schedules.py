from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from concord.schedules import sync_schedules


class Command(BaseCommand):
    help = "Create or update the celery beat rows of every app's schedules.SCHEDULES (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        sync_schedules(stdout=self.stdout)
