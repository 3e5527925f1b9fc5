"""The case of a presumed victim of trafficking, and what hangs directly off it.

Contract for the apps built on case work (referrals, returns) — read these, do not re-derive them:

* `Case.owner` — the organisation holding the case (the unit of access).
* `Case.nationality` — the person's nationality (a Country, or empty when unknown / stateless).
* `Case.is_or_may_be_child` — True for a known child AND for a presumed child whose age is uncertain
  (seed 001:467 "Where the age of the child is uncertain and there are reasons to believe that the
  victim is a child, the presumption shall be that the victim is a child").
* `Case.has_asylum_claim_or_refugee_status` — True when the person has applied for asylum, is a
  recognised refugee, or there is reason to believe they are a refugee (seed 004:119).
* consent: `selectors.consent_allows_sharing(case=..., organisation=...)`; the records are
  `Consent` rows (a withdrawn one no longer counts, at once).

Identifying details are `EncryptedTextField`s: they never leave through a summary, an event payload,
a log line, a URL, a notification or an error message; they are read through
`selectors.case_identifying_details(...)`, which checks access and logs the view
(PiiAccessLog).
"""

from __future__ import annotations

import secrets

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from concord.events import Event
from concord.fields import EncryptedTextField
from coordination.models import Country, Organisation

