"""How a return service acts: lock the procedure, find the acting organisation on its side, run
the guards, make the transition, write the event row and send the signal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from concord.errors import ApplicationError, GuardFailed
from concord.events import record_event
from coordination.models import Country, Organisation
from coordination.permissions import organisation_ids_for
from workflows.returns import signals
from workflows.returns.guards import (
    run_guards,
)
from workflows.returns.models import (
    FINAL_STATES,
    ReturnEvent,
    ReturnProcedure,
    ReturnState,
    ReturnStep,
    Side,
)
from workflows.returns.permissions import RETURN_WORK_ROLES
from workflows.returns.selectors import (
    alert_organisations,
    return_facts,
    return_settings_for,
)

TRANSITION_SIGNALS: dict[str, Signal] = {
    "start_assessment": signals.return_assessment_started,
    "submit_for_decision": signals.return_submitted_for_decision,
    "reassess": signals.return_reassessed,
    "approve": signals.return_approved,
    "grant_alternative": signals.return_alternative_granted,
    "cancel": signals.return_cancelled,
    "depart": signals.return_departed,
    "hand_over": signals.return_handed_over,
    "start_monitoring": signals.return_monitoring_started,
    "close": signals.return_closed,
}


# ---- helpers ------------------------------------------------------------------------------------


def _lock(procedure: ReturnProcedure) -> ReturnProcedure:
    return ReturnProcedure.objects.select_for_update().select_related("case").get(pk=procedure.pk)


def _acting_org(
    *,
    actor: Any,
    procedure: ReturnProcedure,
    side: str | None = None,
    roles: Iterable[str] = RETURN_WORK_ROLES,
) -> tuple[Organisation, str]:
    """The actor's organisation taking part in the procedure (on `side` if given) in `roles`."""
    org_ids = organisation_ids_for(actor, roles)
    parts = procedure.participants.filter(organisation_id__in=org_ids).select_related(
        "organisation"
    )
    if side is not None:
        parts = parts.filter(side=side)
    part = parts.order_by("side", "id").first()
    if part is None:
        who = dict(Side.choices).get(side or "", _("either State")) if side else _("either State")
        raise PermissionDenied(
            _(
                "Only case officers or supervisors of an organisation of the %(who)s taking part "
                "act here."
            )
            % {"who": who}
        )
    return part.organisation, part.side


def _event(
    procedure: ReturnProcedure,
    *,
    actor: Any,
    transition: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> ReturnEvent:
    return record_event(
        ReturnEvent,
        procedure=procedure,
        actor=actor,
        transition=transition,
        from_state=from_state or procedure.state,
        to_state=to_state or procedure.state,
        reason=reason,
        payload=payload or {},
    )


def _send(
    signal: Signal, procedure: ReturnProcedure, event: ReturnEvent, actor: Any, **kw: Any
) -> None:
    kw.setdefault("organisations", alert_organisations(procedure))
    signal.send(sender=ReturnProcedure, instance=procedure, event=event, actor=actor, **kw)


def _open_step(procedure: ReturnProcedure, state: str) -> ReturnStep | None:
    """Close the current step row and open one for `state` (none for a final state)."""
    now = timezone.now()
    previous = procedure.steps.filter(left_at__isnull=True).order_by("-id").first()
    returning_org = procedure.returning_authority
    receiving_org = procedure.receiving_authority
    if previous is not None:
        previous.left_at = now
        previous.duration_seconds = max(0, int((now - previous.entered_at).total_seconds()))
        previous.save(update_fields=["left_at", "duration_seconds"])
    if state in FINAL_STATES:
        return None
    settings_ = return_settings_for(procedure.returning_country_id)
    days = settings_.step_due_days.get(state)
    due_on = timezone.localdate() + timedelta(days=days) if days else None
    if state == ReturnState.MONITORING:
        last = procedure.monitoring_visits.order_by("-due_on").first()
        due_on = last.due_on + timedelta(days=settings_.grace_days) if last else None
    return ReturnStep.objects.create(
        procedure=procedure,
        state=state,
        entered_at=now,
        due_on=due_on,
        returning_organisation=returning_org,
        receiving_organisation=receiving_org,
    )


def _blocked(procedure_pk: int, *, actor: Any, transition: str, exc: GuardFailed) -> None:
    """Record the refusal (its own transaction: the refused change rolled back)."""
    with transaction.atomic():
        procedure = ReturnProcedure.objects.select_for_update().get(pk=procedure_pk)
        event = _event(
            procedure,
            actor=actor,
            transition="blocked",
            reason=exc.message,
            payload={"attempted": transition, "guard": exc.code},
        )
        _send(signals.return_blocked, procedure, event, actor, guard=exc.code)


def _transition(
    procedure: ReturnProcedure,
    name: str,
    *,
    actor: Any,
    side: str | None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    facts_overrides: Mapping[str, Any] | None = None,
    roles: Iterable[str] = RETURN_WORK_ROLES,
    before: Callable[[ReturnProcedure, Organisation], dict[str, Any] | None] | None = None,
    after: Callable[[ReturnProcedure, ReturnEvent], None] | None = None,
) -> ReturnProcedure:
    """lock → state check → who acts → guards → transition → save → step rows → event → signal."""
    try:
        with transaction.atomic():
            procedure = _lock(procedure)
            method = getattr(procedure, name)
            if not can_proceed(method):
                raise GuardFailed(
                    "transition_not_allowed",
                    _("This step is not allowed while the procedure is at “%(state)s”.")
                    % {"state": procedure.get_state_display()},
                )
            org, _side = _acting_org(actor=actor, procedure=procedure, side=side, roles=roles)
            run_guards(name, return_facts(procedure, **dict(facts_overrides or {})))
            extra = before(procedure, org) if before else None
            from_state = procedure.state
            method()
            procedure.save()
            _open_step(procedure, procedure.state)
            event = _event(
                procedure,
                actor=actor,
                transition=name,
                from_state=from_state,
                to_state=procedure.state,
                reason=reason,
                payload={"organisation": org.pk, **(payload or {}), **(extra or {})},
            )
            if after:
                after(procedure, event)
            _send(TRANSITION_SIGNALS[name], procedure, event, actor)
            return procedure
    except GuardFailed as exc:
        if exc.code != "transition_not_allowed" and not exc.fields:
            _blocked(procedure.pk, actor=actor, transition=name, exc=exc)
        raise


def _require_open(procedure: ReturnProcedure) -> None:
    if procedure.is_final:
        raise GuardFailed(
            "return_final",
            _("The procedure is %(state)s: nothing more is recorded on it.")
            % {"state": procedure.get_state_display()},
        )


def _org_in_country(org: Organisation, country: Country, field: str) -> None:
    if org.acts_for_country != country:
        raise ApplicationError(
            _("The organisation must act for %(country)s.") % {"country": country.name},
            fields={field: [_("Choose an organisation of that State.")]},
        )
