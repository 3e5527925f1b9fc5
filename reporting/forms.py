"""The statistics filter form: it only parses input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StatisticsForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    country = forms.CharField(label=_("Country (ISO code)"), required=False, max_length=2)
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
        required=False,
    )
