"""Celery tasks of reporting: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .rollup import statistics_refresh


@shared_task(name="reporting.tasks.refresh_statistics")
def refresh_statistics() -> int:
    """Rebuild the statistics rollup (every CONCORD_STATISTICS_REFRESH_MINUTES); rows written."""
    return statistics_refresh().rows
