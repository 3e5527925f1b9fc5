from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Country, OrganisationKind, Role, Service


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *OrganisationKind.choices],
    )
    service = forms.ChoiceField(label=_("Service"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        used = Country.objects.filter(organisations__isnull=False).distinct().order_by("name")
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            ("", _("All countries")),
            ("INT", _("International")),
            *[(c.code, c.name) for c in used],
        ]
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", _("All services")),
            *[(s.code, _(s.name)) for s in Service.objects.all()],
        ]


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username of an existing account"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    can_sign_agreements = forms.BooleanField(
        label=_("May sign agreements for the organisation"), required=False
    )
    title = forms.CharField(label=_("Job title"), required=False, max_length=120)


class MemberCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 12 characters; give it to your colleague in person."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    can_sign_agreements = forms.BooleanField(
        label=_("May sign agreements for the organisation"), required=False
    )
    title = forms.CharField(label=_("Job title"), required=False, max_length=120)


class MemberChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    can_sign_agreements = forms.BooleanField(
        label=_("May sign agreements for the organisation"), required=False
    )


class MemberEndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
