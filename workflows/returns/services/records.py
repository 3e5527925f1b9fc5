"""The records the safeguards read: consent, criminal proceedings, on-site assessment, reception
confirmation and the legal basis of the return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Organisation, OrganisationKind, Role
from workflows.returns.guards import (
    guard_date_not_future,
)
from workflows.returns.models import (
    ArrangementApproval,
    LegalBasisArrangement,
    OnSiteAssessment,
    ProceedingsCheck,
    ReceptionConfirmation,
    ReceptionKind,
    ReturnConsent,
    ReturnProcedure,
    Side,
)
from workflows.returns.permissions import RETURN_WORK_ROLES

from .transitions import _acting_org, _event, _lock, _require_open

__all__ = [
    "return_arrangement_approve",
    "return_arrangement_record",
    "return_consent_record",
    "return_consent_withdraw",
    "return_on_site_assessment_record",
    "return_proceedings_record",
    "return_reception_confirm",
]


# ---- records that the guards read ---------------------------------------------------------------


@transaction.atomic
def return_consent_record(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    language: str,
    informed_orally: bool,
    informed_in_writing: bool,
    interpreter_used: bool = False,
    given_on: dt.date | None = None,
) -> ReturnConsent:
    """The person's informed consent to return (seed 004:353; informed orally and in writing in a
    language they understand, seed 004:466)."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _acting_org(actor=actor, procedure=procedure, side=Side.RETURNING)
    fields: dict[str, list[str]] = {}
    if not (language or "").strip():
        fields["language"] = [_("Name the language the person was informed in.")]
    if not (informed_orally and informed_in_writing):
        fields["informed_in_writing"] = [
            _("The person is informed orally and in writing (seed 004:466).")
        ]
    if fields:
        raise ApplicationError(_("Informed consent is incomplete."), fields=fields)
    given_on = given_on or timezone.localdate()
    guard_date_not_future(value=given_on, field_name="given_on", today=timezone.localdate())
    consent = ReturnConsent.objects.create(
        procedure=procedure,
        given_on=given_on,
        informed_orally=informed_orally,
        informed_in_writing=informed_in_writing,
        language=language.strip(),
        interpreter_used=interpreter_used,
        recorded_by=actor,
    )
    _event(procedure, actor=actor, transition="consent_recorded", payload={"consent": consent.pk})
    return consent


