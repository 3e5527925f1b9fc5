"""Reads of referrals. Lists read the keyed `ReferralVisibility` table (organisation, box, sort
key), so an inbox costs the same at a million referrals as at ten thousand; a referral the user's
organisations have no part in does not exist for them (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from coordination.permissions import organisation_ids_for
from workflows.cases.export import HTCDS_ORG_TYPE
from workflows.cases.models import IDENTIFYING_FIELDS, Case
from workflows.cases.selectors import cases_visible_to

from .models import Box, Referral, ReferralEvent, ReferralState, ReferralVisibility


def _rows(*, user: Any, box: str) -> QuerySet[ReferralVisibility]:
    org_ids = organisation_ids_for(user)
    return (
        ReferralVisibility.objects.filter(organisation_id__in=org_ids, box=box)
        .select_related(
            "referral__case__owner",
            "referral__sender__country",
            "referral__receiver__country",
        )
        # A list shows the need-to-know summary only: the identifying columns are neither read
        # nor decrypted (50 rows x 7 Fernet tokens per page otherwise; seed 004:225).
        .defer(*(f"referral__case__{name}" for name in IDENTIFYING_FIELDS))
        .order_by("sort_at", "referral_id")
    )


def referral_list(
    *,
    user: Any,
    box: str,
    state: str | None = None,
    urgency: str | None = None,
    overdue: bool = False,
) -> QuerySet[ReferralVisibility]:
    """Inbox or outbox rows (each row's `.referral` is loaded); at most 2 queries plus paging."""
    rows = _rows(user=user, box=box)
    if state:
        rows = rows.filter(state=state)
    if urgency:
        rows = rows.filter(urgency=urgency)
    if overdue:
        rows = rows.filter(state=ReferralState.SUBMITTED, sort_at__lt=timezone.now())
    return rows


def referrals_visible_to(*, user: Any) -> QuerySet[Referral]:
    org_ids = organisation_ids_for(user)
    return Referral.objects.filter(
        pk__in=ReferralVisibility.objects.filter(organisation_id__in=org_ids).values("referral_id")
    )


def referral_get_visible(*, user: Any, pk: int) -> Referral:
    """The referral if one of the user's organisations sends or receives it, else DoesNotExist."""
    return (
        referrals_visible_to(user=user)
        .select_related(
            "case",
            "sender__country",
            "sender__represents_country",
            "receiver__country",
            "receiver__represents_country",
            "legal_basis",
        )
        .prefetch_related("services")
        .get(pk=pk)
    )


def referral_get_visible_key(*, user: Any, pk: int) -> Referral:
    """The referral, its key and state only, if one of the user's organisations sends or receives
    it, else DoesNotExist: what a transition's service needs to find the row it locks and reads
    in full (one narrow query)."""
    return referrals_visible_to(user=user).only("pk", "state").get(pk=pk)


def referral_completed_for_response(*, referral: Referral) -> Referral:
    """A referral a service returned (locked, changed, with its case and organisations joined),
    completed for the API's serializer without reading it again: its services (one query), and
    its case's holder, which is the sender unless the case's lead moved since (then the
    serializer reads it)."""
    prefetch_related_objects([referral], "services")
    if referral.case.owner_id == referral.sender_id:
        referral.case.owner = referral.sender
    return referral


def referral_case_visible(*, user: Any, referral: Referral) -> bool:
    """Whether the user still sees the referral's case (its summary): false once a decline or a
    withdrawal took back what was granted."""
    return cases_visible_to(user=user).filter(pk=referral.case_id).exists()


def referral_events(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor").order_by("occurred_at", "id")


def referrals_of_case(*, user: Any, case: Case) -> QuerySet[Referral]:
    """The case's referrals that the user's organisations send or receive."""
    return (
        referrals_visible_to(user=user)
        .filter(case=case)
        .select_related("sender", "receiver")
        .order_by("-created_at", "-id")
    )


def referrals_overdue_unescalated() -> QuerySet[Referral]:
    return Referral.objects.filter(
        state=ReferralState.SUBMITTED, deadline__lt=timezone.now(), escalated_at__isnull=True
    )


def referral_htcds_records(*, case: Case, user: Any) -> list[dict[str, Any]]:
    """HTCDS referral fields (ref_*) of the case's referrals the user may see; no identifying
    detail is part of a referral."""
    records = []
    for r in referrals_of_case(user=user, case=case).prefetch_related("services"):
        records.append(
            {
                "ref_ReferralID": r.reference,
                "ref_ReferralDate": r.submitted_at.date().isoformat() if r.submitted_at else None,
                "ref_ReferredFrom": r.sender.name,
                "ref_ReferredFromType": HTCDS_ORG_TYPE.get(r.sender.kind, "Other"),
                "ref_ReferredTo": r.receiver.name,
                "ref_ReferredToType": HTCDS_ORG_TYPE.get(r.receiver.kind, "Other"),
                "ref_ServicesRequested": [s.pk for s in r.services.all()],
                "ref_Status": r.state,
                "x_urgency": r.urgency,
                "x_cross_border": r.is_cross_border,
            }
        )
    return records


__all__ = [
    "Box",
    "referral_case_visible",
    "referral_completed_for_response",
    "referral_events",
    "referral_get_visible",
    "referral_get_visible_key",
    "referral_htcds_records",
    "referral_list",
    "referrals_of_case",
    "referrals_overdue_unescalated",
    "referrals_visible_to",
]


def referrals_submitted() -> QuerySet[Referral]:
    """Every submitted referral, the ones the statistics count (reporting), before a request's
    filters. The covering index referral_statistics_idx (PostgreSQL) has this very condition
    (migrations/0002_statistics_covering_index.py)."""
    return Referral.objects.filter(submitted_at__isnull=False)
