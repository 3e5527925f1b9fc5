"""First-contact registration in one step (the phone form): case, indicators, consent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from coordination.models import Organisation

from ..models import Case
from .cases import case_register
from .indicators import indicators_observe
from .protection import consent_record

__all__ = ["case_register_at_first_contact"]


@transaction.atomic
def case_register_at_first_contact(
    *,
    owner: Organisation,
    actor: Any,
    facts: dict[str, Any],
    identifying: dict[str, Any] | None = None,
    indicator_codes: Iterable[str] = (),
    consent: dict[str, Any] | None = None,
    presume: bool = False,
) -> Case:
    """Register the case, record the indicators observed and the consent given, and apply the
    presumption if asked — all or nothing."""
    case = case_register(
        owner=owner, actor=actor, identifying=identifying, presume=presume, **facts
    )
    codes = list(indicator_codes)
    if codes:
        indicators_observe(case=case, actor=actor, codes=codes)
    if consent:
        consent_record(case=case, actor=actor, **consent)
    return case
