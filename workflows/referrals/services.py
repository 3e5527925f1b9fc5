"""Writes of referrals. Each service: lock the row → state check → permission → guards →
transition → save → event row → grants and visibility rows → signal, in ONE transaction, so a
transition, its event and the outbox rows the signal's receivers write commit together or not
at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from concord.errors import ApplicationError, GuardFailed
from concord.events import record_event
from coordination.models import CoordinationBody, Organisation, Service
from workflows.cases.models import IDENTIFYING_FIELDS, Case, CaseEvent, ConsentCategory
from workflows.cases.permissions import case_grant, case_revoke
from workflows.cases.selectors import consent_allows_sharing

from . import signals
from .guards import (
    guard_asylum_non_refoulement,
    guard_case_open,
    guard_child_accommodation_or_return,
    guard_consent_to_refer,
    guard_cross_border_legal_basis,
    guard_not_self,
)
from .models import (
    Box,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralState,
    ReferralVisibility,
    Urgency,
)
from .permissions import (
    is_referral_receiver_worker,
    is_referral_sender_worker,
    referral_grant,
    referral_revoke_act,
)

__all__ = [
    "case_transfer_lead",
    "referral_accept",
    "referral_complete",
    "referral_create",
    "referral_create_for_child_protection",
    "referral_decline",
    "referral_escalate",
    "referral_request_information",
    "referral_resubmit",
    "referral_start",
    "referral_submit",
    "referral_withdraw",
]


def _lock(referral: Referral) -> Referral:
    """The referral's row, locked, with its case and organisations. No transition reads the
    case's identifying columns (a referral never carries them), so they are neither read nor
    decrypted here."""
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related(
            "case",
            "sender__country",
            "sender__represents_country",
            "receiver__country",
            "receiver__represents_country",
        )
        .defer(*(f"case__{name}" for name in IDENTIFYING_FIELDS))
        .get(pk=referral.pk)
    )


def _values(referral: Referral) -> dict[str, Any]:
    return {f.attname: getattr(referral, f.attname) for f in Referral._meta.concrete_fields}


def _save_changes(referral: Referral, before: dict[str, Any]) -> None:
    """UPDATE only the columns the transition and the service changed since `_values` was taken
    (always the state, checked against the state read under the lock by django-fsm's
    ConcurrentTransitionMixin), not every column of the row."""
    referral.save(
        update_fields=[name for name, value in before.items() if getattr(referral, name) != value]
    )


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _check_state(referral: Referral, method: Any, verb: str) -> None:
    """Run on the locked row: of two officers answering at once, the second finds the first's
    answer here and is refused with a conflict (409), like every other refused transition."""
    if not can_proceed(method):
        raise GuardFailed(
            "transition_not_allowed",
            _("A referral in state “%(state)s” cannot be %(verb)s.")
            % {"state": referral.get_state_display(), "verb": verb},
        )


def _event(
    referral: Referral, *, actor: Any, transition: str, before: str, **kw: Any
) -> ReferralEvent:
    return record_event(
        ReferralEvent,
        referral=referral,
        actor=actor,
        transition=transition,
        from_state=before,
        to_state=referral.state,
        **kw,
    )


def _sort_key(referral: Referral) -> Any:
    return referral.deadline or referral.created_at


def _sync_visibility(referral: Referral) -> None:
    ReferralVisibility.objects.filter(referral=referral).update(
        state=referral.state, sort_at=_sort_key(referral), urgency=referral.urgency
    )


def _deadline_for(urgency: str) -> Any:
    hours = settings.CONCORD_REFERRAL_DEADLINE_HOURS.get(urgency, 120)
    return timezone.now() + timedelta(hours=hours)


def _service_codes(referral: Referral) -> set[str]:
    return {s.pk for s in referral.services.all()}


def _submit_guards(referral: Referral, *, mandatory: bool) -> Any:
    case = referral.case
    guard_case_open(case)
    guard_not_self(sender=referral.sender, receiver=referral.receiver)
    guard_asylum_non_refoulement(case=case, receiver=referral.receiver)
    guard_child_accommodation_or_return(
        case=case, receiver=referral.receiver, service_codes=_service_codes(referral)
    )
    guard_consent_to_refer(case=case, receiver=referral.receiver, mandatory=mandatory)
    return guard_cross_border_legal_basis(
        case=case, sender=referral.sender, receiver=referral.receiver
    )


@transaction.atomic
def referral_create(
    *,
    case: Case,
    receiver: Organisation,
    actor: Any,
    services: Iterable[Service | str] = (),
    urgency: str = Urgency.ROUTINE,
    needs: str = "",
) -> Referral:
    """A draft referral from the case's holding organisation. Nothing is shared until submitted."""
    _refuse_unless(
        case.owner_id in _work_org_ids(actor),
        _("Only the holding organisation's case officers and supervisors refer a case."),
    )
    if urgency not in Urgency.values:
        raise ApplicationError(
            _("Unknown urgency."), fields={"urgency": [_("Choose emergency, urgent or routine.")]}
        )
    codes = [s.pk if isinstance(s, Service) else s for s in services]
    offered = set(receiver.services.values_list("code", flat=True))
    if bad := [c for c in codes if c not in offered]:
        raise ApplicationError(
            _("The receiving organisation does not offer: %(codes)s.") % {"codes": ", ".join(bad)},
            code="service_not_offered",
            fields={"services": [_("Choose among the services the receiver offers.")]},
        )
    guard_not_self(sender=case.owner, receiver=receiver)
    referral = Referral.objects.create(
        case=case,
        sender_id=case.owner_id,
        receiver=receiver,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        urgency=urgency,
        needs=needs,
    )
    if codes:
        referral.services.set(Service.objects.filter(code__in=codes))
    referral_grant(referral=referral, organisation=case.owner, act=False)
    ReferralVisibility.objects.create(
        organisation_id=case.owner_id,
        referral=referral,
        box=Box.OUTBOX,
        sort_at=referral.created_at,
        state=referral.state,
        urgency=referral.urgency,
    )
    _event(referral, actor=actor, transition="create", before="", payload={"receiver": receiver.pk})
    return referral


