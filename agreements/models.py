"""Agreements: templates with required elements, agreements, immutable versions, signatures,
approvals, consultation comments, coverage and the event rows of every transition.

Contract for other apps:
* `agreements.selectors.agreements_covering(...)` answers "is there a legal basis?" (coverage.py);
* `Agreement.state` is an FSMField(protected=True): only the services in services.py move it.

An agreement's text lives in its versions: every saved change makes a new `AgreementVersion`
(immutable, with the SHA-256 of a canonical form) holding one `ClauseText` per element and language.
The agreement row holds the working metadata (title, partners, dates, coverage), which each version
snapshots, so that a signature binds the exact text, parties, dates and coverage it was given.
"""

from __future__ import annotations

import secrets
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from concord.errors import ApplicationError
from concord.events import Event
from coordination.models import Country, Organisation

from . import coverage as codes


class AgreementKind(models.TextChoices):
    BILATERAL_MOU = "bilateral_mou", _("Bilateral MOU between States")
    NATIONAL_MOU = "national_mou", _("National MOU between government agencies and civil society")
    SOP = "sop", _("Standard operating procedures")


class Template(models.Model):
    """A kind of agreement and its elements (reference data in agreements/reference/)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices, db_index=True)
    between_states = models.BooleanField(
        _("between States"),
        default=False,
        help_text=_("Partners act for their States: each partner names the country it acts for."),
    )
    description = models.TextField(_("description"), blank=True)
    sources = models.TextField(_("seed sources"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("template")

    def __str__(self) -> str:
        return self.name


class TemplateElement(models.Model):
    """One element of a template. `rules` is data read by compliance.py, e.g.::

    [{"check": "present"},
     {"check": "mentions", "when_target_groups": ["children"], "blocking": true,
      "groups": [{"label": "children", "terms": ["child", "minor"]}, ...]}]
    """

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="elements")
    key = models.SlugField(_("key"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance for the drafter"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    rules = models.JSONField(_("check rules"), default=list, blank=True)
    sources = models.CharField(_("seed sources"), max_length=300, blank=True)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("template element")
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="tplelement_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.template.code}:{self.key}"


class RecommendedCommitment(models.Model):
    """Seed 004:463-474: the practical actions that make a commitment work; a drafter ticks them
    and the compliance report counts them."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.TextField(_("commitment"))
    sources = models.CharField(_("seed source"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("recommended commitment")

    def __str__(self) -> str:
        return self.code


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("In consultation")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded by an amendment")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = AgreementState
EDITABLE_STATES = (S.DRAFT, S.CONSULTATION, S.AWAITING_SIGNATURES)


def new_agreement_reference() -> str:
    body = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(5))
    return f"AGR-{timezone.now().year}-{body}"


class Agreement(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_agreement_reference, editable=False
    )
    template = models.ForeignKey(
        Template, verbose_name=_("template"), on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    state = FSMField(_("state"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    drafted_by = models.ForeignKey(
        Organisation,
        verbose_name=_("drafting organisation"),
        on_delete=models.PROTECT,
        related_name="agreements_drafted",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Language codes; the first is the primary.")
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True, db_index=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    review_date = models.DateField(_("review date"), null=True, blank=True, db_index=True)
    commitments = models.ManyToManyField(
        RecommendedCommitment, verbose_name=_("commitments"), blank=True, related_name="+"
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    current_version = models.ForeignKey(
        "AgreementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_version = models.ForeignKey(
        "AgreementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_into_force_on = models.DateField(
        _("entered into force on"), null=True, blank=True, db_index=True
    )
    ended_on = models.DateField(_("ceased to be in force on"), null=True, blank=True, db_index=True)
    review_notified_on = models.DateField(null=True, blank=True, editable=False)
    expiry_notified_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("agreement")
        indexes = [
            models.Index(fields=["state", "effective_date"], name="agr_state_effective_idx"),
            models.Index(fields=["state", "end_date"], name="agr_state_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    # --- transitions: bodies only set fields; services run guards, events and signals ---------
    @transition(field=state, source=S.DRAFT, target=S.CONSULTATION)
    def open_consultation(self) -> None:
        pass

    @transition(field=state, source=S.CONSULTATION, target=S.AWAITING_SIGNATURES)
    def request_signatures(self) -> None:
        pass

    @transition(field=state, source=S.AWAITING_SIGNATURES, target=S.CONSULTATION)
    def reopen(self) -> None:
        """The text changed after it went to signature: back to consultation."""

    @transition(field=state, source=S.AWAITING_SIGNATURES, target=S.IN_FORCE)
    def enter_into_force(self, *, on: Any) -> None:
        self.entered_into_force_on = on
        self.signed_version = self.current_version

    @transition(field=state, source=S.IN_FORCE, target=S.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=state, source=S.SUSPENDED, target=S.IN_FORCE)
    def resume(self) -> None:
        pass

    @transition(field=state, source=[S.IN_FORCE, S.SUSPENDED], target=S.TERMINATED)
    def terminate(self, *, on: Any) -> None:
        self.ended_on = on

    @transition(field=state, source=[S.IN_FORCE, S.SUSPENDED], target=S.EXPIRED)
    def expire(self, *, on: Any) -> None:
        self.ended_on = on

    @transition(field=state, source=[S.IN_FORCE, S.SUSPENDED], target=S.SUPERSEDED)
    def supersede(self, *, on: Any) -> None:
        self.ended_on = on

    @transition(field=state, source=list(EDITABLE_STATES), target=S.WITHDRAWN)
    def withdraw(self) -> None:
        pass


class AgreementUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Agreement, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class AgreementGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Agreement, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass


class AgreementPartner(models.Model):
    """A party: an organisation, and for an agreement between States the country it acts for
    (seed 004:457 "Partners to the commitment, their mandates and the areas they will operate")."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreement_partnerships"
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("acts for the State of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mandate = models.TextField(_("mandate"), blank=True)
    area_of_operation = models.TextField(_("area of operation"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["agreement", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="agrpartner_unique_org"
            )
        ]
        indexes = [models.Index(fields=["organisation", "agreement"], name="agrpartner_org_idx")]

    def __str__(self) -> str:
        return (
            f"{self.organisation} ({self.country_id})"
            if self.country_id
            else str(self.organisation)
        )


class _Immutable(models.Model):
    """Rows that never change once written: Python refuses it, and on PostgreSQL a trigger."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ApplicationError(
                "A version of an agreement never changes; save a new one.", code="immutable"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ApplicationError("A version of an agreement is never deleted.", code="immutable")


class AgreementVersion(_Immutable):
    """An immutable snapshot: `meta` (title, dates, partners, coverage, commitments) + its clauses.
    `content_hash` = SHA-256 of versioning.canonical_bytes(meta, clauses)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, db_index=True)
    meta = models.JSONField(_("metadata snapshot"), default=dict)
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(_Immutable.Meta):
        ordering = ["agreement", "number"]
        verbose_name = _("agreement version")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agrversion_unique_no")
        ]
        triggers = [
            pgtrigger.Protect(
                name="agrversion_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.content_hash[:12]}"

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


class ClauseText(_Immutable):
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="clauses")
    element = models.ForeignKey(TemplateElement, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language"), max_length=10)
    text = models.TextField(_("clause text"), blank=True)

    class Meta(_Immutable.Meta):
        ordering = ["version", "element__position", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "element", "language"], name="clause_unique_per_lang"
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="clause_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.element.key} [{self.language}]"


class Approval(models.Model):
    """A partner marks a version as approved (during consultation)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="approvals")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"], name="approval_unique_per_version"
            )
        ]
        indexes = [models.Index(fields=["agreement", "version"], name="approval_agr_version_idx")]

    def __str__(self) -> str:
        return f"approval {self.organisation_id} v{self.version_id}"


class Signature(models.Model):
    """Binds the signer, the organisation, the time and the exact version hash. Voided (never
    deleted) when the text changes after it was given."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    version_hash = models.CharField(_("signed content hash"), max_length=64)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreement_signatures"
    )
    signer_name = models.CharField(_("signed by"), max_length=200)
    signer_title = models.CharField(_("title"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("why voided"), max_length=300, blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"],
                condition=models.Q(voided_at__isnull=True),
                name="signature_one_per_org_version",
            )
        ]
        indexes = [models.Index(fields=["agreement", "voided_at"], name="signature_agr_void_idx")]

    def __str__(self) -> str:
        return f"signature {self.organisation_id} {self.version_hash[:12]}"

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None


class Comment(models.Model):
    """A consultation comment on an element (or the whole text); answered by replies, resolved."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    element = models.ForeignKey(
        TemplateElement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["agreement", "resolved_at"], name="comment_agr_open_idx")]

    def __str__(self) -> str:
        return f"comment #{self.pk}"


class AgreementEvent(Event):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("agreement event")
        indexes = [models.Index(fields=["agreement", "occurred_at"], name="agrevent_agr_idx")]


class Coverage(models.Model):
    """What the agreement authorises once in force (see coverage.py for the codes and matching)."""

    agreement = models.OneToOneField(
        Agreement, primary_key=True, on_delete=models.CASCADE, related_name="coverage"
    )
    countries = models.ManyToManyField(Country, blank=True, related_name="+")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")

    class Meta:
        verbose_name = _("coverage")

    def __str__(self) -> str:
        return f"coverage of {self.agreement_id}"


class CoverageEntry(models.Model):
    coverage = models.ForeignKey(Coverage, on_delete=models.CASCADE, related_name="entries")
    dimension = models.CharField(
        max_length=20,
        choices=[
            (codes.DIMENSION_PROCEDURE, _("procedure")),
            (codes.DIMENSION_TARGET_GROUP, _("target group")),
            (codes.DIMENSION_DATA_CATEGORY, _("personal-data category")),
        ],
    )
    code = models.CharField(max_length=40)

    class Meta:
        ordering = ["coverage", "dimension", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["coverage", "dimension", "code"], name="coverageentry_unique"
            )
        ]
        indexes = [models.Index(fields=["dimension", "code"], name="coverageentry_code_idx")]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.code}"
