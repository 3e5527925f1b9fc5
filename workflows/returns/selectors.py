"""Reads of return procedures: visibility (hidden is 404), the facts the guards read, the guard
checklist, the risk assessment as each side may see it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from coordination.models import Organisation
from coordination.permissions import organisation_ids_for
from workflows.returns import coverage
from workflows.returns.guards import ChecklistItem, ReturnFacts, guard_checklist
from workflows.returns.models import (
    ReceptionKind,
    ReturnParticipant,
    ReturnProcedure,
    ReturnProcedureGroupObjectPermission,
    ReturnRiskPolicy,
    ReturnState,
    RiskAssessment,
    RiskContribution,
    RiskRating,
    Side,
)
from workflows.returns.risk import RiskPolicy
from workflows.returns.schedule import DEFAULT_GRACE_DAYS, DEFAULT_MONTHS

# ---- visibility ---------------------------------------------------------------------------------


def _granted_ids(org_ids: set[int]) -> QuerySet[Any]:
    return ReturnProcedureGroupObjectPermission.objects.filter(
        group__organisation__id__in=org_ids, permission__codename="view_returnprocedure"
    ).values("content_object_id")


def returns_visible_to(*, user: Any) -> QuerySet[ReturnProcedure]:
    """Procedures one of the user's organisations is involved in (a guardian grant)."""
    org_ids = organisation_ids_for(user)
    if not org_ids:
        return ReturnProcedure.objects.none()
    return ReturnProcedure.objects.filter(pk__in=_granted_ids(org_ids)).select_related(
        "case",
        "returning_country",
        "receiving_country",
        "returning_authority",
        "receiving_authority",
    )


def return_get_visible(*, user: Any, pk: int | str) -> ReturnProcedure:
    """The procedure, or Http404 if the user may not see it (or it does not exist)."""
    try:
        return returns_visible_to(user=user).get(pk=int(pk))
    except (ReturnProcedure.DoesNotExist, ValueError, TypeError):
        raise Http404("No such return procedure.") from None


def user_sides(*, user: Any, procedure: ReturnProcedure) -> set[str]:
    org_ids = organisation_ids_for(user)
    return set(
        ReturnParticipant.objects.filter(
            procedure=procedure, organisation_id__in=org_ids
        ).values_list("side", flat=True)
    )


# ---- settings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnSettings:
    risk: RiskPolicy
    monitoring_months: tuple[int, ...]
    grace_days: int
    step_due_days: dict[str, int]


DEFAULT_STEP_DUE_DAYS = {
    "requested": 7,
    "risk_assessment": 30,
    "decision": 14,
    "preparation": 30,
    "travel": 3,
    "handed_over": 7,
}


def return_settings_for(country_id: str | None) -> ReturnSettings:
    """The returning State's settings (ReturnRiskPolicy), or the defaults."""
    row = ReturnRiskPolicy.objects.filter(country_id=country_id).first()
    if row is None:
        return ReturnSettings(
            risk=RiskPolicy(),
            monitoring_months=DEFAULT_MONTHS,
            grace_days=DEFAULT_GRACE_DAYS,
            step_due_days=dict(DEFAULT_STEP_DUE_DAYS),
        )
    return ReturnSettings(
        risk=RiskPolicy(
            critical_factors=tuple(row.critical_factors),
            escalation_count=row.escalation_count,
        ),
        monitoring_months=tuple(row.monitoring_months or DEFAULT_MONTHS),
        grace_days=row.monitoring_grace_days,
        step_due_days={**DEFAULT_STEP_DUE_DAYS, **(row.step_due_days or {})},
    )


# ---- facts for the guards -----------------------------------------------------------------------


def latest_assessment(procedure: ReturnProcedure) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(procedure=procedure)
        .prefetch_related("contributions")
        .order_by("-version")
        .first()
    )


def _case_protection_facts(case: Any) -> dict[str, Any]:
    """Reflection period, guardian and best-interests determination, read from the case."""
    today = timezone.localdate()
    facts: dict[str, Any] = {}
    period = case.reflection_periods.order_by("-started_on", "-id").first()
    if period is not None:
        facts["reflection_running"] = period.is_running(today)
        facts["reflection_cut_short"] = (
            period.ended_on is not None
            and period.ended_on < period.ends_on
            and period.end_kind != "person_decision"
        )
    # seed 004:314: an accompanying adult suspected of involvement cannot represent the child.
    facts["guardian_appointed"] = (
        case.guardians.filter(ended_on__isnull=True)
        .exclude(is_accompanying_adult=True, involvement_assessed=False)
        .exists()
    )
    bid = case.best_interests.order_by("-determined_on", "-id").first()
    facts["bid_recorded"] = bid is not None
    facts["bid_favours_return"] = bool(bid is not None and bid.supports_return)
    return facts


