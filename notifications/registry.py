"""Which domain signal notifies whom, and what it says.

Each `Rule` maps one signal of another app to a notification kind, the organisations and roles
it concerns (the members who act on it), and the words of the notice. Words are built from
references, kinds, states and organisation names only: never a person's name, birth date,
contact or any other identifying field (the cases' encrypted fields are never read here).

The apps that send these signals import nothing from here (STYLE.md: notifications listens to
every app through its signals and is imported by none of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements import signals as agreement_signals
from coordination.models import BodySeat, Role, Seat
from coordination.work import signals as work_signals
from workflows.cases import signals as case_signals
from workflows.referrals import signals as referral_signals
from workflows.returns import signals as return_signals

from .models import EmailMode, Kind

# Roles that act on a person's case and its referrals (seed 004: the case officers and their
# supervisors of the agencies that identify, refer and assist).
CASE_ROLES = (Role.CASE_OFFICER, Role.SUPERVISOR)
# Roles that draft, negotiate and sign agreements for an organisation.
AGREEMENT_ROLES = (Role.COORDINATOR, Role.ORG_ADMIN, Role.MINISTRY_OFFICIAL)
# Roles that carry out and decide returns (both States' authorities and the assisting agencies).
RETURN_ROLES = (Role.MINISTRY_OFFICIAL, Role.COORDINATOR, Role.CASE_OFFICER, Role.SUPERVISOR)
# Roles that follow a coordination body's work.
WORK_ROLES = (Role.COORDINATOR, Role.ORG_ADMIN, Role.MINISTRY_OFFICIAL, Role.SUPERVISOR)
SUPERVISORS = (Role.SUPERVISOR,)


@dataclass(frozen=True)
class Target:
    """Organisations (ids) and the roles of their members who receive the notice."""

    organisation_ids: tuple[int, ...]
    roles: tuple[str, ...]
    signatories: bool = False  # members who may sign agreements, whatever their role


@dataclass(frozen=True)
class Subject:
    """The object a notice is about, as pages and sockets name it."""

    object_type: str
    object_id: int
    reference: str
    state: str
    url: str


@dataclass(frozen=True)
class Rule:
    signal: Signal
    kind: str
    subject: Callable[[Any], Subject]
    targets: Callable[[Any, dict[str, Any]], Iterable[Target]]
    title: Callable[[Any, dict[str, Any]], str]
    body: Callable[[Any, dict[str, Any]], str] = field(default=lambda obj, kw: "")


# --- subjects ---------------------------------------------------------------------------------


def referral_subject(referral: Any) -> Subject:
    return Subject(
        "referral",
        referral.pk,
        referral.reference,
        referral.state,
        reverse("referrals:referral-detail", args=[referral.pk]),
    )


def case_subject(case: Any) -> Subject:
    return Subject(
        "case",
        case.pk,
        case.reference,
        case.identification_state,
        reverse("cases:case-detail", args=[case.pk]),
    )


def consent_subject(consent: Any) -> Subject:
    return case_subject(consent.case)


def period_subject(period: Any) -> Subject:
    return case_subject(period.case)


def agreement_subject(agreement: Any) -> Subject:
    return Subject(
        "agreement",
        agreement.pk,
        agreement.reference,
        agreement.state,
        reverse("agreements:detail", args=[agreement.pk]),
    )


def return_subject(procedure: Any) -> Subject:
    return Subject(
        "return",
        procedure.pk,
        procedure.reference,
        procedure.state,
        reverse("returns:return-detail", args=[procedure.pk]),
    )


def item_subject(item: Any) -> Subject:
    return Subject(
        "action_item",
        item.pk,
        f"AI-{item.pk}",
        item.state,
        reverse("work:item", args=[item.pk]),
    )


def meeting_subject(meeting: Any) -> Subject:
    return Subject(
        "meeting",
        meeting.pk,
        f"M-{meeting.pk}",
        meeting.state,
        reverse("work:meeting", args=[meeting.pk]),
    )


# --- targets ----------------------------------------------------------------------------------


def _ids(*values: Any) -> tuple[int, ...]:
    out: list[int] = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, int):
            out.append(value)
        elif hasattr(value, "pk"):
            out.append(value.pk)
        else:  # an iterable of organisations or ids
            out.extend(_ids(*value))
    return tuple(dict.fromkeys(out))


def body_secretariat_ids(bodies: Iterable[Any]) -> tuple[int, ...]:
    """A coordination body is reached through its national coordinator and its secretariat."""
    bodies = list(bodies)
    ids = [b.national_coordinator_id for b in bodies if b.national_coordinator_id]
    ids += BodySeat.objects.filter(
        body__in=[b.pk for b in bodies], seat__in=[Seat.SECRETARIAT, Seat.CHAIR]
    ).values_list("organisation_id", flat=True)
    return _ids(ids)


def to_receiver(referral: Any, kw: dict[str, Any]) -> list[Target]:
    return [Target(_ids(referral.receiver_id), CASE_ROLES)]


def to_sender(referral: Any, kw: dict[str, Any]) -> list[Target]:
    return [Target(_ids(referral.sender_id), CASE_ROLES)]


def escalation_targets(referral: Any, kw: dict[str, Any]) -> list[Target]:
    # seed 004: the national coordinator follows up referrals that nobody answered.
    return [
        Target(_ids(referral.sender_id, referral.receiver_id), SUPERVISORS),
        Target(body_secretariat_ids(kw.get("bodies") or []), (Role.COORDINATOR,)),
    ]


def lead_transfer_targets(case: Any, kw: dict[str, Any]) -> list[Target]:
    return [Target(_ids(case.owner_id, kw.get("previous_owner")), CASE_ROLES)]


def consent_targets(consent: Any, kw: dict[str, Any]) -> list[Target]:
    # Everyone the consent allowed to receive data must stop sharing at once.
    return [Target(_ids(consent.case.owner_id, list(consent.organisations.all())), CASE_ROLES)]


def case_owner(obj: Any, kw: dict[str, Any]) -> list[Target]:
    return [Target(_ids(obj.case.owner_id), CASE_ROLES)]


def child_protection_targets(case: Any, kw: dict[str, Any]) -> list[Target]:
    return [Target(body_secretariat_ids(kw.get("bodies") or []), (Role.COORDINATOR,))]


def agreement_parties(agreement: Any, kw: dict[str, Any]) -> list[Target]:
    partners = list(agreement.partners.values_list("organisation_id", flat=True))
    return [Target(_ids(agreement.drafted_by_id, partners), AGREEMENT_ROLES)]


def agreement_signatories(agreement: Any, kw: dict[str, Any]) -> list[Target]:
    """The parties' members who may sign for their organisation, whatever their role."""
    partners = list(agreement.partners.values_list("organisation_id", flat=True))
    return [
        *agreement_parties(agreement, kw),
        Target(_ids(partners), (), signatories=True),
    ]


