from django.contrib import admin

from .models import BodySeat, CoordinationBody, Country, Membership, Organisation, Service


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    search_fields = ["code", "name"]
    list_display = ["code", "name"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "country", "is_active"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["name", "acronym"]
    list_select_related = ["country"]
    inlines = [MembershipInline]
    readonly_fields = ["group"]


class SeatInline(admin.TabularInline):
    model = BodySeat
    extra = 0


@admin.register(CoordinationBody)
class CoordinationBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "region"]
    inlines = [SeatInline]