def return_facts(procedure: ReturnProcedure, **overrides: Any) -> ReturnFacts:
    """Everything the guards read, from the database (a fixed number of queries)."""
    case = procedure.case
    consent = procedure.consents.order_by("-recorded_at", "-id").first()
    check = procedure.proceedings_checks.order_by("-recorded_at", "-id").first()
    on_site = procedure.on_site_assessments.order_by("-recorded_at", "-id").first()
    reception_kinds = set(procedure.receptions.values_list("kind", flat=True))
    assessment = latest_assessment(procedure)
    sides = {c.side for c in assessment.contributions.all()} if assessment else set()
    arrangement = procedure.arrangements.prefetch_related("approvals").first()
    approved_sides = {a.side for a in arrangement.approvals.all()} if arrangement else set()
    visits = list(procedure.monitoring_visits.values_list("outcome", "missed_at"))
    values: dict[str, Any] = {
        "is_child": case.is_or_may_be_child,
        "consent_recorded": consent is not None and consent.withdrawn_at is None,
        "consent_withdrawn": consent is not None and consent.withdrawn_at is not None,
        "asylum_status": case.asylum_status,
        "proceedings_checked": check is not None,
        "proceedings_ongoing": bool(check and check.proceedings_ongoing),
        "person_requests_return": bool(check and check.person_requests_return),
        "prosecution_consulted": bool(check and check.prosecution_id and check.consulted_on),
        "child_protection_accepted": ReceptionKind.CHILD_PROTECTION in reception_kinds,
        "on_site_assessment_recorded": on_site is not None,
        "on_site_assessment_favourable": bool(on_site and on_site.favours_return),
        "assessment_version": assessment.version if assessment else None,
        "returning_part_submitted": Side.RETURNING in sides,
        "receiving_part_submitted": Side.RECEIVING in sides,
        "overall_level": assessment.overall_level if assessment else "",
        "agreements_in_force": tuple(coverage.return_agreements_in_force(procedure=procedure)),
        "arrangement_recorded": arrangement is not None,
        "arrangement_approved_returning": Side.RETURNING in approved_sides,
        "arrangement_approved_receiving": Side.RECEIVING in approved_sides,
        "reception_confirmed": ReceptionKind.RECEPTION in reception_kinds,
        "reintegration_services": procedure.reintegration_services.count(),
        "travel_documents": procedure.travel_documents.count(),
        "visits_total": len(visits),
        "visits_open": sum(1 for outcome, missed in visits if not outcome and missed is None),
    }
    values.update(_case_protection_facts(case))
    facts = ReturnFacts(**values)
    return replace(facts, **overrides) if overrides else facts


def return_guard_checklist(*, procedure: ReturnProcedure) -> list[ChecklistItem]:
    return guard_checklist(return_facts(procedure))


# ---- the risk assessment as a side may see it ---------------------------------------------------


@dataclass
class AssessmentPart:
    side: str
    submitted: bool
    visible: bool
    contribution: RiskContribution | None


@dataclass
class AssessmentView:
    assessment: RiskAssessment
    parts: list[AssessmentPart]
    exchange_allowed: bool


def risk_assessments_for(*, user: Any, procedure: ReturnProcedure) -> list[AssessmentView]:
    """Every version, newest first, each State's part visible to the user's own side, and to the
    other side only when an agreement in force covers information exchange between the States."""
    sides = user_sides(user=user, procedure=procedure)
    exchange = coverage.information_exchange_allowed(procedure=procedure)
    assessments = (
        RiskAssessment.objects.filter(procedure=procedure)
        .order_by("-version")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=RiskContribution.objects.select_related("organisation").prefetch_related(
                    Prefetch("ratings", queryset=RiskRating.objects.select_related("factor"))
                ),
            )
        )
    )
    views = []
    for assessment in assessments:
        by_side = {c.side: c for c in assessment.contributions.all()}
        parts = []
        for side in (Side.RETURNING, Side.RECEIVING):
            visible = side in sides or exchange
            contribution = by_side.get(side)
            parts.append(
                AssessmentPart(
                    side=side,
                    submitted=contribution is not None,
                    visible=visible,
                    contribution=contribution if visible else None,
                )
            )
        views.append(AssessmentView(assessment=assessment, parts=parts, exchange_allowed=exchange))
    return views


def alert_organisations(procedure: ReturnProcedure) -> list[Organisation]:
    """Who an alert goes to: both States' lead authorities and every participant."""
    ids = set(procedure.participants.values_list("organisation_id", flat=True))
    ids |= {procedure.returning_authority_id, procedure.receiving_authority_id}
    return list(Organisation.objects.filter(pk__in=ids).order_by("pk"))


