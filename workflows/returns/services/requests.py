"""The request of a return, its participants and the assignment of its steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Country, Organisation
from coordination.permissions import organisation_ids_for
from workflows.cases.models import Case
from workflows.returns import signals
from workflows.returns.guards import (
    guard_step_open,
)
from workflows.returns.models import (
    FINAL_STATES,
    ReturnProcedure,
    ReturnState,
    ReturnStep,
    Side,
)
from workflows.returns.permissions import RETURN_WORK_ROLES, return_grant
from workflows.returns.schedule import (
    clean_months,
)
from workflows.returns.selectors import (
    return_settings_for,
)

from .transitions import (
    _acting_org,
    _event,
    _lock,
    _open_step,
    _org_in_country,
    _require_open,
    _send,
)

__all__ = [
    "return_participant_add",
    "return_request",
    "return_step_assign",
]


# ---- request and participants -------------------------------------------------------------------


@transaction.atomic
def return_request(
    *,
    case: Case,
    receiving_country: Country,
    returning_authority: Organisation,
    receiving_authority: Organisation,
    actor: Any,
    monitoring_months: Iterable[int] | None = None,
    reason: str = "",
) -> ReturnProcedure:
    """Open a return procedure for the case's person, from the State where they were identified to
    `receiving_country`. Only case officers or supervisors of the case's holding organisation may.
    Grants both lead authorities and the holding organisation sight of the procedure."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.owner_id not in organisation_ids_for(actor, RETURN_WORK_ROLES):
        raise PermissionDenied(_("Only the organisation holding the case requests its return."))
    if case.is_closed:
        raise GuardFailed("case_closed", _("The case is closed."))
    returning_country = case.country_of_identification
    if receiving_country == returning_country:
        raise ApplicationError(
            _("The receiving State must differ from the returning State."),
            fields={"receiving_country": [_("Choose another State.")]},
        )
    _org_in_country(returning_authority, returning_country, "returning_authority")
    _org_in_country(receiving_authority, receiving_country, "receiving_authority")
    active = ReturnProcedure.objects.filter(case=case).exclude(state__in=FINAL_STATES)
    if active.exists():
        raise GuardFailed(
            "return_already_open", _("This case already has a return procedure under way.")
        )
    settings_ = return_settings_for(returning_country.pk)
    try:
        months = clean_months(monitoring_months or settings_.monitoring_months)
    except ValueError as exc:
        raise ApplicationError(str(exc), fields={"monitoring_months": [str(exc)]}) from exc
    procedure = ReturnProcedure.objects.create(
        case=case,
        returning_country=returning_country,
        receiving_country=receiving_country,
        returning_authority=returning_authority,
        receiving_authority=receiving_authority,
        requested_by=actor,
        monitoring_months=list(months),
    )
    return_grant(procedure=procedure, organisation=case.owner, side=Side.RETURNING)
    return_grant(procedure=procedure, organisation=returning_authority, side=Side.RETURNING)
    return_grant(procedure=procedure, organisation=receiving_authority, side=Side.RECEIVING)
    _open_step(procedure, ReturnState.REQUESTED)
    event = _event(
        procedure,
        actor=actor,
        transition="request",
        from_state="",
        to_state=ReturnState.REQUESTED,
        reason=reason,
        payload={
            "returning_country": returning_country.pk,
            "receiving_country": receiving_country.pk,
        },
    )
    _send(signals.return_requested, procedure, event, actor)
    return procedure


@transaction.atomic
def return_participant_add(
    *, procedure: ReturnProcedure, organisation: Organisation, actor: Any
) -> ReturnProcedure:
    """Involve another organisation of the actor's own State (a shelter, a service provider)."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _org, side = _acting_org(actor=actor, procedure=procedure)
    country = procedure.returning_country if side == Side.RETURNING else procedure.receiving_country
    if organisation.acts_for_country != country and organisation.country_id is not None:
        raise ApplicationError(
            _("An organisation is added by its own State's side."),
            fields={"organisation": [_("Choose an organisation of your State.")]},
        )
    return_grant(procedure=procedure, organisation=organisation, side=side)
    _event(
        procedure,
        actor=actor,
        transition="participant_added",
        payload={"organisation": organisation.pk, "side": side},
    )
    return procedure


@transaction.atomic
def return_step_assign(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    organisation: Organisation | None = None,
    due_on: dt.date | None = None,
) -> ReturnStep:
    """Name the actor's side's responsible organisation for the current step, or its due date.
    Only the current step: a past step is never edited."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _org, side = _acting_org(actor=actor, procedure=procedure)
    step = procedure.steps.filter(left_at__isnull=True).order_by("-id").first()
    guard_step_open(is_open=step is not None)
    assert step is not None
    changes: dict[str, Any] = {}
    if organisation is not None:
        country = (
            procedure.returning_country if side == Side.RETURNING else procedure.receiving_country
        )
        _org_in_country(organisation, country, "organisation")
        return_grant(procedure=procedure, organisation=organisation, side=side)
        field = "returning_organisation" if side == Side.RETURNING else "receiving_organisation"
        setattr(step, field, organisation)
        changes[field] = organisation.pk
    if due_on is not None:
        if due_on < timezone.localdate():
            raise ApplicationError(
                _("A due date cannot be in the past."),
                fields={"due_on": [_("A due date cannot be in the past.")]},
            )
        step.due_on = due_on
        step.overdue_alerted_at = None
        changes["due_on"] = due_on.isoformat()
    if not changes:
        raise ApplicationError(
            _("Name an organisation or a due date."), fields={"organisation": [_("Required.")]}
        )
    step.save()
    _event(
        procedure, actor=actor, transition="step_assigned", payload={"step": step.state, **changes}
    )
    return step
