"""Serializers of the agreements API: representations, inputs and the error body."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema_field,
)
from rest_framework import serializers

from coordination.models import Country, Organisation

from .. import coverage as codes
from ..models import (
    Agreement,
    AgreementPartner,
    AgreementVersion,
    Comment,
    Template,
)
from ..permissions import can_sign, coordinator_org_ids
from ..selectors import (
    coverage_codes,
    version_clauses,
)

__all__ = [
    "AgreementCreateSerializer",
    "AgreementDetailSerializer",
    "AgreementErrorSerializer",
    "AgreementEventSerializer",
    "AgreementListSerializer",
    "AgreementOrganisationSerializer",
    "AgreementUpdateSerializer",
    "ApprovalSerializer",
    "ApproveSerializer",
    "ClausesField",
    "CommentInputSerializer",
    "CommentSerializer",
    "ComplianceElementSerializer",
    "ComplianceInputSerializer",
    "ComplianceSerializer",
    "CoverageSerializer",
    "CoveringAgreementSerializer",
    "CoveringSerializer",
    "DiffSerializer",
    "EditOutcomeSerializer",
    "GroundsSerializer",
    "PartnerInputSerializer",
    "PartnerSerializer",
    "PartnerUpdateSerializer",
    "SignSerializer",
    "SignatureSerializer",
    "TemplateElementSerializer",
    "TemplateSerializer",
    "VersionDetailSerializer",
    "VersionRefSerializer",
    "coverage_data",
]


# --- errors ------------------------------------------------------------------------------------


class AgreementErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]


E400 = OpenApiResponse(
    AgreementErrorSerializer, description="Invalid input: `fields` names the field."
)
E403 = OpenApiResponse(AgreementErrorSerializer, description="Not allowed for your role.")
E404 = OpenApiResponse(AgreementErrorSerializer, description="No such agreement visible to you.")
E409 = OpenApiResponse(
    AgreementErrorSerializer,
    description="Refused: `code` names the guard (e.g. agreement_compliance_failed, "
    "agreement_approvals_missing), or `transition_not_allowed` in this state.",
)
ERRORS = {400: E400, 403: E403, 404: E404, 409: E409}


# --- representations ---------------------------------------------------------------------------
class AgreementOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    country = serializers.CharField(source="country_id", allow_null=True)


class PartnerSerializer(serializers.ModelSerializer):
    organisation = AgreementOrganisationSerializer()
    country = serializers.CharField(source="country_id", allow_null=True)

    class Meta:
        model = AgreementPartner
        fields = ["id", "organisation", "country", "mandate", "area_of_operation"]


class VersionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementVersion
        fields = ["number", "content_hash", "note", "created_at"]


class AgreementListSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.code")
    partners = PartnerSerializer(many=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "template",
            "state",
            "partners",
            "languages",
            "effective_date",
            "end_date",
            "review_date",
            "entered_into_force_on",
            "updated_at",
        ]


class CoverageSerializer(serializers.Serializer):
    countries = serializers.ListField(child=serializers.CharField())
    organisations = serializers.ListField(child=serializers.IntegerField())
    procedures = serializers.ListField(child=serializers.ChoiceField(list(codes.PROCEDURES)))
    target_groups = serializers.ListField(child=serializers.ChoiceField(list(codes.TARGET_GROUPS)))
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(list(codes.DATA_CATEGORIES))
    )


def coverage_data(agreement: Agreement) -> dict[str, Any]:
    cov = coverage_codes(agreement)
    coverage = getattr(agreement, "coverage", None)
    return {
        "countries": sorted(coverage.countries.values_list("code", flat=True)) if coverage else [],
        "organisations": sorted(coverage.organisations.values_list("pk", flat=True))
        if coverage
        else [],
        "procedures": sorted(cov[codes.DIMENSION_PROCEDURE]),
        "target_groups": sorted(cov[codes.DIMENSION_TARGET_GROUP]),
        "data_categories": sorted(cov[codes.DIMENSION_DATA_CATEGORY]),
    }


class AgreementDetailSerializer(AgreementListSerializer):
    current_version = VersionRefSerializer()
    signed_version = VersionRefSerializer(allow_null=True)
    amends = serializers.CharField(source="amends.reference", allow_null=True, default=None)
    clauses = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField()
    commitments: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    you_may = serializers.SerializerMethodField()

    class Meta(AgreementListSerializer.Meta):
        fields = [
            *AgreementListSerializer.Meta.fields,
            "duration_months",
            "ended_on",
            "current_version",
            "signed_version",
            "amends",
            "clauses",
            "coverage",
            "commitments",
            "you_may",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_clauses(self, agreement: Agreement) -> dict[str, dict[str, str]]:
        """{element_key: {language: text}} of the current version."""
        return version_clauses(agreement.current_version)

    @extend_schema_field(CoverageSerializer)
    def get_coverage(self, agreement: Agreement) -> dict[str, Any]:
        return coverage_data(agreement)

    def get_you_may(self, agreement: Agreement) -> dict[str, bool]:
        user = self.context["request"].user
        return {
            "edit": agreement.is_editable and bool(coordinator_org_ids(user, agreement)),
            "sign": agreement.state == "awaiting_signatures" and can_sign(user, agreement),
        }


class ClausesField(serializers.DictField):
    """{element_key: {language: text}}"""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.DictField(
                child=serializers.CharField(allow_blank=True, trim_whitespace=False)
            ),
            **kwargs,
        )


class AgreementCreateSerializer(serializers.Serializer):
    template = serializers.SlugRelatedField(
        slug_field="code", queryset=Template.objects.filter(is_active=True)
    )
    title = serializers.CharField(max_length=300)
    drafted_by = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True),
        help_text="Your organisation (you must be its coordinator).",
    )
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True
    )
    languages = serializers.ListField(child=serializers.CharField(), default=["en"])
    effective_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    duration_months = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    review_date = serializers.DateField(required=False, allow_null=True)
    clauses = ClausesField(required=False)


class AgreementUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    effective_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    duration_months = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    review_date = serializers.DateField(required=False, allow_null=True)
    clauses = ClausesField(required=False)
    commitments = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class EditOutcomeSerializer(serializers.Serializer):
    changed = serializers.BooleanField()
    version = VersionRefSerializer()
    voided_signatures = serializers.IntegerField()
    message = serializers.CharField()


class GroundsSerializer(serializers.Serializer):
    grounds = serializers.CharField(allow_blank=True, required=False, default="")


class SignSerializer(serializers.Serializer):
    version_hash = serializers.CharField(
        help_text="The SHA-256 of the version you read (current_version.content_hash)."
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )


class SignatureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    signer_name = serializers.CharField()
    signer_title = serializers.CharField()
    signed_at = serializers.DateTimeField()
    version_hash = serializers.CharField()
    voided_at = serializers.DateTimeField(allow_null=True)
    void_reason = serializers.CharField()


class ApproveSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )


class ApprovalSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    version = serializers.IntegerField(source="version.number")
    approved_at = serializers.DateTimeField()


class ComplianceElementSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    status = serializers.CharField(help_text="present, missing or weak")
    reasons = serializers.ListField(child=serializers.CharField())
    blocking = serializers.BooleanField()


class ComplianceSerializer(serializers.Serializer):
    passes = serializers.BooleanField()
    summary = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    blocking = serializers.ListField(child=serializers.CharField())
    elements = ComplianceElementSerializer(many=True)
    commitments = serializers.DictField()


class ComplianceInputSerializer(serializers.Serializer):
    clauses = ClausesField(required=False)
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(list(codes.TARGET_GROUPS)), required=False
    )
    commitments = serializers.ListField(child=serializers.CharField(), required=False)


class PartnerInputSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True)
    )
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True
    )
    mandate = serializers.CharField(required=False, allow_blank=True)
    area_of_operation = serializers.CharField(required=False, allow_blank=True)


class PartnerUpdateSerializer(serializers.Serializer):
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True
    )
    mandate = serializers.CharField(required=False, allow_blank=True)
    area_of_operation = serializers.CharField(required=False, allow_blank=True)


class CommentSerializer(serializers.ModelSerializer):
    element = serializers.CharField(source="element.key", allow_null=True, default=None)
    version = serializers.IntegerField(source="version.number")
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    organisation = serializers.IntegerField(source="organisation_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Comment
        fields = [
            "id",
            "element",
            "version",
            "parent",
            "organisation",
            "author",
            "text",
            "created_at",
            "resolved_at",
        ]


class CommentInputSerializer(serializers.Serializer):
    text = serializers.CharField()
    element = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]


class AgreementEventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    payload = serializers.DictField()


class VersionDetailSerializer(VersionRefSerializer):
    meta = serializers.DictField()
    clauses = serializers.SerializerMethodField()

    class Meta(VersionRefSerializer.Meta):
        fields = [*VersionRefSerializer.Meta.fields, "meta", "clauses"]

    def get_clauses(self, version: AgreementVersion) -> dict[str, dict[str, str]]:
        return version_clauses(version)


class DiffSerializer(serializers.Serializer):
    from_ = serializers.DictField()
    to = serializers.DictField()
    elements_changed = serializers.IntegerField()
    meta = serializers.ListField(child=serializers.DictField())
    elements = serializers.ListField(child=serializers.DictField())


class CoveringAgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    entered_into_force_on = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class CoveringSerializer(serializers.Serializer):
    covered = serializers.BooleanField(
        help_text="Whether any agreement in force covers the question (visible to you or not)."
    )
    agreements = CoveringAgreementSerializer(many=True, help_text="Those visible to you.")


class TemplateElementSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    guidance = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    rules = serializers.ListField(child=serializers.DictField())
    sources = serializers.CharField()


class TemplateSerializer(serializers.ModelSerializer):
    elements = TemplateElementSerializer(many=True)

    class Meta:
        model = Template
        fields = ["code", "name", "kind", "between_states", "description", "sources", "elements"]
