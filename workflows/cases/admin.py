"""Admin of case work. Per-country settings and indicator weights are edited here.

Cases appear read-only and WITHOUT their identifying details: those are seen only through the
case page, where every view is logged. Changes go through the services, never the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Case, CountrySettings, Indicator, IndicatorCategory, IndicatorWeight

# What the admin shows of a case: never an identifying detail.
CASE_ADMIN_FIELDS: tuple[str, ...] = (
    "reference",
    "owner",
    "identification_state",
    "status",
    "gender",
    "age_group",
    "age_band",
    "minor_status",
    "nationality",
    "country_of_identification",
    "identified_on",
    "exploitation_forms",
    "asylum_status",
    "created_at",
    "closed_at",
    "anonymised_at",
)


@admin.register(CountrySettings)
class CountrySettingsAdmin(admin.ModelAdmin):
    list_display = [
        "country",
        "reflection_days",
        "retention_days",
        "has_formal_confirmation",
        "identifying_authority_kinds",
    ]
    search_fields = ["country__code", "country__name"]
    raw_id_fields = ["country"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "text", "seed_line", "order", "is_active"]


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "seed_heading", "order"]
    inlines = [IndicatorInline]


@admin.register(IndicatorWeight)
class IndicatorWeightAdmin(admin.ModelAdmin):
    """Defaults have no country; add a row with a country to override a weight there."""

    list_display = ["indicator", "country", "person_category", "exploitation_form", "weight"]
    list_filter = ["country", "person_category", "weight", "indicator__category"]
    list_select_related = ["indicator", "country"]
    raw_id_fields = ["country"]
    search_fields = ["indicator__code", "indicator__text"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "owner",
        "identification_state",
        "minor_status",
        "status",
        "country_of_identification",
        "created_at",
    ]
    list_filter = ["identification_state", "status", "minor_status", "country_of_identification"]
    list_select_related = ["owner", "country_of_identification"]
    search_fields = ["reference"]
    fields = CASE_ADMIN_FIELDS
    readonly_fields = CASE_ADMIN_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
