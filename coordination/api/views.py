"""The directory API: countries, services, organisations, memberships, coordination bodies.

Reads are open to every authenticated caller (the directory is shared by all agencies), except
contact points (members only) and ended memberships and membership history (organisation admins).
Writes (memberships) go through coordination.services, which checks the caller is an admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from concord.api import error_responses
from concord.errors import ApplicationError

from .. import selectors, services
from ..models import Country, Membership, Organisation, OrganisationKind, Service
from ..permissions import can_manage_members
from .serializers import (
    AccountCreateSerializer,
    CoordinationBodyDetailSerializer,
    CoordinationBodySerializer,
    CountrySerializer,
    MembershipAddSerializer,
    MembershipChangeSerializer,
    MembershipEndSerializer,
    MembershipEventSerializer,
    MembershipSerializer,
    OrganisationDetailSerializer,
    OrganisationListSerializer,
    ServiceSerializer,
)

READ_ERRORS = error_responses(401, 403)
DETAIL_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="ISO 3166-1 countries", responses={200: CountrySerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary="One country", responses={200: CountrySerializer, **DETAIL_ERRORS}
    ),
)
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountrySerializer
    queryset = Country.objects.order_by("name")
    lookup_value_regex = "[A-Za-z]{2}"


@extend_schema_view(
    list=extend_schema(
        summary="Services organisations offer",
        responses={200: ServiceSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One service", responses={200: ServiceSerializer, **DETAIL_ERRORS}
    ),
)
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ServiceSerializer
    queryset = Service.objects.order_by("name")


class OrganisationFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    country = serializers.RegexField(
        r"^([A-Za-z]{2}|INT)$",
        required=False,
        allow_blank=True,
        help_text="ISO code, or INT for international organisations.",
    )
    kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, required=False, allow_blank=True
    )
    service = serializers.SlugField(required=False, allow_blank=True, max_length=40)


ORGANISATION_FILTERS = [
    OpenApiParameter("search", str, description="Part of the name, acronym or mandate."),
    OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 code, or INT."),
    OpenApiParameter("kind", str, enum=OrganisationKind.values),
    OpenApiParameter("service", str, description="Service code, e.g. shelter."),
]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationListSerializer
    paginated_actions = ("memberships",)  # for the schema (concord.api_schema.AutoSchema)

    def get_queryset(self) -> Any:
        if self.action != "list":
            return Organisation.objects.filter(is_active=True)
        params = OrganisationFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.organisations_directory(
            search=params.validated_data.get("search", "").strip(),
            country=params.validated_data.get("country", ""),
            kind=params.validated_data.get("kind", ""),
            service=params.validated_data.get("service", ""),
        )

    def _organisation(self, pk: Any) -> Organisation:
        try:
            return selectors.organisation_detail(pk=int(pk))
        except (Organisation.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    @extend_schema(
        summary="Directory of organisations",
        parameters=ORGANISATION_FILTERS,
        responses={200: OrganisationListSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One organisation (contact points only for its members)",
        responses={200: OrganisationDetailSerializer, **DETAIL_ERRORS},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        organisation = self._organisation(pk)
        show_private = selectors.can_see_private_contacts(
            user=request.user, organisation=organisation
        )
        data = OrganisationDetailSerializer(
            organisation, context={"request": request, "show_private": show_private}
        ).data
        return Response(data)

    @extend_schema(
        summary="Members of an organisation",
        parameters=[
            OpenApiParameter(
                "include_ended", bool, description="Ended memberships too (organisation admins)."
            )
        ],
        responses={200: MembershipSerializer(many=True), **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="memberships")
    def memberships(self, request: Request, pk: Any = None) -> Response:
        organisation = self._organisation(pk)
        include_ended = request.query_params.get("include_ended") in {"1", "true", "yes"}
        if include_ended and not can_manage_members(request.user, organisation):
            raise PermissionDenied
        members = selectors.organisation_members(
            organisation=organisation, include_ended=include_ended
        )
        page = self.paginate_queryset(members)
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(
        summary="Add an existing account as a member (organisation admins)",
        request=MembershipAddSerializer,
        responses={201: MembershipSerializer, **WRITE_ERRORS},
    )
    @memberships.mapping.post
    def add_membership(self, request: Request, pk: Any = None) -> Response:
        organisation = self._organisation(pk)
        if not can_manage_members(request.user, organisation):
            raise PermissionDenied
        body = MembershipAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            raise ApplicationError(
                _("No account has this username."),
                fields={"username": [_("No account has this username.")]},
            )
        membership = services.membership_add(
            organisation=organisation,
            user=user,
            role=data["role"],
            can_sign_agreements=data["can_sign_agreements"],
            title=data["title"],
            actor=request.user,
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Create an account for a colleague and make it a member (organisation admins)",
        request=AccountCreateSerializer,
        responses={201: MembershipSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="accounts")
    def accounts(self, request: Request, pk: Any = None) -> Response:
        organisation = self._organisation(pk)
        if not can_manage_members(request.user, organisation):
            raise PermissionDenied
        body = AccountCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.member_account_create(
            organisation=organisation, actor=request.user, **body.validated_data
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="History of membership changes (organisation admins)",
        responses={200: MembershipEventSerializer(many=True), **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="membership-events")
    def membership_events(self, request: Request, pk: Any = None) -> Response:
        organisation = self._organisation(pk)
        if not can_manage_members(request.user, organisation):
            raise PermissionDenied
        events = selectors.membership_events(organisation=organisation, limit=200)
        return Response(MembershipEventSerializer(events, many=True).data)


class MembershipViewSet(viewsets.GenericViewSet):
    """Change or end one membership (admins of its organisation)."""

    serializer_class = MembershipSerializer
    queryset = Membership.objects.select_related("user", "organisation")

    def _managed(self, request: Request, pk: Any) -> Membership:
        membership = get_object_or_404(self.get_queryset(), pk=pk, organisation__is_active=True)
        if not can_manage_members(request.user, membership.organisation):
            raise PermissionDenied
        return membership

    @extend_schema(
        summary="Change role, signing right or title",
        request=MembershipChangeSerializer,
        responses={200: MembershipSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        membership = self._managed(request, pk)
        body = MembershipChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.membership_change(
            membership=membership, actor=request.user, **body.validated_data
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        summary="End a membership",
        request=MembershipEndSerializer,
        responses={200: MembershipSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: Any = None) -> Response:
        membership = self._managed(request, pk)
        body = MembershipEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.membership_end(
            membership=membership, actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(MembershipSerializer(membership).data)


@extend_schema_view(
    list=extend_schema(
        summary="Coordination bodies",
        responses={200: CoordinationBodySerializer(many=True), **READ_ERRORS},
    ),
)
class CoordinationBodyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CoordinationBodySerializer

    def get_queryset(self) -> Any:
        return selectors.coordination_bodies()

    @extend_schema(
        summary="One coordination body with its seats and terms of reference",
        responses={200: CoordinationBodyDetailSerializer, **DETAIL_ERRORS},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        from ..models import CoordinationBody

        try:
            body = selectors.coordination_body_detail(pk=int(pk))
        except (CoordinationBody.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        return Response(CoordinationBodyDetailSerializer(body).data)