# ---- the procedure page / API detail ------------------------------------------------------------


def _org_ref(org: Organisation | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"id": org.pk, "name": org.name, "country": org.country_id, "kind": org.kind}


def return_detail(*, user: Any, procedure: ReturnProcedure) -> dict[str, Any]:
    """Everything the procedure page and the API show, as the user's side may see it.

    The other State's part of the risk assessment, the prosecution's view and the on-site findings
    are shown across sides only when an agreement in force covers information exchange between
    the two States; the case appears as its pseudonymous reference and non-identifying facts (to
    the receiving side without information exchange: the reference and whether a child only).
    No identifying detail of the person is ever part of it."""
    from workflows.returns.models import (
        RETURN_STEPS,
        AlertKind,
        MonitoringVisit,
        ReturnEvent,
        ReturnStep,
    )

    today = timezone.localdate()
    sides = user_sides(user=user, procedure=procedure)
    exchange = coverage.information_exchange_allowed(procedure=procedure)
    own_returning = Side.RETURNING in sides
    sees_returning_records = own_returning or exchange
    case = procedure.case
    case_info: dict[str, Any] = {
        "reference": case.reference,
        "is_child": case.is_or_may_be_child,
    }
    if sees_returning_records:
        case_info.update(
            {
                "gender": case.gender,
                "age_group": case.age_group,
                "minor_status": case.minor_status,
                "nationality": case.nationality_id,
                "exploitation_forms": case.exploitation_forms,
                "asylum_status": case.asylum_status,
            }
        )
    steps = list(
        ReturnStep.objects.filter(procedure=procedure)
        .select_related("returning_organisation", "receiving_organisation")
        .order_by("entered_at", "id")
    )
    last_by_state: dict[str, ReturnStep] = {}
    for step in steps:
        last_by_state[step.state] = step
    timeline = []
    labels = dict(ReturnState.choices)
    for state in RETURN_STEPS:
        last = last_by_state.get(state)
        timeline.append(
            {
                "state": state,
                "label": str(labels[state]),
                "current": procedure.state == state,
                "entered_at": last.entered_at if last else None,
                "left_at": last.left_at if last else None,
                "due_on": last.due_on if last else None,
                "overdue": bool(last and last.is_overdue(today)),
                "returning_organisation": _org_ref(last.returning_organisation) if last else None,
                "receiving_organisation": _org_ref(last.receiving_organisation) if last else None,
                "visits": sum(1 for s in steps if s.state == state),
            }
        )
    checklist = [
        {
            "name": i.name,
            "title": i.title,
            "holds": i.holds,
            "not_applicable": i.not_applicable,
            "code": i.code,
            "message": i.message,
            "seed": i.seed,
            "applies_to": list(i.applies_to),
        }
        for i in return_guard_checklist(procedure=procedure)
    ]
    assessments = []
    for view in risk_assessments_for(user=user, procedure=procedure):
        a = view.assessment
        parts = []
        for part in view.parts:
            entry: dict[str, Any] = {
                "side": part.side,
                "submitted": part.submitted,
                "visible": part.visible,
            }
            c = part.contribution
            if c is not None:
                entry.update(
                    {
                        "organisation": _org_ref(c.organisation),
                        "submitted_at": c.submitted_at,
                        "summary": c.summary,
                        "ratings": [
                            {
                                "factor": r.factor_id,
                                "name": r.factor.name,
                                "rating": r.rating,
                                "justification": r.justification,
                            }
                            for r in c.ratings.all()
                        ],
                    }
                )
            parts.append(entry)
        assessments.append(
            {
                "version": a.version,
                "opened_at": a.opened_at,
                "reason": a.reason,
                "completed_at": a.completed_at,
                "overall_level": a.overall_level,
                "parts": parts,
            }
        )
    decisions = [
        {
            "outcome": d.outcome,
            "assessment_version": d.assessment.version if d.assessment else None,
            "overall_level": d.overall_level,
            "alternative_kind": d.alternative_kind,
            "third_country": d.third_country_id,
            "grounds": d.grounds,
            "by_supervisor": d.by_supervisor,
            "decided_at": d.decided_at,
        }
        for d in procedure.decisions.select_related("assessment")
    ]
    consents = [
        {
            "given_on": c.given_on,
            "language": c.language,
            "informed_orally": c.informed_orally,
            "informed_in_writing": c.informed_in_writing,
            "interpreter_used": c.interpreter_used,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in procedure.consents.all()
    ]
    proceedings = [
        {
            "recorded_at": p.recorded_at,
            "proceedings_ongoing": p.proceedings_ongoing,
            "person_requests_return": p.person_requests_return,
            "prosecution": _org_ref(p.prosecution),
            "consulted_on": p.consulted_on,
            "prosecution_view": p.prosecution_view if sees_returning_records else None,
        }
        for p in procedure.proceedings_checks.select_related("prosecution")
    ]
    sees_receiving_records = Side.RECEIVING in sides or exchange
    on_site = [
        {
            "organisation": _org_ref(o.organisation),
            "assessed_on": o.assessed_on,
            "favours_return": o.favours_return,
            "findings": o.findings if sees_receiving_records else None,
        }
        for o in procedure.on_site_assessments.select_related("organisation")
    ]
    receptions = [
        {
            "kind": r.kind,
            "organisation": _org_ref(r.organisation),
            "confirmed_on": r.confirmed_on,
            "arrangements": r.arrangements,
        }
        for r in procedure.receptions.select_related("organisation")
    ]
    arrangements = [
        {
            "description": a.description,
            "recorded_at": a.recorded_at,
            "approvals": [
                {"side": ap.side, "organisation": _org_ref(ap.organisation), "at": ap.approved_at}
                for ap in a.approvals.all()
            ],
        }
        for a in procedure.arrangements.prefetch_related("approvals__organisation")
    ]
    services = [
        {
            "id": s.pk,
            "kind": s.kind,
            "kind_label": s.get_kind_display(),
            "provider": _org_ref(s.provider),
            "status": s.status,
            "status_label": s.get_status_display(),
            "notes": s.notes,
        }
        for s in procedure.reintegration_services.select_related("provider")
    ]
    documents = [
        {
            "kind": d.kind,
            "kind_label": d.get_kind_display(),
            "issuing_organisation": _org_ref(d.issuing_organisation),
            "issued_on": d.issued_on,
            "valid_until": d.valid_until,
        }
        for d in procedure.travel_documents.select_related("issuing_organisation")
    ]
    visits = [
        {
            "id": v.pk,
            "months_after": v.months_after,
            "due_on": v.due_on,
            "organisation": _org_ref(v.organisation),
            "visited_on": v.visited_on,
            "outcome": v.outcome,
            "outcome_label": v.get_outcome_display() if v.outcome else "",
            "missed": v.missed_at is not None,
            "overdue": not v.outcome and v.missed_at is None and v.due_on < today,
        }
        for v in MonitoringVisit.objects.filter(procedure=procedure).select_related("organisation")
    ]
    alerts = [
        {"kind": a.kind, "label": dict(AlertKind.choices)[a.kind], "raised_at": a.raised_at}
        for a in procedure.alerts.all()[:20]
    ]
    events = [
        {
            "occurred_at": e.occurred_at,
            "actor": e.actor.username if e.actor else None,
            "transition": e.transition,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
        }
        for e in ReturnEvent.objects.filter(procedure=procedure).select_related("actor")
    ]
    participants = [
        {"organisation": _org_ref(p.organisation), "side": p.side}
        for p in procedure.participants.select_related("organisation")
    ]
    settings_ = return_settings_for(procedure.returning_country_id)
    return {
        "id": procedure.pk,
        "reference": procedure.reference,
        "state": procedure.state,
        "state_label": procedure.get_state_display(),
        "your_sides": sorted(sides),
        "information_exchange": exchange,
        "case": case_info,
        "returning_country": {
            "code": procedure.returning_country_id,
            "name": procedure.returning_country.name,
        },
        "receiving_country": {
            "code": procedure.receiving_country_id,
            "name": procedure.receiving_country.name,
        },
        "returning_authority": _org_ref(procedure.returning_authority),
        "receiving_authority": _org_ref(procedure.receiving_authority),
        "requested_at": procedure.requested_at,
        "departed_at": procedure.departed_at,
        "handed_over_at": procedure.handed_over_at,
        "closed_at": procedure.closed_at,
        "monitoring_months": procedure.monitoring_months,
        "risk_policy": {
            "critical_factors": list(settings_.risk.critical_factors),
            "escalation_count": settings_.risk.escalation_count,
        },
        "participants": participants,
        "timeline": timeline,
        "checklist": checklist,
        "risk_assessments": assessments,
        "decisions": decisions,
        "consents": consents,
        "proceedings_checks": proceedings,
        "on_site_assessments": on_site,
        "receptions": receptions,
        "arrangements": arrangements,
        "reintegration_services": services,
        "travel_documents": documents,
        "monitoring_visits": visits,
        "alerts": alerts,
        "events": events,
    }
