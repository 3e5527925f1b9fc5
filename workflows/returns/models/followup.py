"""After the decision: the reintegration services, travel documents, post-return monitoring
visits and the alerts they raise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Organisation

from ..schedule import OUTCOME_CHOICES
from .procedure import ReturnProcedure, ReturnStep

__all__ = [
    "AlertKind",
    "MonitoringVisit",
    "ReintegrationService",
    "ReturnAlert",
    "ServiceKind",
    "ServiceStatus",
    "TravelDocument",
    "TravelDocumentKind",
]


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
