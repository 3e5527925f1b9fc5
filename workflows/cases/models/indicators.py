"""Indicators of trafficking (seed 004:150-197) as reference data, their weights, and the
indicators observed on a case.

seed 002:55: indicators "are not in and of themselves proof of trafficking but constitute a signal
that trafficking may be occurring or may have occurred. The presence of an indicator should lead to
further enquiries." Nothing here changes a case's identification state.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.fields import EncryptedTextField
from coordination.models import Country

from .cases import Case


class Weight(models.TextChoices):
    STRONG = "strong", _("Strong")
    MEDIUM = "medium", _("Medium")
    WEAK = "weak", _("Weak")


WEIGHT_ORDER: dict[str, int] = {Weight.STRONG: 0, Weight.MEDIUM: 1, Weight.WEAK: 2}


class PersonCategory(models.TextChoices):
    ADULT = "adult", _("Adult")
    CHILD = "child", _("Child")


class IndicatorCategory(models.Model):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    label = models.CharField(_("label"), max_length=120)
    seed_heading = models.CharField(
        _("heading in the seed"), max_length=200, blank=True, help_text=_("Seed spelling kept.")
    )
    scope_note = models.TextField(_("scope note"), blank=True)
    exploitation_forms = models.JSONField(
        _("forms of exploitation"),
        default=list,
        blank=True,
        help_text=_("Forms this list is for; empty: common to every form."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator list")

    def __str__(self) -> str:
        return str(self.label)


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=10, primary_key=True)
    category = models.ForeignKey(
        IndicatorCategory, on_delete=models.PROTECT, related_name="indicators"
    )
    text = models.CharField(_("indicator"), max_length=300)
    seed_line = models.PositiveIntegerField(_("line in seed 004"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category__order", "order"]
        verbose_name = _("indicator")

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class IndicatorWeight(models.Model):
    """strong / medium / weak for an indicator, by person category and (optionally) form of
    exploitation; `country` empty = the default, a row with a country overrides it there."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="weights")
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person_category = models.CharField(max_length=10, choices=PersonCategory.choices)
    exploitation_form = models.CharField(
        max_length=40, blank=True, help_text=_("Empty: any form of exploitation.")
    )
    weight = models.CharField(max_length=10, choices=Weight.choices)

    class Meta:
        verbose_name = _("indicator weight")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "country", "person_category", "exploitation_form"],
                name="indicatorweight_unique_country",
                condition=models.Q(country__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["indicator", "person_category", "exploitation_form"],
                name="indicatorweight_unique_default",
                condition=models.Q(country__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["country", "indicator"], name="indweight_country_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.person_category} {self.exploitation_form}: {self.weight}"


class ObservedIndicator(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="observed_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    observed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    observed_at = models.DateTimeField(_("observed at"), default=timezone.now)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["observed_at", "id"]
        verbose_name = _("observed indicator")
        constraints = [
            models.UniqueConstraint(fields=["case", "indicator"], name="observed_indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.indicator_id}"
