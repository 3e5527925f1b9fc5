from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    BodySeat,
    CoordinationBody,
    Country,
    Membership,
    MembershipEvent,
    Organisation,
    Role,
    Service,
)


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name"]


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["code", "name"]


class OrganisationListSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", allow_null=True, read_only=True)
    represents_country = serializers.CharField(
        source="represents_country_id", allow_null=True, read_only=True
    )
    services = serializers.SerializerMethodField()
    is_state_actor = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "acronym",
            "kind",
            "country",
            "represents_country",
            "is_state_actor",
            "services",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_services(self, obj: Organisation) -> list[str]:
        return [s.code for s in obj.services.all()]  # prefetched


class ContactPointsSerializer(serializers.Serializer):
    email = serializers.EmailField(source="contact_email")
    phone = serializers.CharField(source="contact_phone")
    emergency_phone = serializers.CharField()
    address = serializers.CharField(source="contact_address")


class SeatOfOrganisationSerializer(serializers.ModelSerializer):
    body = serializers.IntegerField(source="body_id")
    body_name = serializers.CharField(source="body.name")

    class Meta:
        model = BodySeat
        fields = ["body", "body_name", "seat"]


class OrganisationDetailSerializer(OrganisationListSerializer):
    seats = SeatOfOrganisationSerializer(many=True, read_only=True)
    contact_points = serializers.SerializerMethodField(
        help_text="Only for the organisation's own members; null for everyone else."
    )

    class Meta(OrganisationListSerializer.Meta):
        fields = [
            *OrganisationListSerializer.Meta.fields,
            "mandate",
            "areas_of_operation",
            "website",
            "seats",
            "contact_points",
        ]

    @extend_schema_field(ContactPointsSerializer(allow_null=True))
    def get_contact_points(self, obj: Organisation) -> dict[str, Any] | None:
        if not self.context.get("show_private"):
            return None
        return dict(ContactPointsSerializer(obj).data)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "organisation",
            "username",
            "role",
            "can_sign_agreements",
            "title",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class MembershipAddSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    can_sign_agreements = serializers.BooleanField(default=False)
    title = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)


class AccountCreateSerializer(MembershipAddSerializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)


class MembershipChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    can_sign_agreements = serializers.BooleanField(required=False)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)


class MembershipEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class MembershipEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    membership = serializers.IntegerField(source="membership_id", read_only=True)

    class Meta:
        model = MembershipEvent
        fields = ["id", "occurred_at", "actor", "membership", "transition", "reason", "payload"]
        read_only_fields = fields


class SeatSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")

    class Meta:
        model = BodySeat
        fields = ["organisation", "organisation_name", "seat"]


class CoordinationBodySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", allow_null=True, read_only=True)
    national_coordinator = serializers.IntegerField(
        source="national_coordinator_id", allow_null=True, read_only=True
    )

    class Meta:
        model = CoordinationBody
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "region",
            "national_coordinator",
            "coordinator_title",
            "established_on",
        ]


class CoordinationBodyDetailSerializer(CoordinationBodySerializer):
    countries = serializers.SerializerMethodField()
    seats = SeatSerializer(many=True, read_only=True)

    class Meta(CoordinationBodySerializer.Meta):
        fields = [
            *CoordinationBodySerializer.Meta.fields,
            "countries",
            "terms_of_reference",
            "seats",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries(self, obj: CoordinationBody) -> list[str]:
        return [c.code for c in obj.countries.all()]
