"""Statistics for ministries and coordination bodies: the figures of the chosen families
(reporting/families.py), summed from the rollup (reporting/rollup.py) or computed live. Figures
only, never identifying fields; small cells suppressed in the database (reporting/figures.py)."""

from __future__ import annotations

from django.conf import settings

from concord.analytics import analytic_queries

from .families import FAMILIES, FROM_ROLLUP
from .figures import FamilyResult, StatsFilter
from .rollup import rollup_as_of

__all__ = ["FamilyResult", "StatsFilter", "statistics_for"]


def statistics_for(
    f: StatsFilter, families: list[str] | None = None, *, live: bool = False
) -> list[FamilyResult]:
    """The figures of the chosen families (all by default), in one transaction with the settings
    of whole-table aggregates (concord.analytics: no JIT, sorts in memory).

    Cases, referrals and returns are summed from the rollup (as of its last refresh, built
    first if it never was: reporting/rollup.py); `live=True` computes them from the
    records instead, the reference the rollup is tested against."""
    wanted = [key for key in FAMILIES if not families or key in families]
    out = []
    with analytic_queries():
        as_of = None
        if not live and any(key in FROM_ROLLUP for key in wanted):
            as_of = rollup_as_of()
        for key in wanted:
            title, func = FAMILIES[key]
            from_rollup = not live and key in FROM_ROLLUP
            figures = FROM_ROLLUP[key](f) if from_rollup else func(f)
            out.append(
                FamilyResult(
                    key=key,
                    title=str(title),
                    available=True,
                    figures=figures,
                    as_of=as_of if from_rollup else None,
                    refreshed_every_minutes=(
                        settings.CONCORD_STATISTICS_REFRESH_MINUTES if from_rollup else None
                    ),
                )
            )
    return out
