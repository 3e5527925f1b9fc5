"""Demo referrals (loaded by `manage.py load_demo` after the cases): a pending emergency referral,
an overdue one, a cross-border one under the TH-KH MOU, and one accepted. Idempotent: a referral
is keyed by (case reference, receiving organisation)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from concord.errors import GuardFailed
from coordination.demo import demo_org, demo_user
from workflows.cases.models import Case

from . import services
from .models import Referral, ReferralVisibility


def _refer(
    *,
    reference: str,
    to: tuple[str, str],
    officer: str,
    urgency: str,
    needs: str,
    wanted: tuple[str, ...],
    stdout: Any,
) -> Referral | None:
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        return None
    receiver = demo_org(*to)
    existing = Referral.objects.filter(case=case, receiver=receiver).first()
    if existing is not None:
        return existing
    offered = set(receiver.services.values_list("code", flat=True))
    referral = services.referral_create(
        case=case,
        receiver=receiver,
        actor=demo_user(officer),
        services=[s for s in wanted if s in offered],
        urgency=urgency,
        needs=needs,
    )
    try:
        referral = services.referral_submit(referral=referral, actor=demo_user(officer))
    except GuardFailed as refused:
        # e.g. the cross-border one without the agreements demo's MOU: stays a draft, said plainly
        stdout.write(f"  referral {referral.reference} left as a draft: {refused.code}")
        return referral
    stdout.write(f"  referral {referral.reference}: {reference} → {receiver.name} ({urgency})")
    return referral


@transaction.atomic
def load(*, stdout: Any) -> None:
    stdout.write("referrals: demo referrals")
    _refer(
        reference="C-2026-DM0001",
        to=("TH", "shelter_ngo"),
        officer="th_police_officer",
        urgency="emergency",
        needs="Safe accommodation tonight; Khmer interpreter.",
        wanted=("shelter", "psychosocial", "interpretation"),
        stdout=stdout,
    )
    overdue = _refer(
        reference="C-2026-DM0002",
        to=("TH", "legal_ngo"),
        officer="th_labour_inspector",
        urgency="urgent",
        needs="Legal advice on unpaid wages and the debt claimed by the employer.",
        wanted=("legal_aid",),
        stdout=stdout,
    )
    if overdue is not None and overdue.escalated_at is None and not overdue.is_overdue:
        # Demo only: back-date the answer deadline so that the inbox shows an overdue referral.
        past = timezone.now() - timedelta(hours=6)
        Referral.objects.filter(pk=overdue.pk).update(deadline=past)
        ReferralVisibility.objects.filter(referral=overdue).update(sort_at=past)
    _refer(
        reference="C-2026-DM0002",
        to=("KH", "social_services"),
        officer="th_labour_inspector",
        urgency="routine",
        needs="Prepare reintegration support at home should he decide to return.",
        wanted=("reintegration", "psychosocial", "employment"),
        stdout=stdout,
    )
