"""Named safeguards of meetings, action items and action plans; each raises GuardFailed(code, ...).

Services call them after locking the row and before the transition, so a refusal names its guard.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from concord.errors import GuardFailed
from coordination.models import BodySeat, Organisation, Seat
from coordination.work.models import (
    ActionItem,
    ActionPlan,
    FrameworkItem,
    FrameworkItemKind,
    FrameworkRow,
    Meeting,
    MeetingState,
    PlanState,
)

# --- meetings ------------------------------------------------------------------------------------


def guard_meeting_has_started(meeting: Meeting) -> None:
    """G-MEETING-STARTED: a meeting is recorded as held only once its time has come."""
    if meeting.starts_at > timezone.now():
        raise GuardFailed(
            "G-MEETING-STARTED", _("A meeting cannot be recorded as held before it starts.")
        )


def guard_meeting_attendance_recorded(meeting: Meeting) -> None:
    """G-MEETING-ATTENDANCE: a held meeting has at least one member organisation present.

    seed 001:513 OPI "Coordination mechanism meets regularly": only a meeting someone attended
    counts towards it."""
    if not meeting.attendance.filter(status="present").exists():
        raise GuardFailed(
            "G-MEETING-ATTENDANCE",
            _("Record which member organisations attended before recording the meeting as held."),
        )


def guard_minutes_written(meeting: Meeting) -> None:
    """G-MINUTES-WRITTEN: minutes are approved only once they exist."""
    if not meeting.minutes.strip():
        raise GuardFailed("G-MINUTES-WRITTEN", _("Write the minutes before approving them."))


def guard_minutes_editable(meeting: Meeting) -> None:
    """G-MINUTES-FROZEN: approved minutes are the record and are not edited."""
    if meeting.state != MeetingState.HELD:
        raise GuardFailed(
            "G-MINUTES-FROZEN",
            _("Minutes are written while the meeting is held and frozen once approved."),
        )


def guard_agenda_editable(meeting: Meeting) -> None:
    """G-AGENDA-OPEN: the agenda changes until the minutes are approved."""
    if meeting.state not in (MeetingState.SCHEDULED, MeetingState.HELD):
        raise GuardFailed(
            "G-AGENDA-OPEN", _("The agenda of a cancelled or approved meeting is closed.")
        )


def guard_meeting_details_editable(meeting: Meeting) -> None:
    """G-MEETING-SCHEDULED: title, date and time, place and call link change only while the
    meeting is scheduled. A held meeting is the record that the body met (seed 001:513 OPI
    "Coordination mechanism meets regularly"), and a cancelled one stays as it was cancelled."""
    if meeting.state != MeetingState.SCHEDULED:
        raise GuardFailed(
            "G-MEETING-SCHEDULED",
            _("Title, date, place and call link change only while the meeting is scheduled."),
        )


def guard_agenda_items_removable(meeting: Meeting) -> None:
    """G-AGENDA-FIXED: agenda items are removed or reordered only before the meeting is held.

    Once held, the agenda is what the meeting discussed (its minutes and decisions follow it);
    items may still be added until the minutes are approved (G-AGENDA-OPEN), never taken away."""
    if meeting.state != MeetingState.SCHEDULED:
        raise GuardFailed(
            "G-AGENDA-FIXED",
            _("Agenda items are removed or reordered only while the meeting is scheduled."),
        )


def guard_decisions_open(meeting: Meeting) -> None:
    """G-DECISION-HELD: decisions are recorded for a held meeting whose minutes are not approved."""
    if meeting.state != MeetingState.HELD:
        raise GuardFailed(
            "G-DECISION-HELD",
            _("Decisions are recorded once the meeting is held, until its minutes are approved."),
        )


def guard_attendee_is_member(meeting: Meeting, organisation: Organisation) -> None:
    """G-ATTENDANCE-SEAT: attendance is recorded for organisations holding a seat in the body."""
    if not BodySeat.objects.filter(body_id=meeting.body_id, organisation=organisation).exists():
        raise GuardFailed(
            "G-ATTENDANCE-SEAT",
            _("Only organisations with a seat in this body can be recorded as attending."),
        )


# --- action items --------------------------------------------------------------------------------


def guard_owner_holds_seat(body_id: int, owner: Organisation) -> None:
    """G-ACTION-OWNER: an item is owned by a chair, secretariat or member organisation of the body
    (observers read only)."""
    if not BodySeat.objects.filter(
        body_id=body_id, organisation=owner, seat__in=[Seat.CHAIR, Seat.SECRETARIAT, Seat.MEMBER]
    ).exists():
        raise GuardFailed(
            "G-ACTION-OWNER",
            _("The owner must be a chair, secretariat or member organisation of this body."),
        )


def guard_due_date(due_on: date, not_before: date | None) -> None:
    """G-ACTION-DUE: an item is due on or after the meeting that decided it."""
    if not_before is not None and due_on < not_before:
        raise GuardFailed(
            "G-ACTION-DUE", _("The due date cannot be before the meeting that decided the item.")
        )


def guard_completion_evidence(item: ActionItem, evidence_link: str, evidence_file: Any) -> None:
    """G-ACTION-EVIDENCE: an item is marked done with its evidence (a link or a file)."""
    if not (evidence_link or evidence_file or item.evidence_link or item.evidence_file):
        raise GuardFailed(
            "G-ACTION-EVIDENCE", _("Give the evidence (a link or a file) that the item is done.")
        )


def guard_cancel_grounds(grounds: str) -> None:
    """G-ACTION-GROUNDS: an item is cancelled only with written grounds."""
    if not grounds.strip():
        raise GuardFailed("G-ACTION-GROUNDS", _("Give the grounds for cancelling the item."))


# --- action plans --------------------------------------------------------------------------------


def guard_plan_editable(plan: ActionPlan) -> None:
    """G-NAP-EDITABLE: measures and indicators change while the plan is a draft or under review."""
    if plan.state not in (PlanState.DRAFT, PlanState.UNDER_REVIEW):
        raise GuardFailed(
            "G-NAP-EDITABLE",
            _("Measures change only while the plan is a draft or under review."),
        )


def guard_plan_content(plan: ActionPlan) -> None:
    """G-NAP-CONTENT (DOMAIN.md SM-10): adoption needs a period, targets, indicators and funding.

    seed 003:2589-2590 "ensure that NPAs are time-bound with targets and indicators with funding
    requirements and sources identified"; seed 001:513 OPI "Existence of a dedicated budget".
    """
    missing: dict[str, list[str]] = {}
    if not plan.period_start or not plan.period_end or plan.period_end <= plan.period_start:
        missing["period"] = [_("The plan needs a period (start before end): it is time-bound.")]
    if not plan.funding_requirements.strip():
        missing["funding_requirements"] = [_("State the funding requirements.")]
    if not plan.funding_sources.strip():
        missing["funding_sources"] = [_("Identify the funding sources.")]
    measures = list(plan.measures.prefetch_related("indicators"))
    if not measures:
        missing["measures"] = [_("The plan has no measures.")]
    for m in measures:
        problems = []
        if not m.target.strip():
            problems.append(_("no target"))
        if not m.indicators.all():
            problems.append(_("no indicator"))
        if not m.budget_line.strip():
            problems.append(_("no budget line"))
        if problems:
            missing[f"measure {m.pk}"] = [f"{m.title}: {', '.join(problems)}"]
    if missing:
        raise GuardFailed(
            "G-NAP-CONTENT",
            _("The plan cannot be adopted until it has a period, targets, indicators and funding."),
            fields=missing,
        )


def guard_review_recorded(notes: str) -> None:
    """G-NAP-REVIEW: a review closes with its findings written down.

    seed 001:513 MEAS "Ongoing and regular review of the strategy/ plan of action"; OPI "Updates
    of the strategy/plan of action on the basis of regular assessments"."""
    if not notes.strip():
        raise GuardFailed("G-NAP-REVIEW", _("Write down the findings of the review."))


