"""Referrals of a presumed victim between agencies (PRODUCT.md "Referral").

State machine: draft → submitted → accepted / declined / information_requested (→ submitted again)
→ in_progress → completed; withdrawn by the sender before completion. Rules live in
`workflows.referrals.guards` and `workflows.referrals.services`; bodies here only set fields.

Need to know (seed 004:225 "Information about victims and their circumstances should only be shared
on a 'need-to-know' basis"): the receiving organisation sees the summary until it accepts, and the
identifying details after acceptance only where the person's consent covers it.

Inboxes read `ReferralVisibility`: one row per (organisation, referral, box) carrying the list's
sort key, state and urgency, written in the same transaction as the grant, so a need-to-know list
is an index range scan whatever the size of the table (PRODUCT.md: ~0.09 ms at a million rows,
against ~20 ms for a generic permission join).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from concord.events import Event
from coordination.models import Organisation, Service
from workflows.cases.models import Case


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class ReferralState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which the receiving organisation has still to answer (deadline runs).
AWAITING_ANSWER = (ReferralState.SUBMITTED,)
# States from which the sender may withdraw ("before completion").
WITHDRAWABLE = (
    ReferralState.DRAFT,
    ReferralState.SUBMITTED,
    ReferralState.INFORMATION_REQUESTED,
    ReferralState.ACCEPTED,
    ReferralState.IN_PROGRESS,
)
REFERRAL_FINAL_STATES = (ReferralState.DECLINED, ReferralState.COMPLETED, ReferralState.WITHDRAWN)


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity at present")
    SERVICE_NOT_OFFERED = "service_not_offered", _("Service requested is not offered")
    OUTSIDE_MANDATE = "outside_mandate", _("Outside our mandate or area of operation")
    ELIGIBILITY = "eligibility", _("Person not eligible for the service")
    SAFETY = "safety", _("Safety concern for the person or staff")
    BETTER_PROVIDER = "better_provider", _("Another provider is better placed")
    OTHER = "other", _("Other (explained in the text)")


class Referral(ConcurrentTransitionMixin, models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    sender = models.ForeignKey(
        Organisation,
        verbose_name=_("sending organisation"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    receiver = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving organisation"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    services = models.ManyToManyField(
        Service, verbose_name=_("services requested"), related_name="+", blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    needs = models.TextField(
        _("needs (no names or identifying details)"),
        blank=True,
        help_text=_(
            "What the person needs from the receiving organisation. Never names, dates "
            "of birth, contacts or document numbers: those travel only as consented."
        ),
    )
    state = FSMField(
        _("state"), default=ReferralState.DRAFT, choices=ReferralState.choices, protected=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    deadline = models.DateTimeField(_("answer due by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=30, choices=DeclineReason.choices, blank=True
    )
    # The agreement in force that gave a cross-border referral its legal basis (guard result).
    legal_basis = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("legal basis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    is_child_protection_referral = models.BooleanField(
        _("automatic child-protection referral"), default=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        indexes = [
            models.Index(fields=["case", "-created_at"], name="referral_case_idx"),
            models.Index(fields=["state", "deadline"], name="referral_state_deadline_idx"),
            models.Index(fields=["sender", "state"], name="referral_sender_state_idx"),
            models.Index(fields=["receiver", "state"], name="referral_receiver_state_idx"),
        ]
        permissions = [
            ("view_referral_summary", _("Can see a referral and its case summary")),
            ("act_on_referral", _("Can answer a referral as its receiver")),
        ]

    def __str__(self) -> str:
        return f"R-{self.pk} ({self.case.reference})" if self.pk else "R-new"

    @property
    def reference(self) -> str:
        return f"R-{self.pk}"

    @property
    def is_cross_border(self) -> bool:
        a = self.sender.acts_for_country
        b = self.receiver.acts_for_country
        return a is not None and b is not None and a.pk != b.pk

    @property
    def is_overdue(self) -> bool:
        return (
            self.state in AWAITING_ANSWER
            and self.deadline is not None
            and self.deadline < timezone.now()
        )

    # --- transitions: bodies only set fields; services hold the rules ---
    @transition(field=state, source=ReferralState.DRAFT, target=ReferralState.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=state, source=ReferralState.SUBMITTED, target=ReferralState.ACCEPTED)
    def accept(self) -> None:
        self.answered_at = timezone.now()

    @transition(field=state, source=ReferralState.SUBMITTED, target=ReferralState.DECLINED)
    def decline(self) -> None:
        self.answered_at = timezone.now()

    @transition(
        field=state, source=ReferralState.SUBMITTED, target=ReferralState.INFORMATION_REQUESTED
    )
    def request_information(self) -> None:
        pass

    @transition(
        field=state, source=ReferralState.INFORMATION_REQUESTED, target=ReferralState.SUBMITTED
    )
    def resubmit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=state, source=ReferralState.ACCEPTED, target=ReferralState.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(field=state, source=ReferralState.IN_PROGRESS, target=ReferralState.COMPLETED)
    def complete(self) -> None:
        self.completed_at = timezone.now()

    @transition(field=state, source=list(WITHDRAWABLE), target=ReferralState.WITHDRAWN)
    def withdraw(self) -> None:
        pass


class ReferralEvent(Event):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("referral event")
        indexes = [
            models.Index(fields=["referral", "occurred_at"], name="refevent_referral_time_idx")
        ]


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass


class Box(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    OUTBOX = "outbox", _("Outbox")


class ReferralVisibility(models.Model):
    """Who may list a referral, keyed for the inbox query: (organisation, box, sort key)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="visibility")
    box = models.CharField(max_length=6, choices=Box.choices)
    # The list's sort key: the answer deadline (submitted) or the creation time (drafts).
    sort_at = models.DateTimeField()
    state = models.CharField(max_length=24, choices=ReferralState.choices)
    urgency = models.CharField(max_length=12, choices=Urgency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "referral", "box"], name="refvis_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "box", "sort_at", "referral"], name="refvis_list_idx"
            ),
            models.Index(
                fields=["organisation", "box", "state", "sort_at"], name="refvis_state_idx"
            ),
            models.Index(fields=["referral"], name="refvis_referral_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.box} of organisation {self.organisation_id}: referral {self.referral_id}"