def return_parties(procedure: Any, kw: dict[str, Any]) -> list[Target]:
    return [Target(_ids(kw.get("organisations") or []), RETURN_ROLES)]


def item_parties(item: Any, kw: dict[str, Any]) -> list[Target]:
    from coordination.work.selectors import action_item_recipient_organisations

    return [Target(_ids(action_item_recipient_organisations(item)), WORK_ROLES)]


def meeting_members(meeting: Any, kw: dict[str, Any]) -> list[Target]:
    ids = BodySeat.objects.filter(body_id=meeting.body_id).values_list("organisation_id", flat=True)
    return [Target(_ids(list(ids)), WORK_ROLES)]


# --- words ------------------------------------------------------------------------------------


def _org(obj: Any, attr: str) -> str:
    org = getattr(obj, attr, None)
    return (org.acronym or org.name) if org is not None else ""


def _t(template: Any) -> Callable[[Any, dict[str, Any]], str]:
    """A title from a translatable template with {ref}, {sender}, {receiver}, {state}, {guard}."""

    def build(obj: Any, kw: dict[str, Any]) -> str:
        values = {
            "ref": getattr(obj, "reference", "") or f"#{obj.pk}",
            "sender": _org(obj, "sender"),
            "receiver": _org(obj, "receiver"),
            "owner": _org(obj, "owner"),
            "state": getattr(obj, "state", ""),
            "guard": kw.get("guard", ""),
            "decision": kw.get("decision", "") or getattr(kw.get("event"), "to_state", ""),
        }
        if hasattr(obj, "case") and hasattr(obj.case, "reference"):
            values["case"] = obj.case.reference
        return str(template).format(**values)

    return build


