"""Factories of the referrals tests: a referral made and submitted through the services, as a
case officer of the sending organisation would (its event rows, grants and listing rows come with
it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflows.referrals import services
from workflows.referrals.models import Referral


def submit_referral(
    *,
    case: Any,
    receiver: Any,
    actor: Any,
    services_needed: Iterable[str] = ("shelter",),
    urgency: str = "urgent",
) -> Referral:
    referral = services.referral_create(
        case=case, receiver=receiver, actor=actor, services=list(services_needed), urgency=urgency
    )
    return services.referral_submit(referral=referral, actor=actor)