def _work_org_ids(actor: Any) -> set[int]:
    from coordination.permissions import organisation_ids_for
    from workflows.cases.permissions import CASE_WORK_ROLES

    return organisation_ids_for(actor, CASE_WORK_ROLES) if actor is not None else set()


def _do_submit(referral: Referral, *, actor: Any, mandatory: bool, verb: str) -> Referral:
    before = referral.state
    values = _values(referral)
    agreement = _submit_guards(referral, mandatory=mandatory)
    getattr(referral, verb)()
    referral.deadline = _deadline_for(referral.urgency)
    referral.legal_basis = agreement
    _save_changes(referral, values)
    payload: dict[str, Any] = {
        "urgency": referral.urgency,
        "deadline": referral.deadline.isoformat(),
    }
    if agreement is not None:
        payload["legal_basis_agreement"] = agreement.pk
    event = _event(referral, actor=actor, transition=verb, before=before, payload=payload)
    referral_grant(referral=referral, organisation=referral.receiver, act=True)
    case_grant(case=referral.case, organisation=referral.receiver, details=False)
    ReferralVisibility.objects.get_or_create(
        organisation_id=referral.receiver_id,
        referral=referral,
        box=Box.INBOX,
        defaults={
            "sort_at": referral.deadline,
            "state": referral.state,
            "urgency": referral.urgency,
        },
    )
    _sync_visibility(referral)
    signal = signals.referral_submitted if verb == "submit" else signals.referral_resubmitted
    signal.send(sender=Referral, instance=referral, event=event, actor=actor)
    return referral


@transaction.atomic
def referral_submit(*, referral: Referral, actor: Any, mandatory: bool = False) -> Referral:
    """Send the referral: the receiver may see the need-to-know summary and must answer by the
    urgency's deadline. Refused by any guard (asylum, cross-border legal basis, child, consent)."""
    referral = _lock(referral)
    _check_state(referral, referral.submit, _("submitted"))
    if not mandatory:
        _refuse_unless(
            is_referral_sender_worker(actor, referral),
            _("Only the sending organisation's case officers and supervisors submit a referral."),
        )
    return _do_submit(referral, actor=actor, mandatory=mandatory, verb="submit")


@transaction.atomic
def referral_resubmit(*, referral: Referral, actor: Any, answer: str = "") -> Referral:
    """Answer an information request and send the referral again (guards run again)."""
    referral = _lock(referral)
    _check_state(referral, referral.resubmit, _("submitted again"))
    _refuse_unless(
        is_referral_sender_worker(actor, referral),
        _("Only the sending organisation answers an information request."),
    )
    return _do_submit(
        referral, actor=actor, mandatory=referral.is_child_protection_referral, verb="resubmit"
    )


def _receiver_transition(
    referral: Referral,
    *,
    actor: Any,
    verb: str,
    label: str,
    reason: str = "",
    set_fields: dict[str, Any] | None = None,
    payload_fn: Any = None,
) -> tuple[Referral, ReferralEvent]:
    referral = _lock(referral)
    _check_state(referral, getattr(referral, verb), label)
    _refuse_unless(
        is_referral_receiver_worker(actor, referral),
        _("Only the receiving organisation's case officers and supervisors answer a referral."),
    )
    before = referral.state
    values = _values(referral)
    for name, value in (set_fields or {}).items():
        setattr(referral, name, value)
    getattr(referral, verb)()
    _save_changes(referral, values)
    payload = payload_fn(referral) if payload_fn else {}
    event = _event(
        referral, actor=actor, transition=verb, before=before, reason=reason, payload=payload
    )
    _sync_visibility(referral)
    return referral, event


