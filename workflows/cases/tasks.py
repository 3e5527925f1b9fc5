"""Celery tasks of case work: thin, take ids or nothing, call services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .services.protection import reflection_periods_expire
from .services.retention import anonymise_expired_cases as run_anonymisation


@shared_task(name="workflows.cases.tasks.anonymise_expired_cases")
def anonymise_expired_cases() -> int:
    """Anonymise closed cases past their country's retention period."""
    return run_anonymisation()


@shared_task(name="workflows.cases.tasks.expire_reflection_periods")
def expire_reflection_periods() -> int:
    """Mark reflection periods whose time ran out as ended."""
    return reflection_periods_expire()
