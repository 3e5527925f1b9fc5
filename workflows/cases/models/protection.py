"""Protection records of a case: reflection period, residence status, guardian and best-interests
determination for a child, family tracing. Flags the returns app reads:

* `selectors.reflection_period_running(case=...)` — the running period or None (returns: the
  reflection period is not cut short without the person's own decision, seed 004:316).
* `selectors.guardian_current(case=...)`, `best_interests_latest(case=...)` (returns: a child
  returns only on a best-interests determination with a guardian appointed, seed 004:317).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from concord.fields import EncryptedTextField
from coordination.models import Organisation

from .cases import Case


class ReflectionOutcome(models.TextChoices):
    """The person's own decision (DOMAIN.md SM-6); it never changes entitlement to assistance
    (seed 004:468)."""

    COOPERATE = "cooperate", _("Will assist the investigation or prosecution")
    NOT_COOPERATE = "not_cooperate", _("Will not assist the investigation or prosecution")
    SEEK_RETURN = "seek_return", _("Wishes to return")
    SEEK_RESIDENCE = "seek_residence", _("Wishes to stay (residence)")
    SEEK_ASYLUM = "seek_asylum", _("Wishes to seek asylum")
    OTHER = "other", _("Other")


class ReflectionEnd(models.TextChoices):
    EXPIRED = "expired", _("Period ran out")
    PERSON_DECISION = "person_decision", _("Ended early by the person's own decision")


class ReflectionPeriod(models.Model):
    """seed 004:281 "Reflection periods vary amongst States, and typically range from 30 to 90
    days"; its length comes from the country's CountrySettings."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reflection_periods")
    started_on = models.DateField(_("started on"))
    length_days = models.PositiveSmallIntegerField(_("length (days)"))
    ends_on = models.DateField(_("ends on"), db_index=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_kind = models.CharField(max_length=20, choices=ReflectionEnd.choices, blank=True)
    outcome = models.CharField(
        _("the person's decision"), max_length=20, choices=ReflectionOutcome.choices, blank=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("reflection period")
        indexes = [models.Index(fields=["case", "ended_on"], name="reflection_case_open_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.started_on}-{self.ends_on}"

    def is_running(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.ended_on is None and self.started_on <= on < self.ends_on

    def days_left(self, on: dt.date | None = None) -> int:
        on = on or timezone.localdate()
        return max(0, (self.ends_on - on).days) if self.ended_on is None else 0


class ResidenceKind(models.TextChoices):
    NONE = "none", _("No residence right")
    TEMPORARY = "temporary", _("Temporary residence")
    PERMANENT = "permanent", _("Permanent residence")
    CITIZEN = "citizen", _("National / lawful resident")


class ResidenceGround(models.TextChoices):
    """seed 004:293-294, 001:475 (DOMAIN.md §5.7)."""

    REFLECTION = "reflection_recovery", _("Reflection and recovery")
    PROCEEDINGS = "proceedings", _("Participation in proceedings")
    HUMANITARIAN = "humanitarian", _("Humanitarian / personal situation")
    REFUGEE = "refugee_status", _("Refugee status")
    SUBSIDIARY = "subsidiary_protection", _("Subsidiary protection")
    DANGER_ON_RETURN = "danger_on_return", _("Danger on return")
    OTHER = "other", _("Other")


class ResidenceStatus(models.Model):
    """One row per change; the latest is the current status (nothing edited in place)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="residence_statuses")
    kind = models.CharField(_("residence"), max_length=20, choices=ResidenceKind.choices)
    ground = models.CharField(
        _("ground"), max_length=30, choices=ResidenceGround.choices, blank=True
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_by = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("residence status")
        verbose_name_plural = _("residence statuses")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class GuardianResponsibility(models.TextChoices):
    """seed 004:314: the guardian's responsibilities."""

    CARE = "care", _("Appropriate care")
    ACCOMMODATION = "accommodation", _("Accommodation")
    HEALTH = "health_care", _("Health care")
    PSYCHOSOCIAL = "psychosocial", _("Psycho-social support")
    EDUCATION = "education", _("Education")
    LANGUAGE = "language_support", _("Language support")
    RIGHTS = "informing_of_rights", _("Keeping the child informed of their rights")
    SOLUTIONS = "sustainable_solutions", _("Identifying sustainable protection solutions")


class GuardianAppointment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="guardians")
    guardian_name = EncryptedTextField(_("guardian"))
    guardian_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appointed_by = models.ForeignKey(
        Organisation,
        verbose_name=_("appointed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointed_on = models.DateField(_("appointed on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    is_accompanying_adult = models.BooleanField(
        _("the adult accompanying the child"), default=False
    )
    involvement_assessed = models.BooleanField(
        _("assessed: not suspected of involvement in the trafficking"), default=False
    )
    responsibilities = models.JSONField(_("responsibilities"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-appointed_on", "-id"]
        verbose_name = _("guardian appointment")
        indexes = [models.Index(fields=["case", "ended_on"], name="guardian_case_active_idx")]

    def __str__(self) -> str:
        return f"guardian #{self.pk} of {self.case_id}"


class BestInterestsOutcome(models.TextChoices):
    STAY_IN_COUNTRY = "stay_in_country", _("Remain in the country of identification")
    RETURN_TO_FAMILY = "return_to_family", _("Return to the family")
    RETURN_TO_ORIGIN = "return_to_origin", _("Return to the country of origin")
    ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
    THIRD_COUNTRY = "third_country", _("Resettlement in a third country")


RETURN_OUTCOMES = frozenset(
    {BestInterestsOutcome.RETURN_TO_FAMILY, BestInterestsOutcome.RETURN_TO_ORIGIN}
)


class BestInterestsDetermination(models.Model):
    """seed 004:314 best-interest determinations; seed 004:315 the child's views "given due weight,
    in accordance with the age and maturity of the child"; seed 001:472 return to the family
    "evaluated beforehand by an on-site investigation"."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="best_interests")
    determined_on = models.DateField(_("determined on"), default=timezone.localdate)
    determined_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    child_views = EncryptedTextField(_("the child's views"))
    weight_given_to_views = models.CharField(
        _("weight given to the views (age and maturity)"), max_length=200
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=BestInterestsOutcome.choices)
    on_site_investigation_done = models.BooleanField(
        _("on-site investigation of the conditions of return done"), default=False
    )
    reasoning = EncryptedTextField(_("reasoning"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-determined_on", "-id"]
        verbose_name = _("best-interests determination")

    def __str__(self) -> str:
        return f"BID #{self.pk} of {self.case_id}"

    @property
    def supports_return(self) -> bool:
        return self.outcome in RETURN_OUTCOMES


class TracingState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    TRACING = "tracing", _("Tracing")
    LOCATED = "located", _("Family located")
    NOT_LOCATED = "not_located", _("Family not located")
    REUNIFICATION_RECOMMENDED = "reunification_recommended", _("Reunification recommended")
    REUNIFICATION_NOT_RECOMMENDED = "reunification_not_recommended", _("Reunification not advised")
    REUNITED = "reunited", _("Reunited")
    CLOSED = "closed", _("Closed")


class FamilyTracing(models.Model):
    """seed 004:307: tracing from the victim's wish; "it is important to ensure that family members
    were not complicit in the trafficking of the victim. This is especially essential in the case of
    children and unaccompanied minors"."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family_tracings")
    state = FSMField(default=TracingState.REQUESTED, choices=TracingState.choices, protected=True)
    requested_by_person = models.BooleanField(_("requested by the person"), default=False)
    complicity_assessed = models.BooleanField(_("complicity of the family assessed"), default=False)
    family_complicit = models.BooleanField(_("family members complicit"), null=True, blank=True)
    complicity_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    complicity_notes = EncryptedTextField(_("notes on the assessment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("family tracing")

    def __str__(self) -> str:
        return f"tracing #{self.pk} of {self.case_id}"

    @transition(field=state, source=TracingState.REQUESTED, target=TracingState.TRACING)
    def start(self) -> None:
        pass

    @transition(field=state, source=TracingState.TRACING, target=TracingState.LOCATED)
    def locate(self) -> None:
        pass

    @transition(field=state, source=TracingState.TRACING, target=TracingState.NOT_LOCATED)
    def not_locate(self) -> None:
        pass

    @transition(
        field=state, source=TracingState.LOCATED, target=TracingState.REUNIFICATION_RECOMMENDED
    )
    def recommend_reunification(self) -> None:
        pass

    @transition(
        field=state, source=TracingState.LOCATED, target=TracingState.REUNIFICATION_NOT_RECOMMENDED
    )
    def advise_against_reunification(self) -> None:
        pass

    @transition(
        field=state, source=TracingState.REUNIFICATION_RECOMMENDED, target=TracingState.REUNITED
    )
    def reunite(self) -> None:
        pass

    @transition(
        field=state,
        source=[
            TracingState.REQUESTED,
            TracingState.TRACING,
            TracingState.LOCATED,
            TracingState.NOT_LOCATED,
            TracingState.REUNIFICATION_RECOMMENDED,
            TracingState.REUNIFICATION_NOT_RECOMMENDED,
        ],
        target=TracingState.CLOSED,
    )
    def close(self) -> None:
        pass
