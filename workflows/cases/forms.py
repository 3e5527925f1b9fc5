"""Forms of the case pages. They only parse input; rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import Country, Organisation, OrganisationKind

from .models import (
    AgeBand,
    ConsentCategory,
    ConsentPurpose,
    ExploitationForm,
    Gender,
    Indicator,
    MinorStatus,
)


class FirstContactForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Registering organisation")
    )
    given_names = forms.CharField(label=_("Given names"), required=False, max_length=200)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=200)
    date_of_birth = forms.CharField(
        label=_("Date of birth (if known)"), required=False, max_length=40
    )
    contacts = forms.CharField(label=_("Phone / contact"), required=False, max_length=200)
    gender = forms.ChoiceField(
        label=_("Sex / gender"),
        choices=Gender.choices,
        initial=Gender.UNKNOWN,
        widget=forms.RadioSelect,
    )
    minor_status = forms.ChoiceField(
        label=_("Age"),
        choices=MinorStatus.choices,
        initial=MinorStatus.ADULT,
        widget=forms.RadioSelect,
        help_text=_(
            "If the age is uncertain and the person may be under 18, choose “presumed child”: "
            "the case is treated as a child's and referred to child protection at once."
        ),
    )
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices, initial="unknown")
    nationality = forms.ModelChoiceField(
        queryset=Country.objects.all(), required=False, label=_("Nationality")
    )
    preferred_language = forms.CharField(
        label=_("Language the person understands"), required=False, max_length=40
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Forms of exploitation (suspected)"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators observed"), choices=[], required=False
    )
    consent_categories = forms.MultipleChoiceField(
        label=_("The person agrees to share"),
        choices=ConsentCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_kinds = forms.MultipleChoiceField(
        label=_("with these kinds of organisation"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_informed_orally = forms.BooleanField(label=_("Informed orally"), required=False)
    consent_informed_in_writing = forms.BooleanField(label=_("Informed in writing"), required=False)
    consent_language = forms.CharField(label=_("in the language"), required=False, max_length=40)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = organisations
        if len(organisations) == 1:
            self.fields["owner"].initial = organisations[0]
            self.fields["owner"].widget = forms.HiddenInput()
        indicator_field = self.fields["indicators"]
        assert isinstance(indicator_field, forms.MultipleChoiceField)
        indicator_field.choices = list(
            Indicator.objects.filter(is_active=True).values_list("code", "text")
        )

    def facts(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "gender": d["gender"],
            "minor_status": d["minor_status"],
            "age_band": d["age_band"],
            "nationality": d["nationality"],
            "preferred_language": d["preferred_language"],
            "interpreter_needed": d["interpreter_needed"],
            "exploitation_forms": d["exploitation_forms"],
        }

    def identifying(self) -> dict[str, str]:
        d = self.cleaned_data
        return {k: d[k] for k in ("given_names", "family_name", "date_of_birth", "contacts")}

    def consent(self) -> dict[str, Any] | None:
        d = self.cleaned_data
        if not d["consent_categories"]:
            return None
        return {
            "categories": d["consent_categories"],
            "purposes": [ConsentPurpose.ASSISTANCE, ConsentPurpose.REFERRAL],
            "organisation_kinds": d["consent_kinds"],
            "informed_orally": d["consent_informed_orally"],
            "informed_in_writing": d["consent_informed_in_writing"],
            "language": d["consent_language"] or d["preferred_language"],
        }