@transaction.atomic
def referral_accept(*, referral: Referral, actor: Any) -> Referral:
    """Accept: the receiver now sees the identifying details, but only if the person's consent
    covers sharing them with it (seed 004:225 need-to-know).

    Guarantees, when it returns: the receiving organisation holds `view_case_summary` on the
    case (granted in this transaction if it somehow lacked it), so the actor, one of its case
    workers, sees the case's summary; and `view_case_details` too if consent covers it."""

    def details_shared(r: Referral) -> dict[str, Any]:
        return {
            "details_shared": consent_allows_sharing(
                case=r.case, organisation=r.receiver, category=ConsentCategory.IDENTIFYING_DETAILS
            )
        }

    referral, event = _receiver_transition(
        referral, actor=actor, verb="accept", label=_("accepted"), payload_fn=details_shared
    )
    case_grant(
        case=referral.case,
        organisation=referral.receiver,
        details=bool(event.payload["details_shared"]),
    )
    signals.referral_accepted.send(sender=Referral, instance=referral, event=event, actor=actor)
    return referral


def _revoke_receiver(referral: Referral) -> None:
    """Take back from the receiver what this referral granted, unless another live referral of the
    same case to the same receiver still needs it."""
    referral_revoke_act(referral=referral, organisation=referral.receiver)
    other_live = (
        Referral.objects.filter(case_id=referral.case_id, receiver_id=referral.receiver_id)
        .exclude(pk=referral.pk)
        .exclude(state__in=[ReferralState.DECLINED, ReferralState.WITHDRAWN, ReferralState.DRAFT])
        .exists()
    )
    if not other_live and referral.receiver_id != referral.case.owner_id:
        case_revoke(case=referral.case, organisation=referral.receiver)


@transaction.atomic
def referral_decline(*, referral: Referral, actor: Any, reason: str, text: str = "") -> Referral:
    """Decline with a reason from the list (and text for "other"); what was shared is taken back."""
    if reason not in DeclineReason.values:
        raise ApplicationError(
            _("Choose a reason for declining."),
            code="invalid",
            fields={"reason": [_("Choose one of the listed reasons.")]},
        )
    if reason == DeclineReason.OTHER and not text.strip():
        raise ApplicationError(
            _("Explain the reason."), fields={"text": [_("Required when the reason is “Other”.")]}
        )
    referral, event = _receiver_transition(
        referral,
        actor=actor,
        verb="decline",
        label=_("declined"),
        reason=text,
        set_fields={"decline_reason": reason},
        payload_fn=lambda r: {"decline_reason": reason},
    )
    _revoke_receiver(referral)
    signals.referral_declined.send(sender=Referral, instance=referral, event=event, actor=actor)
    return referral


@transaction.atomic
def referral_request_information(*, referral: Referral, actor: Any, question: str) -> Referral:
    if not question.strip():
        raise ApplicationError(
            _("Say what information is needed."),
            fields={"question": [_("This field is required.")]},
        )
    referral, event = _receiver_transition(
        referral,
        actor=actor,
        verb="request_information",
        label=_("asked for information"),
        reason=question,
    )
    signals.referral_information_requested.send(
        sender=Referral, instance=referral, event=event, actor=actor
    )
    return referral


@transaction.atomic
def referral_start(*, referral: Referral, actor: Any) -> Referral:
    referral, event = _receiver_transition(referral, actor=actor, verb="start", label=_("started"))
    signals.referral_started.send(sender=Referral, instance=referral, event=event, actor=actor)
    return referral


@transaction.atomic
def referral_complete(*, referral: Referral, actor: Any, outcome: str = "") -> Referral:
    referral, event = _receiver_transition(
        referral,
        actor=actor,
        verb="complete",
        label=_("completed"),
        reason=outcome,
    )
    signals.referral_completed.send(sender=Referral, instance=referral, event=event, actor=actor)
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, actor: Any, reason: str = "") -> Referral:
    """The sender withdraws before completion; the receiver loses what was shared."""
    referral = _lock(referral)
    _check_state(referral, referral.withdraw, _("withdrawn"))
    _refuse_unless(
        is_referral_sender_worker(actor, referral),
        _("Only the sending organisation withdraws its referral."),
    )
    before = referral.state
    values = _values(referral)
    referral.withdraw()
    _save_changes(referral, values)
    event = _event(referral, actor=actor, transition="withdraw", before=before, reason=reason)
    if before != ReferralState.DRAFT:
        _revoke_receiver(referral)
    _sync_visibility(referral)
    signals.referral_withdrawn.send(sender=Referral, instance=referral, event=event, actor=actor)
    return referral


