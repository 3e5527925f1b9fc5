"""Rebuild the statistics rollup now (celery beat does it every CONCORD_STATISTICS_REFRESH_MINUTES).

manage.py refresh_statistics
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reporting.rollup import statistics_refresh


class Command(BaseCommand):
    help = "Rebuild the statistics rollup that the statistics page and API sum their figures from."

    def handle(self, *args: Any, **options: Any) -> None:
        report = statistics_refresh()
        self.stdout.write(
            f"Statistics rollup rebuilt: {report.rows} rows in {report.duration_ms} ms, "
            f"figures as of {report.refreshed_at.isoformat()}.\n"
        )