# Crockford's base-32 alphabet without look-alikes (no I, L, O, U): readable over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_reference() -> str:
    """A random pseudonymous reference, e.g. "C-2026-7KQ4X9": never derived from the person."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"C-{timezone.now().year}-{body}"


class Gender(models.TextChoices):
    """HTCDS prs_Gender value names."""

    MALE = "Male", _("Male")
    FEMALE = "Female", _("Female")
    TRANSGENDER_NONCONFORMING = "TransgenderNonConforming", _("Transgender / non-conforming")
    UNKNOWN = "Unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Child (under 18)")
    ADULT = "adult", _("Adult (18 or over)")
    UNKNOWN = "unknown", _("Unknown")


class AgeBand(models.TextChoices):
    """Exact age bands (IOM CTDC `ageBroad`), so statistics need not lump all under-18s together
    (seed 003:2444 "the evolving capacity of the child")."""

    B0_8 = "0-8", "0-8"
    B9_17 = "9-17", "9-17"
    B18_20 = "18-20", "18-20"
    B21_23 = "21-23", "21-23"
    B24_26 = "24-26", "24-26"
    B27_29 = "27-29", "27-29"
    B30_38 = "30-38", "30-38"
    B39_47 = "39-47", "39-47"
    B48_PLUS = "48+", "48+"
    UNKNOWN = "unknown", _("Unknown")


CHILD_BANDS = frozenset({AgeBand.B0_8, AgeBand.B9_17})


class MinorStatus(models.TextChoices):
    KNOWN_CHILD = "known_child", _("Known child")
    # seed 001:467 / 004:109 / 004:314: the presumption of minority.
    PRESUMED_CHILD = "presumed_child", _("Presumed child (age uncertain, may be under 18)")
    ADULT = "adult", _("Adult")


class ExploitationForm(models.TextChoices):
    """Forms of exploitation (seed 004:24-104, 001:394; DOMAIN.md §4.2). `HTCDS_TYPE` maps each to
    HTCDS vic_TypeOfExploitation (ForcedLabour / SexualExploitation / Other) on export."""

    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour or services")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_MARRIAGE = "forced_marriage", _("Forced, servile or early marriage")
    SLAVERY = "slavery", _("Slavery or practices similar to slavery")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    ORGAN_REMOVAL = "organ_removal", _("Removal of organs")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminal activities")
    SALE_OF_CHILDREN = "sale_of_children", _("Sale of children")
    ILLEGAL_ADOPTION = "illegal_adoption", _("Illegal adoption")
    OTHER = "other", _("Other")


HTCDS_EXPLOITATION_TYPE: dict[str, str] = {
    ExploitationForm.SEXUAL_EXPLOITATION: "SexualExploitation",
    ExploitationForm.FORCED_LABOUR: "ForcedLabour",
    ExploitationForm.DOMESTIC_SERVITUDE: "ForcedLabour",
    ExploitationForm.DEBT_BONDAGE: "ForcedLabour",
    ExploitationForm.SLAVERY: "ForcedLabour",
    ExploitationForm.FORCED_BEGGING: "ForcedLabour",
    ExploitationForm.FORCED_CRIMINALITY: "ForcedLabour",
}


class MethodOfControl(models.TextChoices):
    """HTCDS vic_MethodsOfControl value names."""

    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts financial access")
    THREATS = "Threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PSYCHOACTIVE_SUBSTANCES = "PsychoactiveSubstances", _("Psychoactive substances")
    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    USES_CHILDREN = "UsesChildren", _("Uses children")
    THREAT_OF_LAW_ENFORCEMENT = "ThreatOfLawEnforcement", _("Threat of law enforcement")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class MethodOfRecruitment(models.TextChoices):
    """HTCDS vic_MethodOfRecruitment values."""

    ABDUCTION = "Abduction", _("Abduction")
    EDUCATIONAL_FACILITY = "EducationalFacility", _("Educational facility")
    FAMILIAL = "Familial", _("Familial")
    INTERNET = "Internet", _("Internet (social media, online advertisement)")
    MARRIAGE_BROKER = "InternationalMarriageBroker", _("International marriage broker")
    INTIMATE_PARTNER = "IntimatePartner", _("Intimate partner / marriage proposition")
    JOB_OFFER = "JobOffer", _("Job offer / advertisement")
    POSING_AS_BENEFACTOR = "PosingAsBenefactor", _("Posing as benefactor")
    PUBLIC_AREA = "PublicArea", _("Public area")
    OFFER_OF_ACCOMMODATION = "OfferOfAccommodation", _("Offer of accommodation")
    SHELTER = "Shelter", _("Shelter")
    SMUGGLING = "SmugglingRansom", _("Smuggling, ransom")
    WORK = "Work", _("Work")
    OTHER = "Other", _("Other")
    UNKNOWN = "Unknown", _("Unknown")


class AsylumStatus(models.TextChoices):
    NONE = "none", _("None")
    APPLIED = "applied", _("Has applied for asylum")
    RECOGNISED_REFUGEE = "recognised_refugee", _("Recognised refugee")
    # seed 004:119 "or if there is reason to believe that a person is a refugee"
    REASON_TO_BELIEVE_REFUGEE = "reason_to_believe_refugee", _("Reason to believe a refugee")


class SpecialNeed(models.TextChoices):
    """seed 004:312 (victims with special needs)."""

    DISABILITY = "disability", _("Disability")
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    PREGNANCY = "pregnancy", _("Pregnancy")
    SUBSTANCE_DEPENDENCY = "substance_dependency", _("Substance dependency")
    ACCOMPANYING_CHILDREN = "accompanying_children", _("Accompanied by own children")
    INTERPRETATION = "interpretation", _("Interpretation")
    OTHER = "other", _("Other")


class IdentificationState(models.TextChoices):
    """seed 004:105-121: first contact → (presumption) → initial interview → formal confirmation."""

    FIRST_CONTACT = "first_contact", _("First contact")
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")
    IDENTIFIED = "identified", _("Identified")
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_IDENTIFIED = "not_identified", _("Not identified")


class CaseStatus(models.TextChoices):
    """HTCDS cas_Status."""

    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow-up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed (referred)")


CLOSED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED})

IDENTIFYING_FIELDS: tuple[str, ...] = (
    "given_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "contacts",
    "identity_documents",
    "address",
)


class Case(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_case_reference, editable=False
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("holding organisation"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # --- identifying details (encrypted at rest; read only through the PII selector) ---
    given_names = EncryptedTextField(_("given names"), blank=True)
    family_name = EncryptedTextField(_("family name"), blank=True)
    aliases = EncryptedTextField(_("aliases"), blank=True)
    date_of_birth = EncryptedTextField(
        _("date of birth"), blank=True, help_text=_("As known, e.g. 2009-03-14 or 'about 2010'.")
    )
    contacts = EncryptedTextField(_("contacts (phone, e-mail)"), blank=True)
    identity_documents = EncryptedTextField(_("identity document numbers"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)

    # --- non-identifying facts (statistics; HTCDS vocabulary) ---
    gender = models.CharField(
        _("sex / gender"), max_length=30, choices=Gender.choices, default=Gender.UNKNOWN
    )
    age_group = models.CharField(
        _("age group"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    minor_status = models.CharField(
        _("minor status"), max_length=20, choices=MinorStatus.choices, default=MinorStatus.ADULT
    )
    nationality = models.ForeignKey(
        Country,
        verbose_name=_("nationality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when unknown or stateless."),
    )
    country_of_identification = models.ForeignKey(
        Country,
        verbose_name=_("country of identification"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    identified_on = models.DateField(_("date of first contact"), default=timezone.localdate)
    exploitation_forms = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    methods_of_control = models.JSONField(_("methods of control"), default=list, blank=True)
    methods_of_recruitment = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    asylum_status = models.CharField(
        _("asylum status"), max_length=30, choices=AsylumStatus.choices, default=AsylumStatus.NONE
    )
    special_needs = models.JSONField(_("special needs"), default=list, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=40, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)

    identification_state = FSMField(
        _("identification"),
        default=IdentificationState.FIRST_CONTACT,
        choices=IdentificationState.choices,
        protected=True,
    )
    status = models.CharField(
        _("case status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="case_owner_created_idx"),
            models.Index(fields=["status", "closed_at"], name="case_status_closed_idx"),
            models.Index(
                fields=["country_of_identification", "identification_state"],
                name="case_country_state_idx",
            ),
        ]
        permissions = [
            ("view_case_summary", _("Can see the need-to-know summary of a case")),
            ("view_case_details", _("Can see the identifying details of a case")),
        ]

    def __str__(self) -> str:
        return self.reference  # never the person's name

    # --- flags the referral and return guards read ---
    @property
    def is_or_may_be_child(self) -> bool:
        """A known child, or a presumed child whose age is uncertain (seed 001:467)."""
        return self.minor_status in (MinorStatus.KNOWN_CHILD, MinorStatus.PRESUMED_CHILD)

    @property
    def has_asylum_claim_or_refugee_status(self) -> bool:
        """seed 004:119: applied for asylum, or reason to believe a refugee (or recognised)."""
        return self.asylum_status != AsylumStatus.NONE

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    # --- identification (seed 004:105-121); bodies only set fields, services hold the rules ---
    @transition(
        field=identification_state,
        source=IdentificationState.FIRST_CONTACT,
        target=IdentificationState.PRESUMED_VICTIM,
    )
    def presume(self) -> None:
        """seed 004:107: the presumption gives access to assistance and protection at once."""

    @transition(
        field=identification_state,
        source=IdentificationState.PRESUMED_VICTIM,
        target=IdentificationState.IDENTIFIED,
    )
    def identify(self) -> None:
        """After the initial interview (seed 004:117)."""

    @transition(
        field=identification_state,
        source=IdentificationState.IDENTIFIED,
        target=IdentificationState.CONFIRMED,
    )
    def confirm(self) -> None:
        """Formal confirmation where the jurisdiction has it (seed 004:121)."""

    @transition(
        field=identification_state,
        source=[IdentificationState.FIRST_CONTACT, IdentificationState.PRESUMED_VICTIM],
        target=IdentificationState.NOT_IDENTIFIED,
    )
    def rule_out(self) -> None:
        """Not identified, with grounds; the record is kept. Not from identified/confirmed:
        seed 004:121 "could not be successfully prosecuted does not mean that a person is not a
        victim"."""

    @transition(
        field=identification_state,
        source=IdentificationState.NOT_IDENTIFIED,
        target=IdentificationState.PRESUMED_VICTIM,
    )
    def reopen(self) -> None:
        """A review reinstates the presumption."""


