"""The return procedure: its states, steps, participants, event rows and object permissions,
and the per-country settings and risk factors it is assessed against."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from concord.events import Event
from coordination.models import Country, Organisation
from workflows.cases.models import Case

__all__ = [
    "CANCELLABLE_STATES",
    "FINAL_STATES",
    "RETURN_STEPS",
    "AlternativeKind",
    "ReturnEvent",
    "ReturnParticipant",
    "ReturnProcedure",
    "ReturnProcedureGroupObjectPermission",
    "ReturnProcedureUserObjectPermission",
    "ReturnRiskFactor",
    "ReturnRiskPolicy",
    "ReturnState",
    "ReturnStep",
    "Side",
]


REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_return_reference() -> str:
    """A random reference, e.g. "R-2026-7KQ4X9": never derived from the person."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"R-{timezone.now().year}-{body}"


def default_monitoring_months() -> list[int]:
    return [1, 3, 6, 12]


def default_critical_factors() -> list[str]:
    return ["retaliation", "re_trafficking"]


class ReturnState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    DECISION = "decision", _("Decision")
    PREPARATION = "preparation", _("Preparation")
    TRAVEL = "travel", _("Travel")
    HANDED_OVER = "handed_over", _("Handed over")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")
    ALTERNATIVE = "alternative", _("Alternative granted")
    CANCELLED = "cancelled", _("Cancelled")


# The main line, in order (the timeline and the board's columns).
RETURN_STEPS: tuple[str, ...] = (
    ReturnState.REQUESTED,
    ReturnState.RISK_ASSESSMENT,
    ReturnState.DECISION,
    ReturnState.PREPARATION,
    ReturnState.TRAVEL,
    ReturnState.HANDED_OVER,
    ReturnState.MONITORING,
    ReturnState.CLOSED,
)
FINAL_STATES = frozenset({ReturnState.CLOSED, ReturnState.ALTERNATIVE, ReturnState.CANCELLED})
CANCELLABLE_STATES = [
    ReturnState.REQUESTED,
    ReturnState.RISK_ASSESSMENT,
    ReturnState.DECISION,
    ReturnState.PREPARATION,
]


class AlternativeKind(models.TextChoices):
    """seed 004:354 residence in the country of destination; 004:353 relocation to a third State."""

    TEMPORARY_RESIDENCE = "temporary_residence", _("Temporary residence in the destination country")
    PERMANENT_RESIDENCE = "permanent_residence", _("Permanent residence in the destination country")
    THIRD_STATE = "third_state_relocation", _("Relocation to a third State")


class Side(models.TextChoices):
    RETURNING = "returning", _("Returning State")
    RECEIVING = "receiving", _("Receiving State")


class ReturnRiskFactor(models.Model):
    """Reference data: the risk factors of seed 004 (data/return_risk_factors.json)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    seed_ref = models.CharField(_("seed reference"), max_length=80, blank=True)
    child_only = models.BooleanField(_("only for a child"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("return risk factor")

    def __str__(self) -> str:
        return self.name


class ReturnRiskPolicy(models.Model):
    """Per-country settings of return procedures, editable in the admin; a country without a row
    uses the defaults of workflows.returns.risk and workflows.returns.schedule. The returning
    State's row applies."""

    country = models.OneToOneField(
        Country, primary_key=True, on_delete=models.CASCADE, related_name="return_policy"
    )
    critical_factors = models.JSONField(
        _("critical factors"),
        default=default_critical_factors,
        blank=True,
        help_text=_("Factor codes whose 'high' rating counts as 'very high'."),
    )
    escalation_count = models.PositiveSmallIntegerField(
        _("factors rated high that make the level very high"), default=3
    )
    monitoring_months = models.JSONField(
        _("monitoring visits (months after handover)"), default=default_monitoring_months
    )
    monitoring_grace_days = models.PositiveSmallIntegerField(
        _("days after a visit's due date before it counts as missed"), default=14
    )
    step_due_days = models.JSONField(
        _("days allowed per step"),
        default=dict,
        blank=True,
        help_text=_('E.g. {"risk_assessment": 30, "decision": 14}.'),
    )

    class Meta:
        verbose_name = _("country return settings")
        verbose_name_plural = _("country return settings")

    def __str__(self) -> str:
        return str(self.country_id)


