"""Return procedures (issue 5; seeds 001 and 004, DOMAIN.md §6 and SM-7).

A `ReturnProcedure` carries one person's return from the State where they were identified (the
*returning* State) to their State of origin (the *receiving* State):

    requested → risk_assessment → decision → preparation → travel → handed_over → monitoring
    → closed
    decision → alternative (residence in the destination country, relocation to a third State)
    requested | risk_assessment | decision | preparation → cancelled          (with grounds)
    decision | preparation → risk_assessment                                   (reassessment)

Nothing of a past step is edited in place: each step visit is a `ReturnStep` row (closed when the
procedure leaves it), each transition a `ReturnEvent`, each record (consent, proceedings check,
on-site assessment, reception, approvals, risk assessment version, decision, travel document,
monitoring outcome) its own row; a reassessment is a new `RiskAssessment` version, and the decision
names the version it relied on. The transition bodies only set fields: the services
(workflows.services.returns) run the guards (workflows.guards.returns) first.
"""

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
from workflows.returns.risk import LEVEL_CHOICES, RATING_CHOICES
from workflows.returns.schedule import OUTCOME_CHOICES

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
    """Reference data: the risk factors of seed 004 (workflows/data/return_risk_factors.json)."""

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
    case = models.ForeignKey(
        "workflows.Case", on_delete=models.PROTECT, related_name="return_procedures"
    )
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


class ReturnConsent(models.Model):
    """The person's informed decision to return (seed 004:353 "to the extent possible, be
    voluntary"; informed orally and in writing in a language they understand, seed 004:466).
    Withdrawal is recorded once and stops the procedure at its next step."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="consents"
    )
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    informed_orally = models.BooleanField(_("informed orally"), default=False)
    informed_in_writing = models.BooleanField(_("informed in writing"), default=False)
    language = models.CharField(_("language of the information"), max_length=40)
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["procedure", "withdrawn_at"], name="retconsent_idx")]

    def __str__(self) -> str:
        return f"return consent #{self.pk}"


class ProceedingsCheck(models.Model):
    """Whether judicial proceedings involving the person are ongoing (seed 001:483 MEAS); the latest
    row counts. Return despite ongoing proceedings needs the person's own request and a recorded
    consultation of the prosecution."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="proceedings_checks"
    )
    proceedings_ongoing = models.BooleanField(_("judicial proceedings ongoing"))
    person_requests_return = models.BooleanField(
        _("the person asks to return all the same"), default=False
    )
    prosecution = models.ForeignKey(
        Organisation,
        verbose_name=_("prosecution consulted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consulted_on = models.DateField(_("consulted on"), null=True, blank=True)
    prosecution_view = models.TextField(_("the prosecution's view"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["procedure", "recorded_at"], name="retproc_idx")]

    def __str__(self) -> str:
        return f"proceedings check #{self.pk}"


class OnSiteAssessment(models.Model):
    """For a child: the best interests and the conditions of return evaluated beforehand by an
    on-site assessment in the receiving State (seed 001:472 MEAS)."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="on_site_assessments"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"))
    favours_return = models.BooleanField(_("best interests and conditions of return favour return"))
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["procedure", "recorded_at"], name="retonsite_idx")]

    def __str__(self) -> str:
        return f"on-site assessment #{self.pk}"


class ReceptionKind(models.TextChoices):
    RECEPTION = "reception", _("Reception confirmed by the receiving State")
    CHILD_PROTECTION = "child_protection", _("Child protection authority accepted the child")


class ReceptionConfirmation(models.Model):
    """The receiving State's confirmation (seed 004:408): reception, and for a child the child
    protection authority's acceptance (seed 004:314)."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="receptions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReceptionKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    confirmed_on = models.DateField(_("confirmed on"), default=timezone.localdate)
    arrangements = models.TextField(_("arrangements (accommodation, escort)"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["procedure", "kind"], name="retreception_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class LegalBasisArrangement(models.Model):
    """An ad-hoc arrangement for a return no agreement in force covers (seed 001:483 MEAS "Safe
    return could be organized by bilateral and multilateral agreements"): it counts as a legal
    basis once a supervisor of each side has approved it."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="arrangements"
    )
    description = models.TextField(_("the arrangement"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"arrangement #{self.pk}"


class ArrangementApproval(models.Model):
    arrangement = models.ForeignKey(
        LegalBasisArrangement, on_delete=models.CASCADE, related_name="approvals"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "side"], name="arrangement_side_unique")
        ]

    def __str__(self) -> str:
        return f"approval #{self.pk} ({self.side})"


class RiskAssessment(models.Model):
    """One version of the return risk assessment; a reassessment opens a new version. Complete when
    both States have contributed; the overall level is then derived (workflows.returns.risk)."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="risk_assessments"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("why (re)assessed"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    overall_level = models.CharField(
        _("overall level"), max_length=10, choices=LEVEL_CHOICES, blank=True
    )

    class Meta:
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="riskassessment_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class RiskContribution(models.Model):
    """One State's part of an assessment version, submitted whole and never edited."""

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="contributions"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["side"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "side"], name="riskcontribution_side")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.side}"


class RiskRating(models.Model):
    contribution = models.ForeignKey(
        RiskContribution, on_delete=models.CASCADE, related_name="ratings"
    )
    factor = models.ForeignKey(ReturnRiskFactor, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=RATING_CHOICES)
    justification = models.TextField(_("justification"))

    class Meta:
        ordering = ["factor__order"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "factor"], name="riskrating_factor")
        ]

    def __str__(self) -> str:
        return f"{self.factor_id}: {self.rating}"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Return approved")
    ALTERNATIVE = "alternative", _("Alternative granted")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnDecision(models.Model):
    """The decision, naming the assessment version it relied on and its grounds."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=DecisionOutcome.choices)
    assessment = models.ForeignKey(
        RiskAssessment,
        verbose_name=_("assessment relied on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    overall_level = models.CharField(
        _("overall level relied on"), max_length=10, choices=LEVEL_CHOICES, blank=True
    )
    alternative_kind = models.CharField(
        _("alternative"), max_length=30, choices=AlternativeKind.choices, blank=True
    )
    third_country = models.ForeignKey(
        Country,
        verbose_name=_("third State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grounds = models.TextField(_("grounds"))
    by_supervisor = models.BooleanField(_("decided by a supervisor"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["procedure", "decided_at"], name="retdecision_idx")]

    def __str__(self) -> str:
        return f"{self.outcome} #{self.pk}"


class ServiceKind(models.TextChoices):
    """seed 004:356 economic empowerment; 004:408 accommodation in both States; 002:79."""

    ACCOMMODATION = "accommodation", _("Accommodation")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    EDUCATION = "education", _("Education")
    SKILLS_TRAINING = "skills_training", _("Skills training")
    EMPLOYMENT_GUIDANCE = "employment_guidance", _("Guidance in seeking employment")
    FINANCIAL_SUPPORT = "financial_support", _("Financial support")
    SMALL_BUSINESS_LOAN = "small_business_loan", _("Small business loan")


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ARRANGED = "arranged", _("Arranged")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined by the person")
    UNAVAILABLE = "unavailable", _("Not available")


class ReintegrationService(models.Model):
    """One service of the reintegration plan (seed 004:408 "a plan for the social inclusion of the
    returning person"), with its provider and status; status changes leave event rows."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="reintegration_services"
    )
    kind = models.CharField(_("service"), max_length=30, choices=ServiceKind.choices)
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["procedure", "kind"], name="retservice_idx")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


class TravelDocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document / laissez-passer")
    IDENTITY_CARD = "identity_card", _("Identity card")
    EXIT_PERMIT = "exit_permit", _("Exit permit")


class TravelDocument(models.Model):
    """A travel document issued for the return (seed 001:483 OBJ; 004:408). Only its kind, issuer
    and dates: the document number is an identifying detail and stays on the case."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="travel_documents"
    )
    kind = models.CharField(_("document"), max_length=20, choices=TravelDocumentKind.choices)
    issuing_organisation = models.ForeignKey(
        Organisation, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class MonitoringVisit(models.Model):
    """A scheduled post-return visit; its outcome is recorded once."""

    procedure = models.ForeignKey(
        ReturnProcedure, on_delete=models.CASCADE, related_name="monitoring_visits"
    )
    months_after = models.PositiveSmallIntegerField(_("months after handover"))
    due_on = models.DateField(_("due on"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("visiting organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=OUTCOME_CHOICES, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(_("marked missed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["procedure", "due_on"], name="retvisit_proc_idx"),
            models.Index(fields=["outcome", "missed_at", "due_on"], name="retvisit_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "months_after"], name="retvisit_unique")
        ]

    def __str__(self) -> str:
        return f"visit +{self.months_after}m"


class AlertKind(models.TextChoices):
    VISIT_MISSED = "visit_missed", _("Monitoring visit missed")
    VISIT_ALARMING = "visit_alarming", _("Alarming monitoring outcome")
    STEP_OVERDUE = "step_overdue", _("Step overdue")


class ReturnAlert(models.Model):
    """An alert raised to both States (the lead authority and every participant of each side)."""

    procedure = models.ForeignKey(ReturnProcedure, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("alert"), max_length=20, choices=AlertKind.choices)
    visit = models.ForeignKey(
        MonitoringVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    step = models.ForeignKey(
        ReturnStep, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    organisations = models.ManyToManyField(Organisation, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["procedure", "kind"], name="retalert_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


__all__ = [
    "CANCELLABLE_STATES",
    "FINAL_STATES",
    "RETURN_STEPS",
    "AlertKind",
    "AlternativeKind",
    "ArrangementApproval",
    "DecisionOutcome",
    "LegalBasisArrangement",
    "MonitoringVisit",
    "OnSiteAssessment",
    "ProceedingsCheck",
    "ReceptionConfirmation",
    "ReceptionKind",
    "ReintegrationService",
    "ReturnAlert",
    "ReturnConsent",
    "ReturnDecision",
    "ReturnEvent",
    "ReturnParticipant",
    "ReturnProcedure",
    "ReturnProcedureGroupObjectPermission",
    "ReturnProcedureUserObjectPermission",
    "ReturnRiskFactor",
    "ReturnRiskPolicy",
    "ReturnState",
    "ReturnStep",
    "RiskAssessment",
    "RiskContribution",
    "RiskRating",
    "ServiceKind",
    "ServiceStatus",
    "Side",
    "TravelDocument",
    "TravelDocumentKind",
]
