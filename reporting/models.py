"""Derived figures, rebuilt whole by the statistics refresh (reporting/rollup.py): the statistics
rollup the statistics page and API sum their figures from, and the corridor board's precomputed
median step durations. No foreign keys, nothing identifying."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupGrain(models.TextChoices):
    DAY = "d", _("day")
    MONTH = "m", _("month")
    YEAR = "y", _("year")


class StatisticsRollup(models.Model):
    """One count of the statistics: `count` records of `family` whose `dimension` has `value`,
    on `day` (the first day of the month or year for the coarser grains), in the country or pair
    of countries (`country_a`, `country_b`: sender and receiver, returning and receiving State;
    a case has only `country_a`). Derived data, rebuilt whole by `statistics_refresh`: no foreign
    keys, nothing identifying, and never a figure a user sees without summing and suppressing.
    A dimension with value NULL counts the records whose value is unknown; `total` counts all."""

    family = models.CharField(max_length=16)
    dimension = models.CharField(max_length=32)
    value = models.CharField(max_length=64, null=True)
    grain = models.CharField(max_length=1, choices=RollupGrain.choices)
    day = models.DateField(null=True)
    country_a = models.CharField(max_length=2, null=True)
    country_b = models.CharField(max_length=2, null=True)
    count = models.BigIntegerField()

    class Meta:
        verbose_name = _("statistics rollup row")
        indexes = [models.Index(fields=["family", "grain", "day"], name="statrollup_read_idx")]

    def __str__(self) -> str:
        return f"{self.family} {self.dimension}={self.value} {self.grain}:{self.day}: {self.count}"


class StatisticsRefresh(models.Model):
    """The one row (pk 1) saying when the rollup was last rebuilt; locked while it is rebuilt.
    `medians_at`: when the corridor board's median step durations (BoardMedian) were."""

    refreshed_at = models.DateTimeField(null=True)
    medians_at = models.DateTimeField(null=True)
    duration_ms = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("statistics refresh")

    def __str__(self) -> str:
        return f"statistics as of {self.refreshed_at}"


class BoardMedian(models.Model):
    """The corridor board's median days per step, precomputed at the statistics refresh
    (reporting/board.py, `insert_board_medians`): the exact median of `step`'s ended
    durations (seconds) over every return procedure of the corridor `returning_country` →
    `receiving_country`. Derived data, rebuilt whole with the rollup: no foreign keys, figures
    only. A corridor and step without an ended step has no row."""

    returning_country = models.CharField(max_length=2)
    receiving_country = models.CharField(max_length=2)
    step = models.CharField(max_length=32)
    median_seconds = models.FloatField()

    class Meta:
        verbose_name = _("corridor board median")
        indexes = [
            models.Index(fields=["returning_country"], name="boardmedian_returning_idx"),
            models.Index(fields=["receiving_country"], name="boardmedian_receiving_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.returning_country}-{self.receiving_country} {self.step}: {self.median_seconds}"
        )
