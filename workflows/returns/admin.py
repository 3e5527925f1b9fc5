"""Admin of return procedures' settings: the per-country settings are edited here (rating
derivation, monitoring schedule, step deadlines); the risk factors are reference data, read only.
Procedures themselves change only through the services (pages and API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import ReturnRiskFactor, ReturnRiskPolicy


@admin.register(ReturnRiskPolicy)
class ReturnRiskPolicyAdmin(admin.ModelAdmin):
    list_display = ["country", "escalation_count", "critical_factors", "monitoring_months"]
    search_fields = ["country__name", "country__code"]
    autocomplete_fields = ()


@admin.register(ReturnRiskFactor)
class ReturnRiskFactorAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name", "seed_ref", "child_only"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
