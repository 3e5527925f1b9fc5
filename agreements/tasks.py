"""Celery tasks of agreements: thin, take ids or nothing, call services, safe to run twice
(a service refuses a step already taken, and a reminder is sent once per date).

The daily schedule (agreements/schedules.py) runs `run_lifecycle`, which brings into force the
agreements whose effective date has come (every partner having signed), expires those past their
end date, and sends the review and expiry reminders.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django_fsm import TransitionNotAllowed

from concord.errors import ApplicationError

logger = logging.getLogger("concord.agreements")

REVIEW_NOTICE_DAYS = getattr(settings, "AGREEMENT_REVIEW_NOTICE_DAYS", 30)
EXPIRY_NOTICE_DAYS = getattr(settings, "AGREEMENT_EXPIRY_NOTICE_DAYS", 60)


def _agreement(agreement_id: int) -> Any:
    from .models import Agreement

    return Agreement.objects.filter(pk=agreement_id).first()


@shared_task(
    name="agreements.tasks.bring_into_force",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def bring_into_force(agreement_id: int) -> bool:
    """Bring one agreement into force if every partner signed and its date has come."""
    from .services import agreement_bring_into_force

    agreement = _agreement(agreement_id)
    if agreement is None:
        return False
    try:
        agreement_bring_into_force(agreement=agreement, actor=None)
    except (ApplicationError, TransitionNotAllowed) as exc:
        logger.info("agreement %s not brought into force: %s", agreement_id, exc)
        return False
    return True


@shared_task(
    name="agreements.tasks.expire",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expire(agreement_id: int) -> bool:
    """Expire one agreement whose end date has passed."""
    from .services import agreement_expire

    agreement = _agreement(agreement_id)
    if agreement is None:
        return False
    try:
        agreement_expire(agreement=agreement, actor=None)
    except (ApplicationError, TransitionNotAllowed) as exc:
        logger.info("agreement %s not expired: %s", agreement_id, exc)
        return False
    return True


@shared_task(name="agreements.tasks.run_lifecycle")
def run_lifecycle() -> dict[str, int]:
    """The daily sweep: entry into force, expiry, review and expiry reminders. Returns counts."""
    from . import services
    from .selectors import (
        agreements_due_for_expiry,
        agreements_due_in_force,
        agreements_for_reminders,
    )

    counts = {"in_force": 0, "expired": 0, "review_due": 0, "expiry_approaching": 0}
    for pk in agreements_due_in_force():
        counts["in_force"] += bring_into_force(pk)
    for pk in agreements_due_for_expiry():
        counts["expired"] += expire(pk)
    for agreement in agreements_for_reminders():
        counts["review_due"] += services.agreement_remind_review(
            agreement=agreement, days_ahead=REVIEW_NOTICE_DAYS
        )
        counts["expiry_approaching"] += services.agreement_remind_expiry(
            agreement=agreement, days_ahead=EXPIRY_NOTICE_DAYS
        )
    return counts
