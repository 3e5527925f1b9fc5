"""The records the safeguards of a return read: the person's consent, the check of criminal
proceedings, the on-site assessment, the reception confirmation and the legal basis."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Organisation

from .procedure import ReturnProcedure, Side

__all__ = [
    "ArrangementApproval",
    "LegalBasisArrangement",
    "OnSiteAssessment",
    "ProceedingsCheck",
    "ReceptionConfirmation",
    "ReceptionKind",
    "ReturnConsent",
]


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
