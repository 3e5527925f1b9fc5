"""The decision on a return: approval, an alternative to return, or cancellation."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from concord.errors import ApplicationError
from coordination.models import Country, Organisation, Role
from coordination.permissions import organisation_ids_for
from workflows.returns import signals
from workflows.returns.guards import (
    guard_grounds_given,
)
from workflows.returns.models import (
    AlternativeKind,
    DecisionOutcome,
    ReturnDecision,
    ReturnEvent,
    ReturnProcedure,
    ReturnState,
    Side,
)
from workflows.returns.selectors import (
    latest_assessment,
)

from .transitions import _send, _transition

__all__ = [
    "return_approve",
    "return_cancel",
    "return_grant_alternative",
]


# ---- decision -----------------------------------------------------------------------------------


def _decision(
    p: ReturnProcedure,
    *,
    actor: Any,
    outcome: str,
    grounds: str,
    by_supervisor: bool,
    alternative_kind: str = "",
    third_country: Country | None = None,
) -> ReturnDecision:
    assessment = latest_assessment(p)
    return ReturnDecision.objects.create(
        procedure=p,
        outcome=outcome,
        assessment=assessment if assessment and assessment.completed_at else None,
        overall_level=assessment.overall_level if assessment else "",
        alternative_kind=alternative_kind,
        third_country=third_country,
        grounds=grounds,
        by_supervisor=by_supervisor,
        decided_by=actor,
    )


def _is_supervisor(actor: Any, procedure: ReturnProcedure, side: str) -> bool:
    return procedure.participants.filter(
        side=side, organisation_id__in=organisation_ids_for(actor, [Role.SUPERVISOR])
    ).exists()


def return_approve(*, procedure: ReturnProcedure, actor: Any, grounds: str) -> ReturnProcedure:
    """decision → preparation. Every safeguard before a decision must hold; a high overall risk
    needs a supervisor of the returning State with written grounds; a very high one blocks."""
    guard_grounds_given(grounds=grounds, what=_("the decision"))
    supervisor = _is_supervisor(actor, procedure, Side.RETURNING)

    def after(p: ReturnProcedure, event: ReturnEvent) -> None:
        d = _decision(
            p,
            actor=actor,
            outcome=DecisionOutcome.APPROVED,
            grounds=grounds,
            by_supervisor=supervisor,
        )
        _send(signals.return_decided, p, event, actor, decision=d)

    def before(p: ReturnProcedure, org: Organisation) -> dict[str, Any]:
        a = latest_assessment(p)
        return {
            "assessment_version": a.version if a else None,
            "overall_level": a.overall_level if a else "",
        }

    return _transition(
        procedure,
        "approve",
        actor=actor,
        side=Side.RETURNING,
        reason=grounds,
        facts_overrides={"decided_by_supervisor": supervisor, "decision_grounds": grounds},
        before=before,
        after=after,
    )


def return_grant_alternative(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    kind: str,
    grounds: str,
    third_country: Country | None = None,
) -> ReturnProcedure:
    """decision → alternative: temporary or permanent residence in the destination country
    (seed 004:354) or relocation to a third State (seed 004:353), with grounds."""
    guard_grounds_given(grounds=grounds, what=_("the alternative"))
    if kind not in AlternativeKind.values:
        raise ApplicationError(
            _("Choose an alternative."), fields={"kind": [_("Choose a valid alternative.")]}
        )
    if kind == AlternativeKind.THIRD_STATE and third_country is None:
        raise ApplicationError(
            _("Relocation names the third State."),
            fields={"third_country": [_("This field is required.")]},
        )
    if kind == AlternativeKind.THIRD_STATE and third_country in (
        procedure.returning_country,
        procedure.receiving_country,
    ):
        raise ApplicationError(
            _("A third State is neither of the two States."),
            fields={"third_country": [_("Choose another State.")]},
        )
    supervisor = _is_supervisor(actor, procedure, Side.RETURNING)

    def after(p: ReturnProcedure, event: ReturnEvent) -> None:
        d = _decision(
            p,
            actor=actor,
            outcome=DecisionOutcome.ALTERNATIVE,
            grounds=grounds,
            by_supervisor=supervisor,
            alternative_kind=kind,
            third_country=third_country,
        )
        _send(signals.return_decided, p, event, actor, decision=d)

    return _transition(
        procedure,
        "grant_alternative",
        actor=actor,
        side=Side.RETURNING,
        reason=grounds,
        payload={"alternative": kind, "third_country": third_country.pk if third_country else None},
        after=after,
    )


def return_cancel(*, procedure: ReturnProcedure, actor: Any, grounds: str) -> ReturnProcedure:
    """requested | risk_assessment | decision | preparation → cancelled, with grounds."""
    guard_grounds_given(grounds=grounds, what=_("the cancellation"))
    supervisor = _is_supervisor(actor, procedure, Side.RETURNING)

    def after(p: ReturnProcedure, event: ReturnEvent) -> None:
        if event.from_state == ReturnState.DECISION:
            d = _decision(
                p,
                actor=actor,
                outcome=DecisionOutcome.CANCELLED,
                grounds=grounds,
                by_supervisor=supervisor,
            )
            _send(signals.return_decided, p, event, actor, decision=d)

    return _transition(
        procedure, "cancel", actor=actor, side=Side.RETURNING, reason=grounds, after=after
    )
