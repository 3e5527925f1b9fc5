"""Reads for the coordination directory."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Organisation


def organisations_directory() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(is_active=True)
        .select_related("country")
        .prefetch_related("services")
    )