class ReturnProcedure(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_return_reference, editable=False
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="return_procedures")
    returning_country = models.ForeignKey(
        Country,
        verbose_name=_("returning State"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_country = models.ForeignKey(
        Country,
        verbose_name=_("receiving State"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    returning_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("lead authority in the returning State"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("lead authority in the receiving State"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = FSMField(
        _("step"),
        default=ReturnState.REQUESTED,
        choices=ReturnState.choices,
        protected=True,
        db_index=True,
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    monitoring_months = models.JSONField(
        _("monitoring visits (months after handover)"), default=default_monitoring_months
    )
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("return procedure")
        indexes = [
            models.Index(
                fields=["returning_country", "receiving_country", "state"],
                name="return_corridor_state_idx",
            ),
            models.Index(fields=["receiving_country", "state"], name="return_receiving_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    # --- transitions: bodies only set fields; services run the guards first ---
    @transition(field=state, source=ReturnState.REQUESTED, target=ReturnState.RISK_ASSESSMENT)
    def start_assessment(self) -> None:
        """seed 001:302 "any decision to return is preceded by a risk assessment"."""

    @transition(field=state, source=ReturnState.RISK_ASSESSMENT, target=ReturnState.DECISION)
    def submit_for_decision(self) -> None:
        pass

    @transition(
        field=state,
        source=[ReturnState.DECISION, ReturnState.PREPARATION],
        target=ReturnState.RISK_ASSESSMENT,
    )
    def reassess(self) -> None:
        """New risk information: a new assessment version is opened."""

    @transition(field=state, source=ReturnState.DECISION, target=ReturnState.PREPARATION)
    def approve(self) -> None:
        pass

    @transition(field=state, source=ReturnState.DECISION, target=ReturnState.ALTERNATIVE)
    def grant_alternative(self) -> None:
        """seed 004:354 residence; 004:353 relocation to a third State."""

    @transition(field=state, source=CANCELLABLE_STATES, target=ReturnState.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=state, source=ReturnState.PREPARATION, target=ReturnState.TRAVEL)
    def depart(self) -> None:
        self.departed_at = timezone.now()

    @transition(field=state, source=ReturnState.TRAVEL, target=ReturnState.HANDED_OVER)
    def hand_over(self) -> None:
        self.handed_over_at = timezone.now()

    @transition(field=state, source=ReturnState.HANDED_OVER, target=ReturnState.MONITORING)
    def start_monitoring(self) -> None:
        pass

    @transition(field=state, source=ReturnState.MONITORING, target=ReturnState.CLOSED)
    def close(self) -> None:
        self.closed_at = timezone.now()


class ReturnEvent(Event):
    procedure = models.ForeignKey(ReturnProcedure, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("return event")
        indexes = [
            models.Index(fields=["procedure", "occurred_at"], name="returnevent_proc_time_idx")
        ]


class ReturnProcedureUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ReturnProcedure, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class ReturnProcedureGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ReturnProcedure, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass


class ReturnParticipant(models.Model):
    """An organisation involved in the procedure, on one side. Written with the permission grant."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["side", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "organisation"], name="return_participant_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "side"], name="return_part_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.side})"


class ReturnStep(models.Model):
    """One visit of a step: who is responsible on each side, when it is due, when it was entered
    and left. A step row is closed (left_at) when the procedure leaves the step and is never
    edited after that."""

    procedure = models.ForeignKey(ReturnProcedure, on_delete=models.CASCADE, related_name="steps")
    state = models.CharField(_("step"), max_length=20, choices=ReturnState.choices)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    returning_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible in the returning State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible in the receiving State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name = _("return step")
        indexes = [
            models.Index(fields=["procedure", "left_at"], name="returnstep_open_idx"),
            models.Index(fields=["left_at", "due_on"], name="returnstep_due_idx"),
            models.Index(fields=["state", "left_at"], name="returnstep_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.state}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None

    def is_overdue(self, today: object | None = None) -> bool:
        today = today or timezone.localdate()
        return self.left_at is None and self.due_on is not None and self.due_on < today  # type: ignore[operator]
