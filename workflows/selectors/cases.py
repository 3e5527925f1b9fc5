"""Reads of workflows objects. Every read of a case goes through `cases_visible_to`; what a user may
not see does not exist for them (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from coordination.models import Organisation
from coordination.permissions import organisation_ids_for

from ..models import (
    IDENTIFYING_FIELDS,
    Case,
    CaseGroupObjectPermission,
    Consent,
    ConsentCategory,
    PiiAccessLog,
)
from ..permissions import CASE_WORK_ROLES


def _granted_case_ids(org_ids: set[int], codenames: list[str]) -> Any:
    return CaseGroupObjectPermission.objects.filter(
        group__organisation__id__in=org_ids, permission__codename__in=codenames
    ).values("content_object_id")


def cases_visible_to(*, user: Any) -> QuerySet[Case]:
    """Cases the user's organisations hold, or were granted (summary or details) by a workflow."""
    org_ids = organisation_ids_for(user)
    if not org_ids:
        return Case.objects.none()
    granted = _granted_case_ids(org_ids, ["view_case_summary", "view_case_details"])
    return Case.objects.filter(Q(owner_id__in=org_ids) | Q(pk__in=granted))


def cases_owned_by(*, user: Any) -> QuerySet[Case]:
    """The case list of the user's own organisations (fixed query count: select_related)."""
    return Case.objects.filter(owner_id__in=organisation_ids_for(user)).select_related(
        "owner", "nationality", "country_of_identification"
    )


def case_get_visible(*, user: Any, pk: int | None = None, reference: str | None = None) -> Case:
    """The case if visible to the user, else Case.DoesNotExist (callers answer 404)."""
    qs = cases_visible_to(user=user)
    return qs.get(pk=pk) if pk is not None else qs.get(reference=reference)


def can_see_identifying_details(*, user: Any, case: Case) -> bool:
    """Case officers and supervisors of the owning organisation, or of an organisation granted
    `view_case_details` (after an accepted referral the person's consent covers). Never after
    anonymisation."""
    if case.is_anonymised:
        return False
    org_ids = organisation_ids_for(user, CASE_WORK_ROLES)
    if not org_ids:
        return False
    if case.owner_id in org_ids:
        return True
    return CaseGroupObjectPermission.objects.filter(
        content_object=case,
        permission__codename="view_case_details",
        group__organisation__id__in=org_ids,
    ).exists()


def case_identifying_details(
    *, user: Any, case: Case, purpose: str, channel: str = "page"
) -> dict[str, str] | None:
    """The identifying details if the user may see them, else None; every disclosure writes one
    PiiAccessLog row (who, when, which case, purpose)."""
    if not can_see_identifying_details(user=user, case=case):
        return None
    org_ids = organisation_ids_for(user, CASE_WORK_ROLES)
    org_id = case.owner_id if case.owner_id in org_ids else min(org_ids)
    PiiAccessLog.objects.create(
        case=case, user=user, organisation_id=org_id, purpose=purpose, channel=channel
    )
    return {name: getattr(case, name) for name in IDENTIFYING_FIELDS}


def pii_access_log_for(*, user: Any, case: Case) -> QuerySet[PiiAccessLog] | None:
    """The PII access log of a case, shown to its owning organisation only (else None)."""
    if case.owner_id not in organisation_ids_for(user):
        return None
    return PiiAccessLog.objects.filter(case=case).select_related("user", "organisation")


def active_consents(*, case: Case) -> QuerySet[Consent]:
    return case.consents.filter(withdrawn_at__isnull=True).prefetch_related("organisations")


def consent_allows_sharing(
    *,
    case: Case,
    organisation: Organisation,
    category: str = ConsentCategory.IDENTIFYING_DETAILS,
) -> bool:
    """Whether the person's recorded, not withdrawn, consent covers sharing `category` (default:
    identifying details) with `organisation`, named or by its kind. The holding organisation needs
    no consent to see its own case. A withdrawal takes effect at once: this reads the rows now."""
    if organisation.pk == case.owner_id:
        return True
    named = Consent.organisations.through.objects.filter(
        consent_id=OuterRef("pk"), organisation_id=organisation.pk
    )
    rows = Consent.objects.filter(case=case, withdrawn_at__isnull=True).annotate(
        named=Exists(named)
    )
    return any(
        category in c.categories and (c.named or organisation.kind in c.organisation_kinds)
        for c in rows
    )
