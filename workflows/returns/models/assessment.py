"""The risk assessment both States contribute to (a new version on each reassessment) and the
decision that names the version it relied on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Country, Organisation

from ..risk import LEVEL_CHOICES, RATING_CHOICES
from .procedure import AlternativeKind, ReturnProcedure, ReturnRiskFactor, Side

__all__ = [
    "DecisionOutcome",
    "ReturnDecision",
    "RiskAssessment",
    "RiskContribution",
    "RiskRating",
]


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