class CaseEvent(Event):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("case event")
        indexes = [models.Index(fields=["case", "occurred_at"], name="caseevent_case_time_idx")]


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass


class CountrySettings(models.Model):
    """Per-country settings of case work (reflection period, retention), editable in the admin.
    A country without a row uses the project defaults (settings.CONCORD_*)."""

    country = models.OneToOneField(
        Country, primary_key=True, on_delete=models.CASCADE, related_name="case_settings"
    )
    # seed 004:281 "typically range from 30 to 90 days"
    reflection_days = models.PositiveSmallIntegerField(
        _("reflection period (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the project default (CONCORD_REFLECTION_DAYS_DEFAULT, 30)."),
    )
    retention_days = models.PositiveIntegerField(
        _("retention of closed cases (days)"),
        null=True,
        blank=True,
        help_text=_(
            "A closed case is anonymised this many days after it was closed. Empty: the project "
            "default (CONCORD_CASE_RETENTION_DAYS_DEFAULT)."
        ),
    )
    identifying_authority_kinds = models.JSONField(
        _("kinds of organisation that identify victims"),
        default=list,
        blank=True,
        help_text=_(
            "seed 004:19: identification is allocated to law enforcement in some States, social "
            "welfare agencies in others, or delegated to specialised NGOs. Empty: any holding "
            "organisation identifies."
        ),
    )
    has_formal_confirmation = models.BooleanField(
        _("has formal confirmation of victim status"),
        default=True,
        help_text=_("seed 004:121: the formal stage applies only in some jurisdictions."),
    )

    class Meta:
        verbose_name = _("country case settings")
        verbose_name_plural = _("country case settings")

    def __str__(self) -> str:
        return str(self.country_id)

    @staticmethod
    def reflection_days_for(country_id: str | None) -> int:
        row = CountrySettings.objects.filter(country_id=country_id).first()
        if row is not None and row.reflection_days:
            return row.reflection_days
        return int(settings.CONCORD_REFLECTION_DAYS_DEFAULT)

    @staticmethod
    def retention_days_for(country_id: str | None) -> int:
        row = CountrySettings.objects.filter(country_id=country_id).first()
        if row is not None and row.retention_days:
            return row.retention_days
        return int(settings.CONCORD_CASE_RETENTION_DAYS_DEFAULT)