@transaction.atomic
def referral_escalate(*, referral: Referral) -> Referral | None:
    """Escalate a referral unanswered past its deadline, once: to the sending organisation's
    supervisors and the national coordination body (the signal's receivers deliver it). Safe to
    run twice."""
    referral = _lock(referral)
    if not referral.is_overdue or referral.escalated_at is not None:
        return None
    referral.escalated_at = timezone.now()
    referral.save(update_fields=["escalated_at"])
    country = referral.sender.country
    bodies = list(CoordinationBody.objects.filter(country=country)) if country else []
    event = _event(
        referral,
        actor=None,
        transition="escalate",
        before=referral.state,
        reason=_("Not answered by its deadline."),
        payload={
            "bodies": [b.pk for b in bodies],
            "deadline": referral.deadline.isoformat() if referral.deadline else None,
        },
    )
    signals.referral_escalated.send(
        sender=Referral, instance=referral, event=event, actor=None, bodies=bodies
    )
    return referral


@transaction.atomic
def referral_create_for_child_protection(
    *, case: Case, receiver: Organisation, actor: Any
) -> Referral:
    """Presumption of minority (seed 001:467; seed 004:109 "immediate notification of specialized
    child service providers"; seed 004:314 "referred immediately to child protection
    authorities"): an emergency referral to the child protection authority, submitted at once.
    Mandated, so it needs no consent; every other guard still runs."""
    existing = (
        Referral.objects.filter(case=case, receiver=receiver, is_child_protection_referral=True)
        .exclude(state__in=[ReferralState.DECLINED, ReferralState.WITHDRAWN])
        .first()
    )
    if existing is not None:
        return existing
    referral = Referral.objects.create(
        case=case,
        sender_id=case.owner_id,
        receiver=receiver,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        urgency=Urgency.EMERGENCY,
        needs=_("Presumed child: age assessment, guardian, best-interests determination."),
        is_child_protection_referral=True,
    )
    if receiver.services.filter(code="child_protection").exists():
        referral.services.set(Service.objects.filter(code="child_protection"))
    referral_grant(referral=referral, organisation=case.owner, act=False)
    ReferralVisibility.objects.create(
        organisation_id=case.owner_id,
        referral=referral,
        box=Box.OUTBOX,
        sort_at=referral.created_at,
        state=referral.state,
        urgency=referral.urgency,
    )
    _event(referral, actor=actor, transition="create", before="", payload={"automatic": "minority"})
    referral = _lock(referral)
    return _do_submit(referral, actor=actor, mandatory=True, verb="submit")


@transaction.atomic
def case_transfer_lead(*, case: Case, to: Organisation, actor: Any, reason: str) -> Case:
    """Hand a case's lead to another organisation, under the same need-to-know rules as a
    referral (asylum, cross-border legal basis, consent to share the identifying details). The
    previous holder keeps the summary."""
    case = Case.objects.select_for_update(of=("self",)).select_related("owner").get(pk=case.pk)
    _refuse_unless(
        case.owner_id in _work_org_ids(actor),
        _("Only the holding organisation's case officers and supervisors transfer its lead."),
    )
    if not reason.strip():
        raise ApplicationError(
            _("Give the grounds."), fields={"reason": [_("This field is required.")]}
        )
    previous = case.owner
    guard_case_open(case)
    guard_not_self(sender=previous, receiver=to)
    guard_asylum_non_refoulement(case=case, receiver=to)
    if not consent_allows_sharing(
        case=case, organisation=to, category=ConsentCategory.IDENTIFYING_DETAILS
    ):
        raise GuardFailed(
            "consent_missing",
            _(
                "The person's consent does not cover sharing their identifying details with the "
                "new lead organisation (seed 004:225 need-to-know)."
            ),
        )
    agreement = guard_cross_border_legal_basis(case=case, sender=previous, receiver=to)
    case.owner = to
    case.save(update_fields=["owner", "updated_at"])
    case_grant(case=case, organisation=previous, details=False)
    payload: dict[str, Any] = {"from": previous.pk, "to": to.pk}
    if agreement is not None:
        payload["legal_basis_agreement"] = agreement.pk
    event = record_event(
        CaseEvent,
        case=case,
        actor=actor,
        transition="transfer_lead",
        reason=reason,
        payload=payload,
    )
    signals.case_lead_transferred.send(
        sender=Case, instance=case, event=event, actor=actor, previous_owner=previous
    )
    return case
