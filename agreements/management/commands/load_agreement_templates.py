"""Reload the agreement templates from agreements/reference/templates.yaml (idempotent)."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from agreements.reference import load_templates


class Command(BaseCommand):
    help = "Create or update the agreement templates, elements and recommended commitments."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            count = load_templates(apps)
        self.stdout.write(f"{count} template elements loaded.")
