"""Page forms: they parse and check types; the rules live in the services and guards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Organisation
from coordination.work.models import (
    AttendanceStatus,
    FrameworkItem,
    FrameworkItemKind,
    FrameworkRow,
    PlanMeasure,
)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    call_link = forms.URLField(label=_("Call link"), required=False)
    agenda = forms.CharField(
        label=_("Agenda (one item a line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class MeetingDetailsForm(forms.Form):
    """The details of a scheduled meeting; `changes()` gives only what the person changed."""

    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    call_link = forms.URLField(label=_("Call link"), required=False)

    def __init__(self, *args, meeting=None, **kwargs):
        if meeting is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": meeting.title,
                    "starts_at": timezone.localtime(meeting.starts_at),
                    "place": meeting.place,
                    "call_link": meeting.call_link,
                },
            )
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changed = {k: data[k] for k in self.changed_data if k in data}
        shown = self.initial.get("starts_at")
        # The page shows the time to the minute: an untouched field is not a change of seconds.
        if (
            shown is not None
            and "starts_at" in changed
            and changed["starts_at"] == shown.replace(second=0, microsecond=0)
        ):
            del changed["starts_at"]
        return changed


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=300)


class AttendanceForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)
    representatives = forms.IntegerField(label=_("Representatives"), min_value=0, initial=1)

    def __init__(self, *args, body=None, **kwargs):
        super().__init__(*args, **kwargs)
        if body is not None:
            cast(
                forms.ModelChoiceField, self.fields["organisation"]
            ).queryset = Organisation.objects.filter(seats__body=body)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    item_description = forms.CharField(
        label=_("Action item (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    item_owner = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none(), required=False
    )
    item_due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    item_measure = forms.ModelChoiceField(
        label=_("Plan measure (optional)"), queryset=PlanMeasure.objects.none(), required=False
    )

    def __init__(self, *args, body=None, **kwargs):
        super().__init__(*args, **kwargs)
        if body is not None:
            cast(
                forms.ModelChoiceField, self.fields["item_owner"]
            ).queryset = Organisation.objects.filter(seats__body=body)
            cast(
                forms.ModelChoiceField, self.fields["item_measure"]
            ).queryset = PlanMeasure.objects.filter(plan__body=body).select_related("plan")

    def clean(self):
        data = super().clean() or {}
        if data.get("item_description") and not (
            data.get("item_owner") and data.get("item_due_on")
        ):
            raise forms.ValidationError(
                _("An action item needs an owner organisation and a due date.")
            )
        return data


class CompleteForm(forms.Form):
    evidence_link = forms.URLField(label=_("Evidence link"), required=False)
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelItemForm(forms.Form):
    grounds = forms.CharField(
        label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(
        label=_("Period start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    funding_requirements = forms.CharField(
        label=_("Funding requirements"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    funding_sources = forms.CharField(
        label=_("Funding sources"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeasureForm(forms.Form):
    framework_row = forms.ModelChoiceField(
        label=_("Framework row"), queryset=FrameworkRow.objects.all()
    )
    framework_measure = forms.ModelChoiceField(
        label=_("Framework measure"),
        queryset=FrameworkItem.objects.filter(kind=FrameworkItemKind.MEASURE),
        required=False,
    )
    title = forms.CharField(label=_("Measure"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    target = forms.CharField(label=_("Target"), required=False)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_line = forms.CharField(label=_("Budget line"), required=False)
    budget_amount = forms.DecimalField(label=_("Budget amount"), required=False, min_value=0)


class MeasureEditForm(forms.Form):
    """What the secretariat may change on a measure; `changes()` gives only what changed."""

    title = forms.CharField(label=_("Measure"), max_length=300)
    target = forms.CharField(label=_("Target"), required=False)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_line = forms.CharField(label=_("Budget line"), required=False, max_length=200)
    budget_amount = forms.DecimalField(
        label=_("Budget amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )

    def __init__(self, *args, measure=None, **kwargs):
        if measure is not None:
            kwargs.setdefault(
                "initial", {name: getattr(measure, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.changed_data if k in self.cleaned_data}


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=300)
    framework_indicator = forms.ModelChoiceField(
        label=_("Framework indicator"),
        queryset=FrameworkItem.objects.filter(
            kind__in=[
                FrameworkItemKind.OPERATIONAL_INDICATOR,
                FrameworkItemKind.FRAMEWORK_INDICATOR,
            ]
        ),
        required=False,
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    baseline = forms.DecimalField(label=_("Baseline"))
    target_value = forms.DecimalField(label=_("Target value"))


def with_choices_read_once(form: forms.Form) -> forms.Form:
    """The form with each model choice list read now, once: a page that renders the same form
    for every row (an indicator form under each measure) then makes no query per row."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.choices = list(cast(Iterable[tuple[Any, Any]], field.choices))
    return form


class ProgressForm(forms.Form):
    value = forms.DecimalField(label=_("Value"))
    reported_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    narrative = forms.CharField(
        label=_("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_link = forms.URLField(label=_("Evidence link"), required=False)
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)
