"""The risk assessment both States contribute to, and the submission for decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Organisation
from workflows.returns.guards import (
    guard_grounds_given,
)
from workflows.returns.models import (
    ReturnProcedure,
    ReturnRiskFactor,
    ReturnState,
    RiskAssessment,
    RiskContribution,
    RiskRating,
    Side,
)
from workflows.returns.risk import combined_ratings, overall_level, required_factors
from workflows.returns.selectors import (
    latest_assessment,
    return_settings_for,
)

from .transitions import _acting_org, _event, _lock, _transition

__all__ = [
    "return_reassess",
    "return_start_assessment",
    "return_submit_for_decision",
    "risk_contribution_submit",
]


# ---- risk assessment ----------------------------------------------------------------------------


def _open_assessment(procedure: ReturnProcedure, *, actor: Any, reason: str) -> RiskAssessment:
    last = latest_assessment(procedure)
    return RiskAssessment.objects.create(
        procedure=procedure,
        version=(last.version + 1) if last else 1,
        opened_by=actor,
        reason=reason,
    )


def return_start_assessment(
    *, procedure: ReturnProcedure, actor: Any, reason: str = ""
) -> ReturnProcedure:
    """requested → risk_assessment (guards: voluntary, non-refoulement); opens version 1."""

    def before(p: ReturnProcedure, org: Organisation) -> dict[str, Any]:
        a = _open_assessment(p, actor=actor, reason=reason or "initial assessment")
        return {"assessment_version": a.version}

    return _transition(
        procedure,
        "start_assessment",
        actor=actor,
        side=Side.RETURNING,
        reason=reason,
        before=before,
    )


@transaction.atomic
def risk_contribution_submit(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    ratings: Mapping[str, Mapping[str, Any]],
    summary: str = "",
    side: str | None = None,
) -> RiskContribution:
    """One State's part of the current assessment version, every factor rated (0-4) and justified.
    Submitted whole, never edited (a change of view is a reassessment). When both parts are in,
    the overall level is derived (workflows.returns.risk) with the returning State's settings."""
    procedure = _lock(procedure)
    if procedure.state != ReturnState.RISK_ASSESSMENT:
        raise GuardFailed(
            "return_not_assessing", _("Contributions are made while the risk assessment is open.")
        )
    org, side = _acting_org(actor=actor, procedure=procedure, side=side)
    assessment = latest_assessment(procedure)
    assert assessment is not None
    if assessment.contributions.filter(side=side).exists():
        raise GuardFailed(
            "return_part_submitted",
            _("Your State's part of this version is already submitted; reassess to change it."),
        )
    needed = required_factors(is_child=procedure.case.is_or_may_be_child)
    factors = {f.code: f for f in ReturnRiskFactor.objects.filter(code__in=needed)}
    errors: dict[str, list[str]] = {}
    clean: dict[str, tuple[int, str]] = {}
    for code in needed:
        entry = ratings.get(code) or {}
        try:
            rating = int(entry.get("rating"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[code] = [_("Rate this factor from 0 to 4.")]
            continue
        justification = str(entry.get("justification") or "").strip()
        if not 0 <= rating <= 4:
            errors[code] = [_("Rate this factor from 0 to 4.")]
        elif not justification:
            errors[code] = [_("Justify the rating.")]
        else:
            clean[code] = (rating, justification)
    unknown = set(ratings) - set(needed)
    for code in unknown:
        errors[code] = [_("Not a factor of this assessment.")]
    if errors:
        raise ApplicationError(
            _("Every factor is rated and justified (seed 004:352-357)."), fields=errors
        )
    contribution = RiskContribution.objects.create(
        assessment=assessment, side=side, organisation=org, summary=summary, submitted_by=actor
    )
    RiskRating.objects.bulk_create(
        RiskRating(contribution=contribution, factor=factors[c], rating=r, justification=j)
        for c, (r, j) in clean.items()
    )
    parts = list(
        RiskRating.objects.filter(contribution__assessment=assessment).values_list(
            "contribution__side", "factor_id", "rating"
        )
    )
    sides = {s for s, _c, _r in parts}
    payload: dict[str, Any] = {"assessment_version": assessment.version, "side": side}
    if {Side.RETURNING, Side.RECEIVING} <= sides:
        by_side: dict[str, dict[str, int]] = {}
        for s, c, r in parts:
            by_side.setdefault(s, {})[c] = r
        policy = return_settings_for(procedure.returning_country_id).risk
        assessment.overall_level = overall_level(combined_ratings(by_side.values()), policy)
        assessment.completed_at = timezone.now()
        assessment.save(update_fields=["overall_level", "completed_at"])
        payload["overall_level"] = assessment.overall_level
    _event(procedure, actor=actor, transition="risk_part_submitted", payload=payload)
    return contribution


def return_submit_for_decision(
    *, procedure: ReturnProcedure, actor: Any, reason: str = ""
) -> ReturnProcedure:
    """risk_assessment → decision (guard: both States contributed)."""
    return _transition(procedure, "submit_for_decision", actor=actor, side=None, reason=reason)


def return_reassess(*, procedure: ReturnProcedure, actor: Any, reason: str) -> ReturnProcedure:
    """decision | preparation → risk_assessment: a new assessment version; the old one stays."""
    guard_grounds_given(grounds=reason, what=_("the reassessment"))

    def before(p: ReturnProcedure, org: Organisation) -> dict[str, Any]:
        a = _open_assessment(p, actor=actor, reason=reason)
        return {"assessment_version": a.version}

    return _transition(procedure, "reassess", actor=actor, side=None, reason=reason, before=before)
