"""Reads for the coordination directory. Each makes a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import BodySeat, CoordinationBody, Membership, MembershipEvent, Organisation
from .permissions import organisation_ids_for


def organisations_directory(
    *,
    search: str = "",
    country: str = "",
    kind: str = "",
    service: str = "",
) -> QuerySet[Organisation]:
    """Active organisations, filtered; the directory is public to every signed-in user.

    `country="INT"` selects the international organisations (no country).
    """
    qs = (
        Organisation.objects.filter(is_active=True)
        .select_related("country", "represents_country")
        .prefetch_related("services")
    )
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(acronym__icontains=search) | Q(mandate__icontains=search)
        )
    if country == "INT":
        qs = qs.filter(country__isnull=True)
    elif country:
        qs = qs.filter(country_id=country.upper())
    if kind:
        qs = qs.filter(kind=kind)
    if service:
        qs = qs.filter(services__code=service)
    return qs.order_by("name", "id")


def organisation_detail(*, pk: int) -> Organisation:
    """One active organisation with its services and its seats (raises DoesNotExist)."""
    return (
        Organisation.objects.filter(is_active=True)
        .select_related("country", "represents_country")
        .prefetch_related(
            "services",
            Prefetch(
                "seats",
                queryset=BodySeat.objects.select_related("body", "body__country").order_by(
                    "body__name"
                ),
            ),
        )
        .get(pk=pk)
    )


def organisation_members(*, organisation: Organisation, include_ended: bool = False) -> Any:
    qs = Membership.objects.filter(organisation=organisation).select_related("user")
    if not include_ended:
        qs = qs.filter(is_active=True)
    return qs.order_by("-is_active", "role", "user__username")


def can_see_private_contacts(*, user: Any, organisation: Organisation) -> bool:
    """Contact points are private to the organisation's own active members (and superusers)."""
    if getattr(user, "is_superuser", False):
        return True
    return organisation.pk in organisation_ids_for(user)


def membership_events(*, organisation: Organisation, limit: int = 50) -> Any:
    return (
        MembershipEvent.objects.filter(organisation=organisation)
        .select_related("actor", "membership__user")
        .order_by("-occurred_at", "-id")[:limit]
    )


def coordination_bodies() -> QuerySet[CoordinationBody]:
    return (
        CoordinationBody.objects.select_related("country", "national_coordinator")
        .annotate(seat_count=Count("seats"))
        .order_by("name")
    )


def coordination_body_detail(*, pk: int) -> CoordinationBody:
    return (
        CoordinationBody.objects.select_related(
            "country", "national_coordinator", "national_coordinator__country"
        )
        .prefetch_related(
            "countries",
            Prefetch(
                "seats",
                queryset=BodySeat.objects.select_related(
                    "organisation", "organisation__country"
                ).order_by("seat", "organisation__name"),
            ),
        )
        .get(pk=pk)
    )


def memberships_of_user(*, user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation", "organisation__country")
        .order_by("organisation__name", "role")
    )


def bodies_of_user(*, user: Any) -> QuerySet[CoordinationBody]:
    org_ids = organisation_ids_for(user)
    return (
        CoordinationBody.objects.filter(seats__organisation_id__in=org_ids)
        .select_related("country")
        .distinct()
        .order_by("name")
    )