@transaction.atomic
def return_consent_withdraw(
    *, procedure: ReturnProcedure, actor: Any, reason: str = ""
) -> ReturnConsent:
    """The person withdraws consent: no further step of the return may be taken."""
    procedure = _lock(procedure)
    _acting_org(actor=actor, procedure=procedure)
    consent = procedure.consents.filter(withdrawn_at__isnull=True).order_by("-recorded_at").first()
    if consent is None:
        raise GuardFailed("return_no_consent", _("There is no consent to withdraw."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _event(
        procedure,
        actor=actor,
        transition="consent_withdrawn",
        reason=reason,
        payload={"consent": consent.pk},
    )
    return consent


@transaction.atomic
def return_proceedings_record(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    proceedings_ongoing: bool,
    person_requests_return: bool = False,
    prosecution: Organisation | None = None,
    consulted_on: dt.date | None = None,
    prosecution_view: str = "",
) -> ProceedingsCheck:
    """Whether judicial proceedings involving the person are ongoing (seed 001:483 MEAS)."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _acting_org(actor=actor, procedure=procedure, side=Side.RETURNING)
    if prosecution is not None and prosecution.kind != OrganisationKind.PROSECUTION:
        raise ApplicationError(
            _("Choose a prosecution or judicial organisation."),
            fields={"prosecution": [_("Not a prosecution or judicial organisation.")]},
        )
    if (prosecution is None) != (consulted_on is None):
        raise ApplicationError(
            _("A consultation names the prosecution and its date."),
            fields={"consulted_on": [_("Give both the prosecution and the date.")]},
        )
    guard_date_not_future(value=consulted_on, field_name="consulted_on", today=timezone.localdate())
    check = ProceedingsCheck.objects.create(
        procedure=procedure,
        proceedings_ongoing=proceedings_ongoing,
        person_requests_return=person_requests_return,
        prosecution=prosecution,
        consulted_on=consulted_on,
        prosecution_view=prosecution_view,
        recorded_by=actor,
    )
    _event(
        procedure,
        actor=actor,
        transition="proceedings_recorded",
        payload={
            "ongoing": proceedings_ongoing,
            "person_requests_return": person_requests_return,
            "prosecution_consulted": prosecution is not None,
        },
    )
    return check


@transaction.atomic
def return_on_site_assessment_record(
    *,
    procedure: ReturnProcedure,
    actor: Any,
    assessed_on: dt.date,
    favours_return: bool,
    findings: str,
) -> OnSiteAssessment:
    """For a child: the receiving State's on-site assessment of best interests and conditions of
    return (seed 001:472 MEAS)."""
    procedure = _lock(procedure)
    _require_open(procedure)
    org, _side = _acting_org(actor=actor, procedure=procedure, side=Side.RECEIVING)
    if not (findings or "").strip():
        raise ApplicationError(
            _("Record the findings."), fields={"findings": [_("This field is required.")]}
        )
    guard_date_not_future(value=assessed_on, field_name="assessed_on", today=timezone.localdate())
    row = OnSiteAssessment.objects.create(
        procedure=procedure,
        organisation=org,
        assessed_on=assessed_on,
        favours_return=favours_return,
        findings=findings,
        recorded_by=actor,
    )
    _event(
        procedure,
        actor=actor,
        transition="on_site_assessment_recorded",
        payload={"favours_return": favours_return, "organisation": org.pk},
    )
    return row


@transaction.atomic
def return_reception_confirm(
    *, procedure: ReturnProcedure, actor: Any, kind: str, arrangements: str = ""
) -> ReceptionConfirmation:
    """The receiving State confirms reception, or (kind child_protection) its child protection
    authority accepts the child (seed 004:408, 004:314)."""
    procedure = _lock(procedure)
    _require_open(procedure)
    if kind not in ReceptionKind.values:
        raise ApplicationError(
            _("Unknown confirmation."), fields={"kind": [_("Choose a valid kind.")]}
        )
    roles = RETURN_WORK_ROLES
    org, _side = _acting_org(actor=actor, procedure=procedure, side=Side.RECEIVING, roles=roles)
    if kind == ReceptionKind.CHILD_PROTECTION and org.kind != OrganisationKind.CHILD_PROTECTION:
        raise PermissionDenied(
            _("Only the receiving State's child protection authority accepts a child.")
        )
    row = ReceptionConfirmation.objects.create(
        procedure=procedure,
        kind=kind,
        organisation=org,
        arrangements=arrangements,
        recorded_by=actor,
    )
    _event(
        procedure,
        actor=actor,
        transition="reception_confirmed",
        payload={"kind": kind, "organisation": org.pk},
    )
    return row


@transaction.atomic
def return_arrangement_record(
    *, procedure: ReturnProcedure, actor: Any, description: str
) -> LegalBasisArrangement:
    """An ad-hoc arrangement where no agreement in force covers the return; it counts once a
    supervisor of each side has approved it."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _acting_org(actor=actor, procedure=procedure)
    if not (description or "").strip():
        raise ApplicationError(
            _("Describe the arrangement."), fields={"description": [_("This field is required.")]}
        )
    row = LegalBasisArrangement.objects.create(
        procedure=procedure, description=description, recorded_by=actor
    )
    _event(
        procedure, actor=actor, transition="arrangement_recorded", payload={"arrangement": row.pk}
    )
    return row


@transaction.atomic
def return_arrangement_approve(*, procedure: ReturnProcedure, actor: Any) -> ArrangementApproval:
    """A supervisor of the actor's side approves the latest ad-hoc arrangement."""
    procedure = _lock(procedure)
    _require_open(procedure)
    org, side = _acting_org(actor=actor, procedure=procedure, roles=[Role.SUPERVISOR])
    arrangement = procedure.arrangements.first()
    if arrangement is None:
        raise GuardFailed("return_no_arrangement", _("No ad-hoc arrangement is recorded."))
    if arrangement.approvals.filter(side=side).exists():
        raise GuardFailed("return_arrangement_approved", _("Your side has already approved it."))
    row = ArrangementApproval.objects.create(
        arrangement=arrangement, side=side, organisation=org, approved_by=actor
    )
    _event(
        procedure,
        actor=actor,
        transition="arrangement_approved",
        payload={"arrangement": arrangement.pk, "side": side, "organisation": org.pk},
    )
    return row
