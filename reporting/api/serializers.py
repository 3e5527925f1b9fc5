"""Serializers of reporting's API: statistics figures and the corridor board (figures only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StatisticsFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    dimension = serializers.CharField()
    htcds = serializers.CharField()
    total = serializers.CharField(help_text='Count as text; "<5" when 1 to 4.')
    rows = serializers.SerializerMethodField()
    definition = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]

    def get_rows(self, obj: Any) -> list[dict[str, str]]:
        return [{"label": label, "count": shown} for label, shown in obj.rows]


class StatisticsFamilySerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    available = serializers.BooleanField()
    waiting_for = serializers.CharField()
    figures = StatisticsFigureSerializer(many=True)
    as_of = serializers.DateTimeField(
        allow_null=True,
        help_text=(
            "When the figures were computed: the last refresh of the statistics rollup they are "
            "summed from; null for figures computed at the request (coordination)."
        ),
    )
    refreshed_every_minutes = serializers.IntegerField(
        allow_null=True,
        help_text="How often the rollup is rebuilt (CONCORD_STATISTICS_REFRESH_MINUTES).",
    )
