"""The working side of a coordination body: meetings, decisions, action items, the national action
plan tied to the Framework for Action (seed 001 tables 2, 4 and 5), and their event rows.

State machines follow DOMAIN.md SM-10; every transition leaves one event row (concord.events).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from concord.events import Event
from coordination.models import CoordinationBody, Organisation

__all__ = [
    "ACTION_ITEM_PENDING",
    "ActionItem",
    "ActionItemEvent",
    "ActionItemGroupObjectPermission",
    "ActionItemState",
    "ActionItemUserObjectPermission",
    "ActionPlan",
    "ActionPlanEvent",
    "AgendaItem",
    "Attendance",
    "AttendanceStatus",
    "Decision",
    "FrameworkItem",
    "FrameworkItemKind",
    "FrameworkRow",
    "MeasureIndicator",
    "Meeting",
    "MeetingEvent",
    "MeetingState",
    "PlanMeasure",
    "PlanMeasureGroupObjectPermission",
    "PlanMeasureUserObjectPermission",
    "PlanState",
    "ProgressReport",
]


# --- Framework for Action reference data (seed 001) ----------------------------------------------


class FrameworkRow(models.Model):
    """One row of a Framework for Action table, as shipped in coordination/work/data."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)  # e.g. "T4-R1"
    table = models.PositiveSmallIntegerField(_("table"), db_index=True)
    pillar = models.CharField(_("pillar"), max_length=80)
    requirement = models.TextField(_("Protocol requirement"))
    seed_lines = models.JSONField(_("seed 001 lines"), default=list)
    note = models.TextField(_("note on the seed text"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("Framework for Action row")

    def __str__(self) -> str:
        return f"{self.code} {self.requirement}"

    @property
    def seed_ref(self) -> str:
        return "001:" + ",".join(str(n) for n in self.seed_lines)


class FrameworkItemKind(models.TextChoices):
    OBJECTIVE = "objective", _("Specific objective")
    FRAMEWORK_INDICATOR = "framework_indicator", _("Framework indicator (minimum standard)")
    MEASURE = "measure", _("Implementation measure")
    OPERATIONAL_INDICATOR = "operational_indicator", _("Operational indicator")


class FrameworkItem(models.Model):
    """An objective, indicator or measure quoted from a row, with the seed line it sits on."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)  # e.g. "T4-R1-I2"
    row = models.ForeignKey(FrameworkRow, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=24, choices=FrameworkItemKind.choices)
    text = models.TextField(_("text (quoted from seed 001)"))
    seed_line = models.PositiveIntegerField(_("seed 001 line"))
    note = models.TextField(_("note on the seed text"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["row__position", "position"]
        verbose_name = _("Framework for Action item")
        indexes = [models.Index(fields=["row", "kind"], name="fwitem_row_kind_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


# --- Meetings (SM-10) ----------------------------------------------------------------------------


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(ConcurrentTransitionMixin, models.Model):
    body = models.ForeignKey(
        CoordinationBody, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    call_link = models.URLField(_("call link"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    state = FSMField(
        _("state"),
        default=MeetingState.SCHEDULED,
        choices=MeetingState.choices,
        protected=True,
    )
    held_at = models.DateTimeField(_("recorded as held at"), null=True, blank=True)
    minutes_approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        indexes = [models.Index(fields=["body", "-starts_at"], name="meeting_body_starts_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @transition(field=state, source=MeetingState.SCHEDULED, target=MeetingState.HELD)
    def hold(self) -> None:
        self.held_at = timezone.now()

    @transition(field=state, source=MeetingState.HELD, target=MeetingState.MINUTES_APPROVED)
    def approve_minutes(self) -> None:
        self.minutes_approved_at = timezone.now()

    @transition(field=state, source=MeetingState.SCHEDULED, target=MeetingState.CANCELLED)
    def cancel(self) -> None:
        pass


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("agenda item")

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    """Attendance is by member organisation (the unit of access), never by named person."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meeting_attendance"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    representatives = models.PositiveSmallIntegerField(_("number of representatives"), default=1)

    class Meta:
        ordering = ["meeting", "organisation__name"]
        verbose_name = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organisation"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_status_display()}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("decision")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting.title} #{self.number}"


class MeetingEvent(Event):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("meeting event")


# --- National action plan (SM-10) ----------------------------------------------------------------


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    IN_IMPLEMENTATION = "in_implementation", _("In implementation")
    UNDER_REVIEW = "under_review", _("Under review")
    UPDATED = "updated", _("Updated (superseded by a new version)")


class ActionPlan(ConcurrentTransitionMixin, models.Model):
    body = models.ForeignKey(
        CoordinationBody, on_delete=models.PROTECT, related_name="action_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    # seed 003:2589-2590 (UNICEF) "time-bound with targets and indicators with funding requirements
    # and sources identified": G-NAP-CONTENT checks these before adoption.
    funding_requirements = models.TextField(_("funding requirements"), blank=True)
    funding_sources = models.TextField(_("funding sources"), blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    state = FSMField(_("state"), default=PlanState.DRAFT, choices=PlanState.choices, protected=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    last_review_notes = models.TextField(_("last review"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-version", "-id"]
        verbose_name = _("national action plan")
        indexes = [models.Index(fields=["body", "state"], name="plan_body_state_idx")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @transition(field=state, source=PlanState.DRAFT, target=PlanState.ADOPTED)
    def adopt(self) -> None:
        self.adopted_on = timezone.localdate()

    @transition(field=state, source=PlanState.ADOPTED, target=PlanState.IN_IMPLEMENTATION)
    def start_implementation(self) -> None:
        pass

    @transition(field=state, source=PlanState.IN_IMPLEMENTATION, target=PlanState.UNDER_REVIEW)
    def open_review(self) -> None:
        pass

    @transition(field=state, source=PlanState.UNDER_REVIEW, target=PlanState.IN_IMPLEMENTATION)
    def close_review(self, notes: str = "") -> None:
        self.last_review_notes = notes

    @transition(field=state, source=PlanState.UNDER_REVIEW, target=PlanState.UPDATED)
    def supersede(self, notes: str = "") -> None:
        self.last_review_notes = notes


class PlanMeasure(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="measures")
    framework_row = models.ForeignKey(
        FrameworkRow, on_delete=models.PROTECT, related_name="plan_measures"
    )
    framework_measure = models.ForeignKey(
        FrameworkItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_measures",
        help_text=_("The Framework implementation measure this plan measure carries out."),
    )
    title = models.CharField(_("measure"), max_length=300)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plan_measures")
    target = models.TextField(_("target"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # seed 001:513 OPI "Existence of a dedicated budget to implement a strategy or plan of action"
    budget_line = models.CharField(_("budget line"), max_length=200, blank=True)
    budget_amount = models.DecimalField(
        _("budget amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "framework_row__position", "position", "id"]
        verbose_name = _("plan measure")
        permissions = [("report_on_planmeasure", "May report progress on this measure")]
        indexes = [models.Index(fields=["owner"], name="measure_owner_idx")]

    def __str__(self) -> str:
        return self.title


class MeasureIndicator(models.Model):
    measure = models.ForeignKey(PlanMeasure, on_delete=models.CASCADE, related_name="indicators")
    framework_indicator = models.ForeignKey(
        FrameworkItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_indicators",
    )
    name = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["measure", "id"]
        verbose_name = _("measure indicator")

    def __str__(self) -> str:
        return self.name


def evidence_upload_to(instance: Any, filename: str) -> str:
    # The stored name never carries the uploader's file name (it may identify a person).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    kind = instance.__class__.__name__.lower()
    return f"evidence/{timezone.now():%Y/%m}/{kind}-{uuid.uuid4().hex}.{ext}"


class ProgressReport(models.Model):
    """A value reported for an indicator on a date; append-only (a correction is a new report)."""

    indicator = models.ForeignKey(
        MeasureIndicator, on_delete=models.CASCADE, related_name="reports"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    reported_on = models.DateField(_("date"), db_index=True)
    narrative = models.TextField(_("narrative"), blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_upload_to, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "-reported_on", "-id"]
        verbose_name = _("progress report")
        indexes = [models.Index(fields=["indicator", "-reported_on"], name="progress_ind_date_idx")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} on {self.reported_on}"


class ActionPlanEvent(Event):
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("action plan event")


# --- Action items --------------------------------------------------------------------------------


class ActionItemState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTION_ITEM_PENDING = (ActionItemState.OPEN, ActionItemState.IN_PROGRESS)


class ActionItem(ConcurrentTransitionMixin, models.Model):
    body = models.ForeignKey(
        CoordinationBody, on_delete=models.PROTECT, related_name="action_items"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    measure = models.ForeignKey(
        PlanMeasure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        verbose_name=_("plan measure"),
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("owner organisation"),
    )
    description = models.TextField(_("description"))
    due_on = models.DateField(_("due on"))
    state = FSMField(
        _("status"), default=ActionItemState.OPEN, choices=ActionItemState.choices, protected=True
    )
    cancel_grounds = models.TextField(_("grounds for cancelling"), blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_upload_to, blank=True)
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action item")
        permissions = [("work_on_actionitem", "May work on this action item")]
        indexes = [
            models.Index(fields=["body", "state", "due_on"], name="actionitem_body_state_idx"),
            models.Index(fields=["owner", "state", "due_on"], name="actionitem_owner_state_idx"),
            models.Index(fields=["state", "due_on"], name="actionitem_state_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        return self.state in ACTION_ITEM_PENDING and self.due_on < timezone.localdate()

    @transition(field=state, source=ActionItemState.OPEN, target=ActionItemState.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(
        field=state,
        source=[ActionItemState.OPEN, ActionItemState.IN_PROGRESS],
        target=ActionItemState.DONE,
    )
    def complete(self) -> None:
        self.completed_at = timezone.now()

    @transition(
        field=state,
        source=[ActionItemState.OPEN, ActionItemState.IN_PROGRESS],
        target=ActionItemState.CANCELLED,
    )
    def cancel(self, grounds: str = "") -> None:
        self.cancel_grounds = grounds


class ActionItemEvent(Event):
    action_item = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("action item event")


# Direct foreign-key object permission tables (django-guardian), granted to organisation groups.
class ActionItemUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ActionItem, on_delete=models.CASCADE)


class ActionItemGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ActionItem, on_delete=models.CASCADE)


class PlanMeasureUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(PlanMeasure, on_delete=models.CASCADE)


class PlanMeasureGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PlanMeasure, on_delete=models.CASCADE)
