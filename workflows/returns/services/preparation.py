"""Preparation and travel: the reintegration plan, travel documents, departure and handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError
from coordination.models import Organisation
from workflows.returns.guards import (
    guard_date_not_future,
)
from workflows.returns.models import (
    ReintegrationService,
    ReturnProcedure,
    ServiceKind,
    ServiceStatus,
    Side,
    TravelDocument,
    TravelDocumentKind,
)
from workflows.returns.permissions import return_grant

from .transitions import _acting_org, _event, _lock, _require_open, _transition

__all__ = [
    "reintegration_service_add",
    "reintegration_service_set_status",
    "return_depart",
    "return_hand_over",
    "travel_document_record",
]


# ---- preparation: reintegration plan and travel documents ---------------------------------------


@transaction.atomic
def reintegration_service_add(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    kind: str,
    provider: Organisation,
    notes: str = "",
    status: str = ServiceStatus.PLANNED,
) -> ReintegrationService:
    """A service of the reintegration plan (seed 004:356, 004:408). The provider takes part (on
    the side of its State) from now on."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _acting_org(actor=actor, procedure=procedure)
    if kind not in ServiceKind.values:
        raise ApplicationError(
            _("Choose a service."), fields={"kind": [_("Choose a valid service.")]}
        )
    if status not in ServiceStatus.values:
        raise ApplicationError(
            _("Choose a status."), fields={"status": [_("Choose a valid status.")]}
        )
    provider_country = provider.acts_for_country
    if provider_country == procedure.returning_country:
        provider_side = Side.RETURNING
    elif provider_country == procedure.receiving_country or provider_country is None:
        provider_side = Side.RECEIVING
    else:
        raise ApplicationError(
            _("The provider works in one of the two States."),
            fields={"provider": [_("Choose an organisation of one of the two States.")]},
        )
    return_grant(procedure=procedure, organisation=provider, side=provider_side)
    row = ReintegrationService.objects.create(
        procedure=procedure,
        kind=kind,
        provider=provider,
        status=status,
        notes=notes,
        created_by=actor,
    )
    _event(
        procedure,
        actor=actor,
        transition="service_added",
        payload={"service": row.pk, "kind": kind, "provider": provider.pk, "status": status},
    )
    return row


@transaction.atomic
def reintegration_service_set_status(
    *, procedure: ReturnProcedure, service: ReintegrationService, actor: Any, status: str
) -> ReintegrationService:
    """A status change of one service (its history is the event rows)."""
    procedure = _lock(procedure)
    _acting_org(actor=actor, procedure=procedure)
    if service.procedure_id != procedure.pk:
        raise ApplicationError(
            _("No such service in this plan."), fields={"service": [_("Unknown.")]}
        )
    if status not in ServiceStatus.values:
        raise ApplicationError(
            _("Choose a status."), fields={"status": [_("Choose a valid status.")]}
        )
    before = service.status
    service.status = status
    service.updated_at = timezone.now()
    service.save(update_fields=["status", "updated_at"])
    _event(
        procedure,
        actor=actor,
        transition="service_status",
        payload={"service": service.pk, "from": before, "to": status},
    )
    return service


@transaction.atomic
def travel_document_record(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    kind: str,
    issuing_organisation: Organisation,
    issued_on: dt.date,
    valid_until: dt.date | None = None,
) -> TravelDocument:
    """A travel document issued for the return (seed 001:483 OBJ, 004:408); no number here."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _acting_org(actor=actor, procedure=procedure)
    if kind not in TravelDocumentKind.values:
        raise ApplicationError(
            _("Choose a document."), fields={"kind": [_("Choose a valid document.")]}
        )
    guard_date_not_future(value=issued_on, field_name="issued_on", today=timezone.localdate())
    if valid_until is not None and valid_until < issued_on:
        raise ApplicationError(
            _("A document is valid after it was issued."),
            fields={"valid_until": [_("Must be on or after the issue date.")]},
        )
    row = TravelDocument.objects.create(
        procedure=procedure,
        kind=kind,
        issuing_organisation=issuing_organisation,
        issued_on=issued_on,
        valid_until=valid_until,
        recorded_by=actor,
    )
    _event(procedure, actor=actor, transition="travel_document_recorded", payload={"kind": kind})
    return row


def return_depart(*, procedure: ReturnProcedure, actor: Any, reason: str = "") -> ReturnProcedure:
    """preparation → travel: every safeguard again, plus reception confirmed, reintegration plan
    and travel documents."""
    return _transition(procedure, "depart", actor=actor, side=Side.RETURNING, reason=reason)


def return_hand_over(
    *, procedure: ReturnProcedure, actor: Any, reason: str = ""
) -> ReturnProcedure:
    """travel → handed_over, recorded by the receiving State."""
    return _transition(procedure, "hand_over", actor=actor, side=Side.RECEIVING, reason=reason)
