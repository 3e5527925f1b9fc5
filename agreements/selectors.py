"""Reads of agreements. Every read of an agreement goes through `agreements_visible_to`; the
workflows ask `agreements_covering` for a legal basis (contract: coverage.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from concord.errors import ApplicationError
from coordination.models import Country, Organisation, Seat
from coordination.permissions import organisation_ids_for

from . import coverage as codes
from .models import (
    Agreement,
    AgreementGroupObjectPermission,
    AgreementPartner,
    AgreementState,
    AgreementVersion,
    ClauseText,
    Coverage,
    CoverageEntry,
)

S = AgreementState


# --- visibility --------------------------------------------------------------------------------
def agreements_visible_to(*, user: Any) -> QuerySet[Agreement]:
    """The agreements `user` may see: those of the partner organisations they are a member of
    (object permission granted to the organisation's group by the services), and those whose
    partners sit in a coordination body where one of the user's organisations is the secretariat.
    Anything else does not exist for them (404)."""
    org_ids = organisation_ids_for(user)
    if not org_ids:
        return Agreement.objects.none()
    granted = AgreementGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        permission__codename="view_agreement",
        group__organisation__id__in=org_ids,
    )
    seen_by_secretariat = AgreementPartner.objects.filter(
        agreement=OuterRef("pk"),
        organisation__seats__body__seats__seat=Seat.SECRETARIAT,
        organisation__seats__body__seats__organisation__id__in=org_ids,
    )
    return Agreement.objects.filter(Q(Exists(granted)) | Q(Exists(seen_by_secretariat)))


def agreement_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Agreement]:
    """The list page and list API: visible agreements with what a row shows, in a fixed number
    of queries (partners and their organisations and countries are prefetched)."""
    filters = filters or {}
    qs = agreements_visible_to(user=user).select_related("template", "drafted_by")
    if state := filters.get("state"):
        qs = qs.filter(state=state)
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if partner := filters.get("partner"):
        qs = qs.filter(partners__organisation_id=partner)
    if country := filters.get("country"):
        qs = qs.filter(
            Q(partners__country_id=country)
            | Q(partners__organisation__country_id=country)
            | Q(coverage__countries__code=country)
        )
    if filters.get("expiring_days"):
        today = timezone.localdate()
        horizon = today + timedelta(days=int(filters["expiring_days"]))
        qs = qs.filter(state__in=[S.IN_FORCE, S.SUSPENDED], end_date__range=(today, horizon))
    return (
        qs.distinct()
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=AgreementPartner.objects.select_related("organisation", "country"),
            )
        )
        .order_by("-updated_at", "-id")
    )


def agreement_detail(*, user: Any, pk: int) -> Agreement:
    """One visible agreement (Http404 otherwise) with its partners and current version."""
    from django.shortcuts import get_object_or_404

    qs = agreements_visible_to(user=user).select_related(
        "template", "drafted_by", "current_version", "signed_version", "amends"
    )
    return get_object_or_404(qs, pk=pk)


def version_clauses(version: AgreementVersion | None) -> dict[str, dict[str, str]]:
    """{element_key: {language: text}} of a version ({} for none)."""
    if version is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    for key, language, text in ClauseText.objects.filter(version=version).values_list(
        "element__key", "language", "text"
    ):
        out.setdefault(key, {})[language] = text
    return out


def coverage_codes(agreement: Agreement) -> dict[str, list[str]]:
    """{dimension: [codes]} of the agreement's coverage."""
    out: dict[str, list[str]] = {d: [] for d in codes.DIMENSIONS}
    for dimension, code in CoverageEntry.objects.filter(coverage_id=agreement.pk).values_list(
        "dimension", "code"
    ):
        out[dimension].append(code)
    return out


# --- coverage: the legal-basis question ------------------------------------------------------
def in_force_on(on: date) -> Q:
    """Agreements in force on `on`: in force now and within their dates, or in force then and
    ended later (expired, terminated or superseded after `on`). A suspended agreement covers
    nothing while it is suspended."""
    current = Q(state=S.IN_FORCE, entered_into_force_on__lte=on) & (
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    past = Q(
        state__in=[S.EXPIRED, S.TERMINATED, S.SUPERSEDED],
        entered_into_force_on__lte=on,
        ended_on__gt=on,
    )
    return current | past


def _entry(dimension: str, code: str) -> Exists:
    return Exists(
        CoverageEntry.objects.filter(coverage_id=OuterRef("pk"), dimension=dimension, code=code)
    )


def _party_covered(party: Organisation | Country | str) -> Q:
    countries = Coverage.countries.through.objects.filter(coverage_id=OuterRef("pk"))
    if isinstance(party, str):
        return Q(Exists(countries.filter(country_id=party.upper())))
    if isinstance(party, Country):
        return Q(Exists(countries.filter(country_id=party.pk)))
    if isinstance(party, Organisation):
        orgs = Coverage.organisations.through.objects.filter(
            coverage_id=OuterRef("pk"), organisation_id=party.pk
        )
        q = Q(Exists(orgs))
        state_id = party.represents_country_id or party.country_id
        if state_id:
            # an agreement between States covers the organisations of those States
            q |= Q(Exists(countries.filter(country_id=state_id)))
        return q
    raise ApplicationError(
        "A party is an organisation or a country.", code="invalid_party", fields={"party": []}
    )


def agreements_covering(
    *,
    procedure: str,
    party_a: Organisation | Country | str,
    party_b: Organisation | Country | str,
    target_groups: Iterable[str] = (),
    on: date | None = None,
) -> QuerySet[Agreement]:
    """The agreements in force on `on` (default today) that cover `procedure` between `party_a`
    and `party_b` (an Organisation or a Country) for every one of `target_groups`.

    Unknown codes raise ApplicationError naming them (never an empty answer that looks like "no
    legal basis" for a typo). Matching rules: see agreements/coverage.py. One query when
    evaluated."""
    if procedure not in codes.PROCEDURES:
        raise ApplicationError(
            f"Unknown procedure {procedure!r}.",
            code="unknown_procedure",
            fields={"procedure": [f"Choose one of: {', '.join(codes.PROCEDURES)}."]},
        )
    groups = list(dict.fromkeys(target_groups or ()))
    if bad := codes.unknown_codes(codes.DIMENSION_TARGET_GROUP, groups):
        raise ApplicationError(
            f"Unknown target group(s): {', '.join(bad)}.",
            code="unknown_target_group",
            fields={"target_groups": [f"Unknown: {', '.join(bad)}."]},
        )
    on = on or timezone.localdate()
    qs = Agreement.objects.filter(in_force_on(on))
    qs = qs.filter(_entry(codes.DIMENSION_PROCEDURE, procedure))
    any_form = Exists(
        CoverageEntry.objects.filter(
            coverage_id=OuterRef("pk"),
            dimension=codes.DIMENSION_TARGET_GROUP,
            code__in=list(codes.EXPLOITATION_FORMS),
        )
    )
    for group in groups:
        if group in codes.EXPLOITATION_FORMS:
            # an agreement that names no form of exploitation covers every form
            qs = qs.filter(~any_form | _entry(codes.DIMENSION_TARGET_GROUP, group))
        else:
            qs = qs.filter(_entry(codes.DIMENSION_TARGET_GROUP, group))
    qs = qs.filter(_party_covered(party_a)).filter(_party_covered(party_b))
    return qs.select_related("template").order_by("-entered_into_force_on", "pk")


# --- the daily schedule ------------------------------------------------------------------------
def agreements_due_in_force(*, today: date | None = None) -> list[int]:
    """Ids of agreements awaiting signatures whose effective date has come."""
    today = today or timezone.localdate()
    return list(
        Agreement.objects.filter(
            state=S.AWAITING_SIGNATURES, effective_date__lte=today
        ).values_list("pk", flat=True)
    )


def agreements_due_for_expiry(*, today: date | None = None) -> list[int]:
    """Ids of agreements in force (or suspended) whose end date has passed."""
    today = today or timezone.localdate()
    return list(
        Agreement.objects.filter(
            state__in=[S.IN_FORCE, S.SUSPENDED], end_date__lt=today
        ).values_list("pk", flat=True)
    )


def agreements_for_reminders() -> QuerySet[Agreement]:
    """Agreements in force (or suspended) with a review or end date (the services decide whether
    a reminder is due, and send it once)."""
    return Agreement.objects.filter(state__in=[S.IN_FORCE, S.SUSPENDED]).filter(
        Q(review_date__isnull=False) | Q(end_date__isnull=False)
    )


def agreements_needing_attention(*, user: Any) -> QuerySet[Agreement]:
    """The dashboard panel: visible agreements being negotiated or signed, and those in force
    whose review or end comes within 90 days. One query."""
    today = timezone.localdate()
    soon = today + timedelta(days=90)
    return (
        agreements_visible_to(user=user)
        .filter(
            Q(state__in=[S.DRAFT, S.CONSULTATION, S.AWAITING_SIGNATURES])
            | Q(state=S.IN_FORCE, end_date__lte=soon)
            | Q(state=S.IN_FORCE, review_date__lte=soon)
        )
        .order_by("-updated_at", "-id")
    )
