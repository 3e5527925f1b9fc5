from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from concord.errors import ApplicationError

from .models import (
    BodySeat,
    CoordinationBody,
    Country,
    Membership,
    MembershipEvent,
    Organisation,
    Service,
)
from .services import api_token_issue


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    search_fields = ["code", "name"]
    list_display = ["code", "name"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


class MembershipInline(admin.TabularInline):
    """Read-only here: memberships change through the organisation's members page or API, whose
    services keep the access group in step and record a MembershipEvent."""

    model = Membership
    extra = 0
    fields = ("user", "role", "can_sign_agreements", "title", "is_active")
    readonly_fields = ("user", "role", "can_sign_agreements", "title", "is_active")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


@admin.register(MembershipEvent)
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "organisation", "membership", "transition", "actor"]
    list_select_related = ["organisation", "membership__user", "actor"]
    list_filter = ["transition"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # event rows are append-only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ConcordUserAdmin(UserAdmin):
    actions = ["issue_api_token"]

    @admin.action(description=_("Issue a new API token (service accounts only)"))
    def issue_api_token(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            try:
                key = api_token_issue(user=user, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{user.username}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request,
                _("New token for %(user)s (shown once): %(key)s")
                % {"user": user.username, "key": key},
                messages.WARNING,
            )
