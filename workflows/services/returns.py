"""Writes of return procedures. Each service is atomic, locks the procedure row, checks who acts
(their organisation takes part on the right side, in a case-work role), runs the named safeguards
(workflows.guards.returns), makes the django-fsm transition, saves, writes one ReturnEvent and
sends the domain signal, all in one transaction. A refused transition also leaves a `blocked` event
and sends `return_blocked`, in a transaction of its own (the refused change itself rolls back).

No identifying detail of the person goes into an event payload, a signal or an error message.
"""

from __future__ import annotations

import datetime as dt
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
from coordination.models import Country, Organisation, OrganisationKind, Role
from coordination.permissions import organisation_ids_for
from workflows import signals
from workflows.guards.returns import (
    guard_date_not_future,
    guard_grounds_given,
    guard_step_open,
    run_guards,
)
from workflows.models import Case
from workflows.models.returns import (
    FINAL_STATES,
    AlertKind,
    AlternativeKind,
    ArrangementApproval,
    DecisionOutcome,
    LegalBasisArrangement,
    MonitoringVisit,
    OnSiteAssessment,
    ProceedingsCheck,
    ReceptionConfirmation,
    ReceptionKind,
    ReintegrationService,
    ReturnAlert,
    ReturnConsent,
    ReturnDecision,
    ReturnEvent,
    ReturnProcedure,
    ReturnRiskFactor,
    ReturnState,
    ReturnStep,
    RiskAssessment,
    RiskContribution,
    RiskRating,
    ServiceKind,
    ServiceStatus,
    Side,
    TravelDocument,
    TravelDocumentKind,
)
from workflows.returns.permissions import RETURN_WORK_ROLES, return_grant
from workflows.returns.risk import combined_ratings, overall_level, required_factors
from workflows.returns.schedule import (
    ALARMING_OUTCOMES,
    OUTCOME_CHOICES,
    clean_months,
    is_missed,
    visit_due_dates,
)
from workflows.selectors.returns import (
    alert_organisations,
    latest_assessment,
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


# ---- monitoring ---------------------------------------------------------------------------------


@transaction.atomic
def monitoring_schedule_set(
    *, procedure: ReturnProcedure, actor: Any, months: Iterable[int]
) -> ReturnProcedure:
    """Set the case's monitoring schedule (months after handover) before monitoring starts."""
    procedure = _lock(procedure)
    _require_open(procedure)
    _acting_org(actor=actor, procedure=procedure)
    if procedure.state == ReturnState.MONITORING:
        raise GuardFailed(
            "return_schedule_fixed", _("Monitoring has started: its schedule is fixed.")
        )
    try:
        values = clean_months(months)
    except ValueError as exc:
        raise ApplicationError(str(exc), fields={"months": [str(exc)]}) from exc
    procedure.monitoring_months = list(values)
    procedure.save(update_fields=["monitoring_months"])
    _event(procedure, actor=actor, transition="schedule_set", payload={"months": list(values)})
    return procedure


def return_start_monitoring(
    *, procedure: ReturnProcedure, actor: Any, reason: str = ""
) -> ReturnProcedure:
    """handed_over → monitoring: the visits are scheduled from the handover date."""

    def before(p: ReturnProcedure, org: Organisation) -> dict[str, Any]:
        base = timezone.localdate(p.handed_over_at) if p.handed_over_at else timezone.localdate()
        visits = [
            MonitoringVisit(procedure=p, months_after=m, due_on=due, organisation=org)
            for m, due in visit_due_dates(base, p.monitoring_months)
        ]
        MonitoringVisit.objects.bulk_create(visits)
        return {"visits": [v.months_after for v in visits]}

    return _transition(
        procedure,
        "start_monitoring",
        actor=actor,
        side=Side.RECEIVING,
        reason=reason,
        before=before,
    )


def _alert(
    procedure: ReturnProcedure,
    *,
    kind: str,
    visit: MonitoringVisit | None = None,
    step: ReturnStep | None = None,
) -> ReturnAlert:
    alert = ReturnAlert.objects.create(procedure=procedure, kind=kind, visit=visit, step=step)
    alert.organisations.set(alert_organisations(procedure))
    return alert


@transaction.atomic
def monitoring_visit_record(
    *,
    procedure: ReturnProcedure,
    visit: MonitoringVisit,
    actor: Any,
    outcome: str,
    visited_on: dt.date,
    notes: str = "",
) -> MonitoringVisit:
    """A visit's outcome, recorded once; concerns, re-trafficking risk or lost contact alert both
    States (seed 004:355)."""
    procedure = _lock(procedure)
    if procedure.state != ReturnState.MONITORING:
        raise GuardFailed("return_not_monitoring", _("Visits are recorded during monitoring."))
    _acting_org(actor=actor, procedure=procedure)
    locked = MonitoringVisit.objects.select_for_update().filter(pk=visit.pk, procedure=procedure)
    visit = locked.first()  # type: ignore[assignment]
    if visit is None:
        raise ApplicationError(
            _("No such visit in this procedure."), fields={"visit": [_("Unknown visit.")]}
        )
    if visit.outcome:
        raise GuardFailed("return_visit_recorded", _("This visit's outcome is already recorded."))
    if outcome not in dict(OUTCOME_CHOICES):
        raise ApplicationError(
            _("Choose an outcome."), fields={"outcome": [_("Choose a valid outcome.")]}
        )
    guard_date_not_future(value=visited_on, field_name="visited_on", today=timezone.localdate())
    visit.outcome = outcome
    visit.visited_on = visited_on
    visit.notes = notes
    visit.recorded_by = actor
    visit.recorded_at = timezone.now()
    visit.save()
    event = _event(
        procedure,
        actor=actor,
        transition="visit_recorded",
        payload={"visit": visit.pk, "months_after": visit.months_after, "outcome": outcome},
    )
    if outcome in ALARMING_OUTCOMES:
        _alert(procedure, kind=AlertKind.VISIT_ALARMING, visit=visit)
        _send(signals.monitoring_visit_alarming, procedure, event, actor, visit=visit)
    return visit


@transaction.atomic
def monitoring_visit_mark_missed(*, visit_id: int, today: dt.date | None = None) -> bool:
    """Mark a visit missed (no outcome `grace_days` after its due date) and alert both States.
    Safe to run twice: a visit is marked once. Returns whether it was marked now."""
    visit = MonitoringVisit.objects.select_for_update().select_related("procedure").get(pk=visit_id)
    procedure = visit.procedure
    today = today or timezone.localdate()
    grace = return_settings_for(procedure.returning_country_id).grace_days
    if visit.missed_at is not None or not is_missed(
        due_on=visit.due_on, outcome=visit.outcome, today=today, grace_days=grace
    ):
        return False
    visit.missed_at = timezone.now()
    visit.save(update_fields=["missed_at"])
    event = _event(
        procedure,
        actor=None,
        transition="visit_missed",
        payload={
            "visit": visit.pk,
            "months_after": visit.months_after,
            "due_on": visit.due_on.isoformat(),
        },
    )
    _alert(procedure, kind=AlertKind.VISIT_MISSED, visit=visit)
    _send(signals.monitoring_visit_missed, procedure, event, None, visit=visit)
    return True


@transaction.atomic
def return_step_mark_overdue(*, step_id: int, today: dt.date | None = None) -> bool:
    """Alert both States once that the current step passed its due date. Safe to run twice."""
    step = ReturnStep.objects.select_for_update().select_related("procedure").get(pk=step_id)
    today = today or timezone.localdate()
    if step.overdue_alerted_at is not None or not step.is_overdue(today):
        return False
    step.overdue_alerted_at = timezone.now()
    step.save(update_fields=["overdue_alerted_at"])
    procedure = step.procedure
    event = _event(
        procedure,
        actor=None,
        transition="step_overdue",
        payload={"step": step.state, "due_on": step.due_on.isoformat() if step.due_on else None},
    )
    _alert(procedure, kind=AlertKind.STEP_OVERDUE, step=step)
    _send(signals.return_step_due, procedure, event, None, step=step)
    return True


def return_close(*, procedure: ReturnProcedure, actor: Any, reason: str = "") -> ReturnProcedure:
    """monitoring → closed once every visit has an outcome or was marked missed."""
    return _transition(procedure, "close", actor=actor, side=None, reason=reason)


__all__ = [
    "monitoring_schedule_set",
    "monitoring_visit_mark_missed",
    "monitoring_visit_record",
    "reintegration_service_add",
    "reintegration_service_set_status",
    "return_approve",
    "return_arrangement_approve",
    "return_arrangement_record",
    "return_cancel",
    "return_close",
    "return_consent_record",
    "return_consent_withdraw",
    "return_depart",
    "return_grant_alternative",
    "return_hand_over",
    "return_on_site_assessment_record",
    "return_participant_add",
    "return_proceedings_record",
    "return_reassess",
    "return_reception_confirm",
    "return_request",
    "return_start_assessment",
    "return_start_monitoring",
    "return_step_assign",
    "return_step_mark_overdue",
    "return_submit_for_decision",
    "risk_contribution_submit",
    "travel_document_record",
]


def return_monitoring_sweep(*, today: dt.date | None = None) -> int:
    """Mark every visit missed whose grace period has passed without an outcome (each in its own
    transaction; safe to run twice). Returns how many were marked now."""
    today = today or timezone.localdate()
    candidates = MonitoringVisit.objects.filter(
        outcome="",
        missed_at__isnull=True,
        due_on__lt=today,
        procedure__state=ReturnState.MONITORING,
    ).values_list("pk", flat=True)
    return sum(
        1 for pk in list(candidates) if monitoring_visit_mark_missed(visit_id=pk, today=today)
    )


def return_steps_overdue_sweep(*, today: dt.date | None = None) -> int:
    """Alert both States once for every current step past its due date. Safe to run twice."""
    today = today or timezone.localdate()
    candidates = ReturnStep.objects.filter(
        left_at__isnull=True, due_on__lt=today, overdue_alerted_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(candidates) if return_step_mark_overdue(step_id=pk, today=today))
