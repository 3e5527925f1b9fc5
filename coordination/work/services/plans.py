"""The national action plan: drafting, measures and their indicators, adoption,
implementation, review, progress reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import ApplicationError
from concord.events import record_event
from coordination.models import CoordinationBody, Organisation
from coordination.work.models import (
    ActionPlan,
    ActionPlanEvent,
    FrameworkItem,
    FrameworkRow,
    MeasureIndicator,
    PlanMeasure,
    ProgressReport,
)

from .. import guards, signals
from ..evidence import validate_evidence_file
from ..permissions import (
    can_edit_body,
    can_report_on_measure,
    grant_measure_owner,
)
from .common import (
    _apply_changes,
    _fitting_text,
    _reject_unknown,
    _require_secretariat,
    _require_state,
    _required_text,
)

__all__ = [
    "action_plan_adopt",
    "action_plan_close_review",
    "action_plan_create",
    "action_plan_open_review",
    "action_plan_start_implementation",
    "action_plan_update",
    "action_plan_update_details",
    "measure_indicator_add",
    "plan_measure_add",
    "plan_measure_update",
    "progress_report_add",
]


# --- action plans --------------------------------------------------------------------------------


PLAN_FIELDS = ("title", "period_start", "period_end", "funding_requirements", "funding_sources")


@transaction.atomic
def action_plan_create(
    *,
    body: CoordinationBody,
    title: str,
    period_start: date | None = None,
    period_end: date | None = None,
    funding_requirements: str = "",
    funding_sources: str = "",
    actor: Any,
) -> ActionPlan:
    _require_secretariat(actor, body.pk)
    title = _required_text(title, "title")
    _check_period(period_start, period_end)
    plan = ActionPlan.objects.create(
        body=body,
        title=title,
        period_start=period_start,
        period_end=period_end,
        funding_requirements=funding_requirements,
        funding_sources=funding_sources,
    )
    record_event(ActionPlanEvent, plan=plan, actor=actor, transition="create", to_state=plan.state)
    return plan


def _check_period(start: date | None, end: date | None) -> None:
    if start and end and end <= start:
        raise ApplicationError(
            _("The period must end after it starts."),
            fields={"period_end": [_("Must be after the start.")]},
        )


def _lock_plan(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().get(pk=plan.pk)


@transaction.atomic
def action_plan_update_details(*, plan: ActionPlan, actor: Any, **changes: Any) -> ActionPlan:
    plan = _lock_plan(plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown fields."), fields={k: [_("Not a plan field.")] for k in sorted(unknown)}
        )
    for key, value in changes.items():
        setattr(plan, key, value)
    if "title" in changes:
        plan.title = _required_text(plan.title, "title")
    _check_period(plan.period_start, plan.period_end)
    plan.save()
    record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="edit",
        from_state=plan.state,
        to_state=plan.state,
        payload={"fields": sorted(changes)},
    )
    return plan


@transaction.atomic
def plan_measure_add(
    *,
    plan: ActionPlan,
    framework_row: FrameworkRow,
    title: str,
    owner: Organisation,
    target: str = "",
    due_on: date | None = None,
    budget_line: str = "",
    budget_amount: Decimal | None = None,
    framework_measure: FrameworkItem | None = None,
    actor: Any,
) -> PlanMeasure:
    plan = _lock_plan(plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    guards.guard_framework_measure(framework_row, framework_measure)
    title = _required_text(title, "title")
    if budget_amount is not None and budget_amount < 0:
        raise ApplicationError(
            _("A budget cannot be negative."), fields={"budget_amount": [_("Must be 0 or more.")]}
        )
    position = (plan.measures.aggregate(m=Max("position"))["m"] or 0) + 1
    measure = PlanMeasure.objects.create(
        plan=plan,
        framework_row=framework_row,
        framework_measure=framework_measure,
        title=title,
        owner=owner,
        target=target,
        due_on=due_on,
        budget_line=budget_line,
        budget_amount=budget_amount,
        position=position,
    )
    grant_measure_owner(measure, owner)
    record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="add_measure",
        from_state=plan.state,
        to_state=plan.state,
        payload={"measure": measure.pk, "framework_row": framework_row.pk, "owner": owner.pk},
    )
    return measure


MEASURE_DETAILS = ("title", "target", "due_on", "budget_line", "budget_amount")
# PlanMeasure.budget_amount: max_digits=14, decimal_places=2.
BUDGET_LIMIT = Decimal("1e12")


@transaction.atomic
def plan_measure_update(*, measure: PlanMeasure, actor: Any, **changes: Any) -> PlanMeasure:
    """Change a measure's title, target, due date, budget line or budget amount (any of them).

    Guarantees: only the body's secretariat (PermissionDenied otherwise); only while the plan is a
    draft or under review (G-NAP-EDITABLE, as for adding measures); a measure keeps its title, a
    budget is not negative, or nothing changes (ApplicationError naming the field); one event row
    `edit_measure` on the plan whose payload holds each changed field's old and new value, and
    `plan_measure_changed`. An edit that changes nothing leaves no row."""
    plan = _lock_plan(measure.plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    _reject_unknown(changes, MEASURE_DETAILS, _("Not a detail of a plan measure."))
    measure = PlanMeasure.objects.select_for_update().get(pk=measure.pk)
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _fitting_text(changes["title"], PlanMeasure, "title", required=True)
    if "target" in changes:
        values["target"] = _fitting_text(changes["target"], PlanMeasure, "target", required=False)
    if "due_on" in changes:
        due_on = changes["due_on"]
        if due_on is not None and (not isinstance(due_on, date) or isinstance(due_on, datetime)):
            raise ApplicationError(
                _("The due date is not a date."), fields={"due_on": [_("Give a date.")]}
            )
        values["due_on"] = due_on
    if "budget_line" in changes:
        values["budget_line"] = _fitting_text(
            changes["budget_line"], PlanMeasure, "budget_line", required=False
        )
    if "budget_amount" in changes:
        amount = changes["budget_amount"]
        if amount is not None:
            if not isinstance(amount, Decimal | int) or not Decimal(amount).is_finite():
                raise ApplicationError(
                    _("The budget amount is not a number."),
                    fields={"budget_amount": [_("Give a number.")]},
                )
            if amount < 0:
                raise ApplicationError(
                    _("A budget cannot be negative."),
                    fields={"budget_amount": [_("Must be 0 or more.")]},
                )
            if amount >= BUDGET_LIMIT:
                raise ApplicationError(
                    _("The budget amount is too large."),
                    fields={"budget_amount": [_("Must be below 1,000,000,000,000.")]},
                )
            amount = Decimal(amount).quantize(Decimal("0.01"))
        values["budget_amount"] = amount
    changed = _apply_changes(measure, values)
    if not changed:
        return measure
    measure.save(update_fields=sorted(changed))
    event = record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="edit_measure",
        from_state=plan.state,
        to_state=plan.state,
        payload={"measure": measure.pk, "changes": changed},
    )
    signals.plan_measure_changed.send(
        sender=PlanMeasure, instance=measure, event=event, actor=actor
    )
    return measure


@transaction.atomic
def measure_indicator_add(
    *,
    measure: PlanMeasure,
    name: str,
    baseline: Decimal,
    target_value: Decimal,
    unit: str = "",
    framework_indicator: FrameworkItem | None = None,
    actor: Any,
) -> MeasureIndicator:
    plan = _lock_plan(measure.plan)
    _require_secretariat(actor, plan.body_id)
    guards.guard_plan_editable(plan)
    guards.guard_framework_indicator(framework_indicator)
    name = _required_text(name, "name")
    if baseline is None or target_value is None:
        raise ApplicationError(
            _("An indicator needs a baseline and a target value."),
            fields={
                k: [_("This field is required.")]
                for k, v in (("baseline", baseline), ("target_value", target_value))
                if v is None
            },
        )
    indicator = MeasureIndicator.objects.create(
        measure=measure,
        framework_indicator=framework_indicator,
        name=name,
        unit=unit,
        baseline=baseline,
        target_value=target_value,
    )
    record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="add_indicator",
        from_state=plan.state,
        to_state=plan.state,
        payload={"measure": measure.pk, "indicator": indicator.pk},
    )
    return indicator


def _plan_transition(
    *,
    plan: ActionPlan,
    actor: Any,
    name: str,
    label: str,
    signal: Any,
    reason: str = "",
    before_guards: Any = None,
    **kwargs: Any,
) -> ActionPlan:
    plan = _lock_plan(plan)
    method = getattr(plan, name)
    _require_state(plan, method, label)
    _require_secretariat(actor, plan.body_id)
    if before_guards is not None:
        before_guards(plan)
    before = plan.state
    method(**kwargs)
    plan.save()
    event = record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition=name,
        from_state=before,
        to_state=plan.state,
        reason=reason,
    )
    signal.send(sender=ActionPlan, instance=plan, event=event, actor=actor)
    return plan


@transaction.atomic
def action_plan_adopt(*, plan: ActionPlan, actor: Any) -> ActionPlan:
    """Adopt a draft plan; G-NAP-CONTENT checks period, targets, indicators and funding."""
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="adopt",
        label=_("be adopted"),
        signal=signals.action_plan_adopted,
        before_guards=guards.guard_plan_content,
    )


@transaction.atomic
def action_plan_start_implementation(*, plan: ActionPlan, actor: Any) -> ActionPlan:
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="start_implementation",
        label=_("start implementation"),
        signal=signals.action_plan_implementation_started,
    )


@transaction.atomic
def action_plan_open_review(*, plan: ActionPlan, actor: Any) -> ActionPlan:
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="open_review",
        label=_("go under review"),
        signal=signals.action_plan_review_opened,
    )


@transaction.atomic
def action_plan_close_review(*, plan: ActionPlan, notes: str, actor: Any) -> ActionPlan:
    """Close a review and continue implementing; G-NAP-REVIEW needs its findings."""
    guards.guard_review_recorded(notes)
    return _plan_transition(
        plan=plan,
        actor=actor,
        name="close_review",
        label=_("close its review"),
        signal=signals.action_plan_review_closed,
        reason=notes.strip(),
        notes=notes.strip(),
    )


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, notes: str, actor: Any) -> ActionPlan:
    """End a review by updating the plan: this version becomes `updated` and a new draft version
    copies its measures and indicators, each indicator's baseline being its latest reported value.
    Returns the new draft."""
    guards.guard_review_recorded(notes)
    old = _plan_transition(
        plan=plan,
        actor=actor,
        name="supersede",
        label=_("be updated"),
        signal=signals.action_plan_updated,
        reason=notes.strip(),
        notes=notes.strip(),
    )
    new = ActionPlan.objects.create(
        body_id=old.body_id,
        title=old.title,
        period_start=old.period_start,
        period_end=old.period_end,
        funding_requirements=old.funding_requirements,
        funding_sources=old.funding_sources,
        version=old.version + 1,
        previous_version=old,
    )
    for m in old.measures.select_related("owner").prefetch_related("indicators__reports"):
        copy = PlanMeasure.objects.create(
            plan=new,
            framework_row_id=m.framework_row_id,
            framework_measure_id=m.framework_measure_id,
            title=m.title,
            owner=m.owner,
            target=m.target,
            due_on=m.due_on,
            budget_line=m.budget_line,
            budget_amount=m.budget_amount,
            position=m.position,
        )
        grant_measure_owner(copy, m.owner)
        for ind in m.indicators.all():
            reports = list(ind.reports.all())  # ordered newest first
            MeasureIndicator.objects.create(
                measure=copy,
                framework_indicator_id=ind.framework_indicator_id,
                name=ind.name,
                unit=ind.unit,
                baseline=reports[0].value if reports else ind.baseline,
                target_value=ind.target_value,
            )
    record_event(
        ActionPlanEvent,
        plan=new,
        actor=actor,
        transition="create_version",
        to_state=new.state,
        payload={"previous_version": old.pk},
    )
    return new


@transaction.atomic
def progress_report_add(
    *,
    indicator: MeasureIndicator,
    value: Decimal,
    reported_on: date,
    narrative: str = "",
    evidence_link: str = "",
    evidence_file: Any = None,
    actor: Any,
) -> ProgressReport:
    """Report an indicator's value; the measure's owner organisation or the secretariat may."""
    measure = indicator.measure
    plan = _lock_plan(measure.plan)
    if not (can_report_on_measure(actor, measure) or can_edit_body(actor, plan.body_id)):
        raise PermissionDenied(
            _("Only the measure's owner organisation or the secretariat reports progress.")
        )
    guards.guard_plan_reporting(plan)
    if value is None:
        raise ApplicationError(_("Give a value."), fields={"value": [_("This field is required.")]})
    if reported_on is None or reported_on > timezone.localdate():
        raise ApplicationError(
            _("The date of a report cannot be in the future."),
            fields={"reported_on": [_("Not in the future.")]},
        )
    validate_evidence_file(evidence_file)
    report = ProgressReport.objects.create(
        indicator=indicator,
        value=value,
        reported_on=reported_on,
        narrative=narrative,
        evidence_link=evidence_link,
        evidence_file=evidence_file or "",
        organisation=measure.owner,
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event = record_event(
        ActionPlanEvent,
        plan=plan,
        actor=actor,
        transition="report_progress",
        from_state=plan.state,
        to_state=plan.state,
        payload={"indicator": indicator.pk, "report": report.pk, "value": str(value)},
    )
    signals.progress_reported.send(sender=ProgressReport, instance=report, event=event, actor=actor)
    return report
