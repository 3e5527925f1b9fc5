"""Celery tasks of return procedures: thin, take ids or nothing, call services, safe to run
twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="workflows.returns.tasks.return_monitoring_sweep")
def return_monitoring_sweep() -> int:
    """Mark post-return monitoring visits missed and alert both States (seed 004:355)."""
    return services.return_monitoring_sweep()


@shared_task(name="workflows.returns.tasks.return_steps_overdue_sweep")
def return_steps_overdue_sweep() -> int:
    """Alert both States when a return step passes its due date."""
    return services.return_steps_overdue_sweep()
