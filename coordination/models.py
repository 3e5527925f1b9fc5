"""Who is who: countries, organisations, memberships with roles, coordination bodies.

An organisation is the unit of access (PRODUCT.md): each has a django-guardian group holding its
active members; object permissions are granted to that group, never to a user directly.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.events import Event


class Country(models.Model):
    """ISO 3166-1 alpha-2; all of them ship as reference data (django-countries' list)."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A kind of service an organisation offers (shelter, medical, legal aid, ...)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    GOVERNMENT_MINISTRY = "government_ministry", _("Government ministry")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    PROSECUTION = "prosecution_judiciary", _("Prosecution / judiciary")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
    IMMIGRATION = "immigration", _("Immigration")
    ASYLUM_AUTHORITY = "asylum_authority", _("Asylum authority")
    SOCIAL_SERVICES = "social_services", _("Social services")
    CHILD_PROTECTION = "child_protection", _("Child protection authority")
    HEALTH = "health", _("Health")
    CONSULAR = "consular_diplomatic", _("Consular / diplomatic")
    NGO = "ngo", _("NGO / civil society")
    INTERNATIONAL = "international_organisation", _("International organisation")
    TRADE_UNION = "trade_union", _("Trade union")
    EMPLOYERS = "employers_organisation", _("Employers' organisation")
    PRIVATE_SECTOR = "private_sector", _("Private sector")


# Organisations acting for a State (seed 001 footnote 19 asks statistics to tell services by
# State actors from those by non-State actors).
STATE_KINDS = frozenset(
    {
        OrganisationKind.GOVERNMENT_MINISTRY,
        OrganisationKind.LAW_ENFORCEMENT,
        OrganisationKind.PROSECUTION,
        OrganisationKind.LABOUR_INSPECTORATE,
        OrganisationKind.IMMIGRATION,
        OrganisationKind.ASYLUM_AUTHORITY,
        OrganisationKind.SOCIAL_SERVICES,
        OrganisationKind.CHILD_PROTECTION,
        OrganisationKind.HEALTH,
        OrganisationKind.CONSULAR,
    }
)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind"), max_length=40, choices=OrganisationKind.choices, db_index=True
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("Empty for international organisations."),
    )
    represents_country = models.ForeignKey(
        Country,
        verbose_name=_("represents the State of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented_by",
        help_text=_(
            "For an embassy or consulate: the State it represents (seed 004: asylum seekers "
            "are never referred to the authorities of their country of origin)."
        ),
    )
    mandate = models.TextField(_("mandate"), blank=True)
    areas_of_operation = models.TextField(_("areas of operation"), blank=True)
    services = models.ManyToManyField(
        Service, verbose_name=_("services offered"), blank=True, related_name="organisations"
    )
    website = models.URLField(_("website"), blank=True)
    # Private contact points: shown only to members of the organisation and its partners.
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_address = models.TextField(_("contact address"), blank=True)
    emergency_phone = models.CharField(_("24/7 emergency line"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="organisation", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        indexes = [models.Index(fields=["country", "kind"], name="org_country_kind_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def is_state_actor(self) -> bool:
        return self.kind in STATE_KINDS

    @property
    def acts_for_country(self) -> Country | None:
        """The State this organisation is an authority of (an embassy: the State it represents)."""
        return self.represents_country or self.country


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CASE_OFFICER = "case_officer", _("Case officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    MINISTRY_OFFICIAL = "ministry_official", _("Ministry official")
    AUDITOR = "auditor", _("Auditor")
    ORG_ADMIN = "organisation_admin", _("Organisation admin")


# Roles whose holders can see a person's identifying details, so must sign in with a second factor.
CASE_DATA_ROLES = frozenset({Role.CASE_OFFICER, Role.SUPERVISOR})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    can_sign_agreements = models.BooleanField(
        _("may sign agreements for the organisation"), default=False
    )
    title = models.CharField(_("job title"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "is_active"], name="membership_user_active_idx"),
            models.Index(
                fields=["organisation", "role", "is_active"], name="membership_org_role_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"


class CoordinationBodyKind(models.TextChoices):
    NATIONAL_COMMITTEE = "national_committee", _("National committee")
    TASK_FORCE = "task_force", _("Task force")
    ROUNDTABLE = "roundtable", _("Roundtable")
    REGIONAL = "regional_body", _("Regional body")


class CoordinationBody(models.Model):
    """A national coordination mechanism (seed 004: a national coordinator who is a high-level
    official or agency, and a committee or roundtable of senior representatives of government
    agencies and civil society), or a regional one."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=CoordinationBodyKind.choices)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="coordination_bodies"
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    countries = models.ManyToManyField(Country, blank=True, related_name="regional_bodies")
    national_coordinator = models.ForeignKey(
        Organisation,
        verbose_name=_("national coordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_bodies",
    )
    coordinator_title = models.CharField(_("coordinator (office held)"), max_length=200, blank=True)
    terms_of_reference = models.TextField(_("terms of reference"), blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    members = models.ManyToManyField(
        Organisation, through="BodySeat", related_name="coordination_bodies"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("coordination body")
        verbose_name_plural = _("coordination bodies")

    def __str__(self) -> str:
        return self.name


class Seat(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class BodySeat(models.Model):
    body = models.ForeignKey(CoordinationBody, on_delete=models.CASCADE, related_name="seats")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="seats")
    seat = models.CharField(_("seat"), max_length=20, choices=Seat.choices, default=Seat.MEMBER)

    class Meta:
        ordering = ["body", "seat", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "organisation"], name="bodyseat_unique")
        ]
        indexes = [models.Index(fields=["organisation", "seat"], name="bodyseat_org_seat_idx")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_seat_display()} of {self.body}"


MEMBERSHIP_TRANSITIONS = {
    "add": _("added"),
    "update": _("updated"),
    "reactivate": _("added again"),
    "change_role": _("role changed"),
    "grant_signing": _("may now sign agreements"),
    "revoke_signing": _("may no longer sign agreements"),
    "change_title": _("job title changed"),
    "end": _("ended"),
}


class MembershipEvent(Event):
    """One row per change of a membership (added, role changed, signing right, ended)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="membership_events"
    )

    class Meta(Event.Meta):
        verbose_name = _("membership event")
        indexes = [models.Index(fields=["organisation", "occurred_at"], name="memevent_org_idx")]

    @property
    def transition_label(self) -> str:
        return str(MEMBERSHIP_TRANSITIONS.get(self.transition, self.transition))