def _item_title(template: Any) -> Callable[[Any, dict[str, Any]], str]:
    def build(item: Any, kw: dict[str, Any]) -> str:
        return str(template).format(ref=f"AI-{item.pk}", owner=_org(item, "owner"), due=item.due_on)

    return build


def _urgency_body(referral: Any, kw: dict[str, Any]) -> str:
    deadline = f", answer by {referral.deadline:%Y-%m-%d %H:%M} UTC" if referral.deadline else ""
    return f"Urgency: {referral.get_urgency_display()}{deadline}."


RULES: list[Rule] = [
    # referrals
    Rule(
        referral_signals.referral_submitted,
        Kind.REFERRAL_SUBMITTED,
        referral_subject,
        to_receiver,
        _t(_("Referral {ref} received from {sender}")),
        _urgency_body,
    ),
    Rule(
        referral_signals.referral_resubmitted,
        Kind.REFERRAL_RESUBMITTED,
        referral_subject,
        to_receiver,
        _t(_("Referral {ref} resubmitted by {sender} with the information asked")),
        _urgency_body,
    ),
    Rule(
        referral_signals.referral_accepted,
        Kind.REFERRAL_ACCEPTED,
        referral_subject,
        to_sender,
        _t(_("Referral {ref} accepted by {receiver}")),
    ),
    Rule(
        referral_signals.referral_declined,
        Kind.REFERRAL_DECLINED,
        referral_subject,
        to_sender,
        _t(_("Referral {ref} declined by {receiver}")),
    ),
    Rule(
        referral_signals.referral_information_requested,
        Kind.REFERRAL_INFORMATION_REQUESTED,
        referral_subject,
        to_sender,
        _t(_("{receiver} asks for more information on referral {ref}")),
    ),
    Rule(
        referral_signals.referral_withdrawn,
        Kind.REFERRAL_WITHDRAWN,
        referral_subject,
        to_receiver,
        _t(_("Referral {ref} withdrawn by {sender}")),
    ),
    Rule(
        referral_signals.referral_completed,
        Kind.REFERRAL_COMPLETED,
        referral_subject,
        to_sender,
        _t(_("Referral {ref} completed by {receiver}")),
    ),
    Rule(
        referral_signals.referral_escalated,
        Kind.REFERRAL_ESCALATED,
        referral_subject,
        escalation_targets,
        _t(_("Referral {ref} from {sender} to {receiver} is unanswered past its deadline")),
        _urgency_body,
    ),
    # cases
    Rule(
        referral_signals.case_lead_transferred,
        Kind.CASE_LEAD_TRANSFERRED,
        case_subject,
        lead_transfer_targets,
        _t(_("Case {ref}: lead transferred to {owner}")),
    ),
    Rule(
        case_signals.consent_withdrawn,
        Kind.CONSENT_WITHDRAWN,
        consent_subject,
        consent_targets,
        _t(_("Case {case}: consent withdrawn, stop sharing its data")),
    ),
    Rule(
        case_signals.reflection_period_ended,
        Kind.REFLECTION_PERIOD_ENDED,
        period_subject,
        case_owner,
        _t(_("Case {case}: reflection period ended")),
    ),
    Rule(
        case_signals.child_protection_missing,
        Kind.CHILD_PROTECTION_MISSING,
        case_subject,
        child_protection_targets,
        _t(_("Case {ref}: a presumed child and no child protection authority in the directory")),
    ),
    # agreements
    *[
        Rule(signal, kind, agreement_subject, agreement_parties, _t(text))
        for signal, kind, text in [
            (
                agreement_signals.agreement_consultation_opened,
                Kind.AGREEMENT_CONSULTATION_OPENED,
                _("Agreement {ref} is open for comment"),
            ),
            (
                agreement_signals.agreement_commented,
                Kind.AGREEMENT_COMMENTED,
                _("New comment on agreement {ref}"),
            ),
            (
                agreement_signals.agreement_signed,
                Kind.AGREEMENT_SIGNED,
                _("Agreement {ref} signed by a party"),
            ),
            (
                agreement_signals.agreement_in_force,
                Kind.AGREEMENT_IN_FORCE,
                _("Agreement {ref} is in force"),
            ),
            (
                agreement_signals.agreement_suspended,
                Kind.AGREEMENT_SUSPENDED,
                _("Agreement {ref} suspended"),
            ),
            (
                agreement_signals.agreement_resumed,
                Kind.AGREEMENT_RESUMED,
                _("Agreement {ref} resumed"),
            ),
            (
                agreement_signals.agreement_terminated,
                Kind.AGREEMENT_TERMINATED,
                _("Agreement {ref} terminated"),
            ),
            (
                agreement_signals.agreement_expired,
                Kind.AGREEMENT_EXPIRED,
                _("Agreement {ref} expired"),
            ),
            (
                agreement_signals.agreement_review_due,
                Kind.AGREEMENT_REVIEW_DUE,
                _("Agreement {ref}: review due"),
            ),
            (
                agreement_signals.agreement_expiry_approaching,
                Kind.AGREEMENT_EXPIRY_APPROACHING,
                _("Agreement {ref} expires soon"),
            ),
        ]
    ],
    Rule(
        agreement_signals.agreement_ready_for_signature,
        Kind.AGREEMENT_READY_FOR_SIGNATURE,
        agreement_subject,
        agreement_signatories,
        _t(_("Agreement {ref} is ready for signature")),
    ),
    # returns
    *[
        Rule(signal, kind, return_subject, return_parties, _t(text))
        for signal, kind, text in [
            (return_signals.return_requested, Kind.RETURN_REQUESTED, _("Return {ref} requested")),
            (
                return_signals.return_submitted_for_decision,
                Kind.RETURN_SUBMITTED_FOR_DECISION,
                _("Return {ref}: risk assessment complete, decision needed"),
            ),
            (
                return_signals.return_decided,
                Kind.RETURN_DECIDED,
                _("Return {ref} decided: {decision}"),
            ),
            (
                return_signals.return_blocked,
                Kind.RETURN_BLOCKED,
                _("Return {ref} blocked by safeguard {guard}"),
            ),
            (
                return_signals.return_step_due,
                Kind.RETURN_STEP_DUE,
                _("Return {ref}: a step is due"),
            ),
            (return_signals.return_departed, Kind.RETURN_DEPARTED, _("Return {ref} under way")),
            (
                return_signals.return_handed_over,
                Kind.RETURN_HANDED_OVER,
                _("Return {ref}: handed over"),
            ),
            (
                return_signals.monitoring_visit_missed,
                Kind.MONITORING_VISIT_MISSED,
                _("Return {ref}: a monitoring visit was missed"),
            ),
            (
                return_signals.monitoring_visit_alarming,
                Kind.MONITORING_VISIT_ALARMING,
                _("Return {ref}: a monitoring visit raised concern"),
            ),
        ]
    ],
    # coordination work
    Rule(
        work_signals.action_item_assigned,
        Kind.ACTION_ITEM_ASSIGNED,
        item_subject,
        item_parties,
        _item_title(_("Action item {ref} assigned to {owner}, due {due}")),
    ),
    Rule(
        work_signals.action_item_overdue,
        Kind.ACTION_ITEM_OVERDUE,
        item_subject,
        item_parties,
        _item_title(_("Action item {ref} of {owner} is overdue (due {due})")),
    ),
    Rule(
        work_signals.meeting_scheduled,
        Kind.MEETING_SCHEDULED,
        meeting_subject,
        meeting_members,
        lambda meeting, kw: str(_("Meeting scheduled: {title}")).format(title=meeting.title),
    ),
]

# Kinds that ask the recipient to act soon: e-mailed at once unless the user chose otherwise.
URGENT_KINDS = frozenset(
    {
        Kind.REFERRAL_SUBMITTED,
        Kind.REFERRAL_RESUBMITTED,
        Kind.REFERRAL_INFORMATION_REQUESTED,
        Kind.REFERRAL_ESCALATED,
        Kind.CONSENT_WITHDRAWN,
        Kind.CHILD_PROTECTION_MISSING,
        Kind.RETURN_BLOCKED,
        Kind.RETURN_STEP_DUE,
        Kind.RETURN_SUBMITTED_FOR_DECISION,
        Kind.MONITORING_VISIT_MISSED,
        Kind.MONITORING_VISIT_ALARMING,
        Kind.AGREEMENT_READY_FOR_SIGNATURE,
        Kind.ACTION_ITEM_OVERDUE,
    }
)


def default_email_mode(kind: str) -> str:
    """E-mail at once for the urgent kinds, none for the others, until the person chooses."""
    return EmailMode.IMMEDIATE if kind in URGENT_KINDS else EmailMode.OFF
