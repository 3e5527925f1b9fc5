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
from workflows.guards.returns import ChecklistItem, ReturnFacts, guard_checklist
from workflows.models.returns import (
    ReceptionKind,
    ReturnParticipant,
    ReturnProcedure,
    ReturnProcedureGroupObjectPermission,
    ReturnRiskFactor,
    ReturnRiskPolicy,
    RiskAssessment,
    RiskContribution,
    RiskRating,
    Side,
)
from workflows.returns import coverage
from workflows.returns.risk import (
    DEFAULT_CRITICAL_FACTORS,
    DEFAULT_ESCALATION_COUNT,
    RiskPolicy,
)
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
            critical_factors=tuple(row.critical_factors or DEFAULT_CRITICAL_FACTORS),
            escalation_count=row.escalation_count or DEFAULT_ESCALATION_COUNT,
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


def risk_factors() -> list[ReturnRiskFactor]:
    return list(ReturnRiskFactor.objects.all())


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
