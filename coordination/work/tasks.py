"""Celery tasks of the working side: thin, take ids, call services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="coordination.work.tasks.flag_overdue_action_items")
def flag_overdue_action_items() -> int:
    """Flag overdue action items and notify their owners and the secretariat (daily)."""
    return services.action_items_flag_overdue()