def guard_plan_reporting(plan: ActionPlan) -> None:
    """G-NAP-REPORTING: progress is reported on an adopted plan that has not been superseded."""
    if plan.state not in (
        PlanState.ADOPTED,
        PlanState.IN_IMPLEMENTATION,
        PlanState.UNDER_REVIEW,
    ):
        raise GuardFailed(
            "G-NAP-REPORTING",
            _("Progress is reported on an adopted plan that has not been superseded."),
        )


def guard_framework_measure(row: FrameworkRow, item: FrameworkItem | None) -> None:
    """G-NAP-FRAMEWORK: a measure carries out an implementation measure of its own Framework row."""
    if item is not None and (item.row_id != row.pk or item.kind != FrameworkItemKind.MEASURE):
        raise GuardFailed(
            "G-NAP-FRAMEWORK",
            _("Choose an implementation measure of the same Framework row."),
            fields={"framework_measure": [_("Not a measure of this row.")]},
        )


def guard_framework_indicator(item: FrameworkItem | None) -> None:
    """G-NAP-FRAMEWORK: an indicator refers to a Framework indicator (operational or minimum)."""
    if item is not None and item.kind not in (
        FrameworkItemKind.OPERATIONAL_INDICATOR,
        FrameworkItemKind.FRAMEWORK_INDICATOR,
    ):
        raise GuardFailed(
            "G-NAP-FRAMEWORK",
            _("Choose a Framework indicator."),
            fields={"framework_indicator": [_("Not an indicator.")]},
        )