class ConsentCategory(models.TextChoices):
    """What the person agreed may be shared."""

    SUMMARY = "summary", _("Need-to-know summary (no identifying details)")
    IDENTIFYING_DETAILS = "identifying_details", _("Identifying details")
    HEALTH = "health", _("Health information")
    CASE_HISTORY = "case_history", _("Case history")


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance and protection")
    REFERRAL = "referral", _("Referral to other services")
    LEGAL_PROCEEDINGS = "legal_proceedings", _("Legal proceedings")
    RETURN = "return", _("Return and reintegration")
    FAMILY_TRACING = "family_tracing", _("Family tracing")


class Consent(models.Model):
    """What the person agreed to share, for what purpose, with whom; informed orally and in writing
    in a language they understand (seed 004:466, 004:471). Withdrawal stops sharing at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    categories = models.JSONField(_("what may be shared"), default=list)
    purposes = models.JSONField(_("purposes"), default=list)
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("with these organisations"),
        blank=True,
        related_name="+",
    )
    organisation_kinds = models.JSONField(
        _("with these kinds of organisation"), default=list, blank=True
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
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, db_index=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent")
        indexes = [models.Index(fields=["case", "withdrawn_at"], name="consent_case_active_idx")]

    def __str__(self) -> str:
        return f"consent #{self.pk} for {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def covers(self, organisation: Organisation, category: str) -> bool:
        """Whether this (active) consent covers sharing `category` with `organisation`. Relies on
        `organisations` being prefetched when called in a loop."""
        if not self.is_active or category not in self.categories:
            return False
        if organisation.kind in self.organisation_kinds:
            return True
        return any(o.pk == organisation.pk for o in self.organisations.all())


class PiiPurpose(models.TextChoices):
    CASE_WORK = "case_work", _("Case work")
    REFERRAL = "referral", _("Referral")
    RETURN = "return", _("Return procedure")
    EXPORT = "export", _("Data export")
    AUDIT = "audit", _("Audit")


class PiiAccessLog(models.Model):
    """One row per view of a case's identifying details: who, when, which case, why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pii_access_log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accessed_at = models.DateTimeField(default=timezone.now)
    purpose = models.CharField(_("purpose"), max_length=20, choices=PiiPurpose.choices)
    channel = models.CharField(_("channel"), max_length=10, default="page")

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("identifying-details access")
        indexes = [models.Index(fields=["case", "-accessed_at"], name="piilog_case_time_idx")]
        triggers = [
            pgtrigger.Protect(
                name="pii_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.accessed_at:%Y-%m-%d %H:%M}"
