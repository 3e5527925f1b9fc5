"""Admin: templates and commitments are reference data (editable; `load_agreement_templates`
brings the shipped ones back); agreements and their history are read-only here, because every
change goes through the services (versions, events, signatures)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Agreement,
    AgreementEvent,
    AgreementPartner,
    AgreementVersion,
    RecommendedCommitment,
    Signature,
    Template,
    TemplateElement,
)


class TemplateElementInline(admin.StackedInline):
    model = TemplateElement
    extra = 0
    fields = ["position", "key", "title", "required", "guidance", "rules", "sources"]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "between_states", "is_active"]
    inlines = [TemplateElementInline]


@admin.register(RecommendedCommitment)
class RecommendedCommitmentAdmin(admin.ModelAdmin):
    list_display = ["code", "sources", "position"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartnerInline(admin.TabularInline):
    model = AgreementPartner
    extra = 0
    can_delete = False
    readonly_fields = ["organisation", "country", "mandate", "area_of_operation"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "kind", "state", "effective_date", "end_date"]
    list_filter = ["state", "kind"]
    search_fields = ["reference", "title"]
    inlines = [PartnerInline]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "number", "content_hash", "created_at"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "organisation", "signer_name", "signed_at", "voided_at"]


@admin.register(AgreementEvent)
class AgreementEventAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "occurred_at", "transition", "from_state", "to_state", "actor"]
    list_filter = ["transition"]
