"""The lifecycle of an agreement: consultation and comments, approvals, signatures, entry into
force, suspension, resumption, termination, expiry, withdrawal, amendment, and the reminders of
the daily task."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Organisation

from .. import guards, signals
from ..models import (
    Agreement,
    AgreementPartner,
    Approval,
    Comment,
    Coverage,
    CoverageEntry,
    Signature,
    TemplateElement,
)
from ..permissions import (
    agreement_grant,
    require_coordinator,
    signing_memberships,
)
from ..selectors import version_clauses
from .common import (
    S,
    _current,
    _event,
    _lock,
    _new_version,
    _partner_names,
    _partners,
    _require_state,
    _send,
    _today,
)
from .drafting import compliance_report

__all__ = [
    "agreement_amend",
    "agreement_approve",
    "agreement_bring_into_force",
    "agreement_expire",
    "agreement_open_consultation",
    "agreement_remind_expiry",
    "agreement_remind_review",
    "agreement_request_signatures",
    "agreement_resume",
    "agreement_sign",
    "agreement_suspend",
    "agreement_terminate",
    "agreement_withdraw",
    "comment_add",
    "comment_resolve",
]


# --- lifecycle ---------------------------------------------------------------------------------
@transaction.atomic
def agreement_open_consultation(*, agreement: Agreement, actor: Any) -> Agreement:
    """draft → consultation: at least two partners, the drafter's organisation among them (and,
    between States, each partner names its State)."""
    agreement = _lock(agreement)
    _require_state(agreement, "open_consultation")
    require_coordinator(actor, agreement)
    partners = _partners(agreement)
    guards.guard_partners(
        agreement=agreement, partner_org_ids={p.organisation_id for p in partners}
    )
    guards.guard_state_parties(
        agreement=agreement, partner_countries=[p.country_id for p in partners]
    )
    from_state = agreement.state
    agreement.open_consultation()
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition="open_consultation",
        from_state=from_state,
        payload={"version": agreement.current_version.number if agreement.current_version else 0},
    )
    _send(signals.agreement_consultation_opened, agreement, event, actor)
    return agreement


def _actor_org(actor: Any, agreement: Agreement, organisation: Organisation | None) -> int:
    org_ids = require_coordinator(actor, agreement)
    if organisation is not None:
        if organisation.pk not in org_ids:
            raise PermissionDenied(_("You are not a coordinator of that organisation."))
        return organisation.pk
    return min(org_ids)


@transaction.atomic
def comment_add(
    *,
    agreement: Agreement,
    actor: Any,
    text: str,
    element_key: str | None = None,
    parent: Comment | None = None,
    organisation: Organisation | None = None,
) -> Comment:
    """A partner's coordinator comments on an element (or answers a comment) on the current
    version, while the agreement is being drafted or negotiated."""
    agreement = _lock(agreement)
    guards.guard_editable(agreement=agreement)
    org_id = _actor_org(actor, agreement, organisation)
    if not (text or "").strip():
        raise ApplicationError(
            _("A comment needs text."), fields={"text": [_("This field is required.")]}
        )
    element = None
    if parent is not None:
        if parent.agreement_id != agreement.pk:
            raise ApplicationError(
                _("That comment belongs to another agreement."),
                fields={"parent": [_("Unknown comment.")]},
            )
        element = parent.element
    elif element_key:
        element = TemplateElement.objects.filter(
            template_id=agreement.template_id, key=element_key
        ).first()
        if element is None:
            raise ApplicationError(
                _("Unknown element %s.") % element_key,
                fields={"element": [_("Unknown element.")]},
            )
    comment = Comment.objects.create(
        agreement=agreement,
        version=_current(agreement),
        element=element,
        parent=parent,
        organisation_id=org_id,
        author=actor,
        text=text.strip(),
    )
    event = _event(
        agreement,
        actor=actor,
        transition="comment",
        from_state=agreement.state,
        payload={
            "comment": comment.pk,
            "element": element.key if element else None,
            "answer_to": parent.pk if parent else None,
        },
    )
    _send(signals.agreement_commented, agreement, event, actor, comment=comment)
    return comment


@transaction.atomic
def comment_resolve(*, comment: Comment, actor: Any) -> Comment:
    """Mark a comment (and its answers) resolved; a coordinator of a partner may."""
    agreement = _lock(comment.agreement)
    require_coordinator(actor, agreement)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is not None:
        return comment
    if comment.parent_id:
        comment = Comment.objects.select_for_update().get(pk=comment.parent_id)
    now = timezone.now()
    Comment.objects.filter(pk=comment.pk).update(resolved_at=now, resolved_by=actor)
    comment.refresh_from_db()
    event = _event(
        agreement,
        actor=actor,
        transition="resolve_comment",
        from_state=agreement.state,
        payload={"comment": comment.pk},
    )
    _send(signals.agreement_comment_resolved, agreement, event, actor, comment=comment)
    return comment


@transaction.atomic
def agreement_approve(
    *, agreement: Agreement, actor: Any, organisation: Organisation | None = None
) -> Approval:
    """A partner (through one of its coordinators) approves the current version, in consultation."""
    agreement = _lock(agreement)
    if agreement.state != S.CONSULTATION:
        raise TransitionNotAllowed(
            _("A version is approved during consultation; the agreement is %s.")
            % agreement.get_state_display()
        )
    org_id = _actor_org(actor, agreement, organisation)
    version = _current(agreement)
    approval, created = Approval.objects.get_or_create(
        agreement=agreement,
        version=version,
        organisation_id=org_id,
        defaults={"approved_by": actor},
    )
    if created:
        event = _event(
            agreement,
            actor=actor,
            transition="approve",
            from_state=agreement.state,
            payload={
                "organisation": org_id,
                "version": version.number,
                "hash": version.content_hash,
            },
        )
        _send(
            signals.agreement_approved,
            agreement,
            event,
            actor,
            organisation=approval.organisation,
            version=version,
        )
    return approval


@transaction.atomic
def agreement_request_signatures(*, agreement: Agreement, actor: Any) -> Agreement:
    """consultation → awaiting signatures: the compliance check passes (the refusal names the
    missing elements) and every partner approved the current version."""
    agreement = _lock(agreement)
    _require_state(agreement, "request_signatures")
    require_coordinator(actor, agreement)
    partners = _partners(agreement)
    guards.guard_partners(
        agreement=agreement, partner_org_ids={p.organisation_id for p in partners}
    )
    guards.guard_compliance(report=compliance_report(agreement=agreement))
    version = _current(agreement)
    approved = set(
        Approval.objects.filter(agreement=agreement, version=version).values_list(
            "organisation_id", flat=True
        )
    )
    guards.guard_all_approved(
        version=version,
        partner_names={p.organisation_id: str(p.organisation) for p in partners},
        approved_org_ids=approved,
    )
    from_state = agreement.state
    agreement.request_signatures()
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition="request_signatures",
        from_state=from_state,
        payload={"version": version.number, "hash": version.content_hash},
    )
    _send(signals.agreement_ready_for_signature, agreement, event, actor)
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    actor: Any,
    version_hash: str,
    organisation: Organisation | None = None,
) -> Signature:
    """An authorised signatory (Membership.can_sign_agreements) of a partner signs the exact
    version whose hash they were shown. When every partner has signed and the effective date
    has come, the agreement enters into force in the same transaction."""
    agreement = _lock(agreement)
    if agreement.state != S.AWAITING_SIGNATURES:
        raise TransitionNotAllowed(
            _("The agreement is not awaiting signatures; it is %s.") % agreement.get_state_display()
        )
    memberships = signing_memberships(actor, agreement)
    if organisation is not None:
        memberships = [m for m in memberships if m.organisation_id == organisation.pk]
    if not memberships:
        raise PermissionDenied(_("Only a partner's authorised signatory may sign."))
    version = _current(agreement)
    if (version_hash or "").strip().lower() != version.content_hash:
        raise GuardFailed(
            "agreement_version_changed",
            _(
                "The text you were shown (%(given)s) is not the current version %(n)d (%(hash)s); "
                "read it again before signing."
            )
            % {
                "given": (version_hash or "")[:12] or "-",
                "n": version.number,
                "hash": version.short_hash,
            },
            fields={"version_hash": [_("Not the current version.")]},
        )
    signed = set(
        Signature.objects.filter(
            agreement=agreement, version=version, voided_at__isnull=True
        ).values_list("organisation_id", flat=True)
    )
    membership = next((m for m in memberships if m.organisation_id not in signed), None)
    guards.guard_not_signed_yet(
        already=membership is None, organisation_name=str(memberships[0].organisation)
    )
    assert membership is not None
    signature = Signature.objects.create(
        agreement=agreement,
        version=version,
        version_hash=version.content_hash,
        organisation=membership.organisation,
        signer=actor,
        signer_name=actor.get_full_name() or actor.get_username(),
        signer_title=membership.title,
    )
    event = _event(
        agreement,
        actor=actor,
        transition="sign",
        from_state=agreement.state,
        payload={
            "organisation": membership.organisation_id,
            "version": version.number,
            "hash": version.content_hash,
        },
    )
    _send(signals.agreement_signed, agreement, event, actor, signature=signature)
    signed.add(membership.organisation_id)
    partner_ids = set(agreement.partners.values_list("organisation_id", flat=True))
    if partner_ids <= signed and agreement.effective_date and agreement.effective_date <= _today():
        _enter_into_force(agreement, actor=actor)
    return signature


def _enter_into_force(agreement: Agreement, *, actor: Any) -> Agreement:
    today = _today()
    version = _current(agreement)
    signed = set(
        Signature.objects.filter(
            agreement=agreement,
            version=version,
            version_hash=version.content_hash,
            voided_at__isnull=True,
        ).values_list("organisation_id", flat=True)
    )
    guards.guard_all_signed(
        version=version, partner_names=_partner_names(agreement), signed_org_ids=signed
    )
    guards.guard_effective_date(agreement=agreement, today=today)
    from_state = agreement.state
    agreement.enter_into_force(on=today)
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition="enter_into_force",
        from_state=from_state,
        payload={"version": version.number, "hash": version.content_hash, "on": today.isoformat()},
    )
    _send(signals.agreement_in_force, agreement, event, actor)
    if agreement.amends_id:
        # the amended agreement stays in force until its amendment enters into force
        old = Agreement.objects.select_for_update().get(pk=agreement.amends_id)
        if can_proceed(old.supersede):
            old_from = old.state
            old.supersede(on=today)
            old.save()
            old_event = _event(
                old,
                actor=actor,
                transition="supersede",
                from_state=old_from,
                reason=_("Amendment %s entered into force.") % agreement.reference,
                payload={"by": agreement.reference},
            )
            _send(signals.agreement_superseded, old, old_event, actor, by=agreement)
    return agreement


@transaction.atomic
def agreement_bring_into_force(*, agreement: Agreement, actor: Any = None) -> Agreement:
    """awaiting signatures → in force: every partner signed this exact version hash and the
    effective date has come. Called by the daily task (actor None) or a partner's coordinator."""
    agreement = _lock(agreement)
    _require_state(agreement, "enter_into_force")
    if actor is not None:
        require_coordinator(actor, agreement)
    return _enter_into_force(agreement, actor=actor)


def _simple_transition(
    agreement: Agreement,
    *,
    method: str,
    actor: Any,
    signal: Signal,
    grounds: str = "",
    needs_grounds: bool = False,
    coordinator: bool = True,
    **kwargs: Any,
) -> Agreement:
    agreement = _lock(agreement)
    _require_state(agreement, method)
    if coordinator:
        require_coordinator(actor, agreement)
    if needs_grounds:
        guards.guard_grounds(grounds=grounds)
    from_state = agreement.state
    getattr(agreement, method)(**kwargs)
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition=method,
        from_state=from_state,
        reason=(grounds or "").strip(),
        payload={k: v.isoformat() if isinstance(v, date) else v for k, v in kwargs.items()},
    )
    _send(signal, agreement, event, actor)
    return agreement


@transaction.atomic
def agreement_suspend(*, agreement: Agreement, actor: Any, grounds: str) -> Agreement:
    """in force → suspended, by a partner's coordinator, with grounds. A suspended agreement
    covers nothing (selectors.agreements_covering)."""
    return _simple_transition(
        agreement,
        method="suspend",
        actor=actor,
        signal=signals.agreement_suspended,
        grounds=grounds,
        needs_grounds=True,
    )


@transaction.atomic
def agreement_resume(*, agreement: Agreement, actor: Any, grounds: str = "") -> Agreement:
    """suspended → in force."""
    return _simple_transition(
        agreement, method="resume", actor=actor, signal=signals.agreement_resumed, grounds=grounds
    )


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, actor: Any, grounds: str) -> Agreement:
    """in force / suspended → terminated, by a partner's coordinator, with grounds; it stops
    covering anything from today."""
    return _simple_transition(
        agreement,
        method="terminate",
        actor=actor,
        signal=signals.agreement_terminated,
        grounds=grounds,
        needs_grounds=True,
        on=_today(),
    )


@transaction.atomic
def agreement_expire(*, agreement: Agreement, actor: Any = None) -> Agreement:
    """in force / suspended → expired once the end date has passed (the daily task). It was in
    force through its end date."""
    locked = _lock(agreement)
    _require_state(locked, "expire")
    guards.guard_end_date_passed(agreement=locked, today=_today())
    assert locked.end_date is not None
    return _simple_transition(
        locked,
        method="expire",
        actor=actor,
        signal=signals.agreement_expired,
        coordinator=False,
        on=locked.end_date + timedelta(days=1),
    )


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, actor: Any, grounds: str) -> Agreement:
    """Abandon a draft (or an agreement not yet in force), with grounds."""
    return _simple_transition(
        agreement,
        method="withdraw",
        actor=actor,
        signal=signals.agreement_withdrawn,
        grounds=grounds,
        needs_grounds=True,
    )


@transaction.atomic
def agreement_amend(*, agreement: Agreement, actor: Any, title: str | None = None) -> Agreement:
    """Start an amendment: a new draft copying the version in force (text, partners, coverage,
    commitments). The agreement stays in force until the amendment enters into force, which
    supersedes it."""
    agreement = _lock(agreement)
    if agreement.state not in (S.IN_FORCE, S.SUSPENDED):
        raise TransitionNotAllowed(
            _("Only an agreement in force (or suspended) is amended; it is %s.")
            % agreement.get_state_display()
        )
    org_ids = require_coordinator(actor, agreement)
    guards.guard_no_open_amendment(
        open_amendments=agreement.amendments.filter(
            state__in=[S.DRAFT, S.CONSULTATION, S.AWAITING_SIGNATURES]
        ).count()
    )
    drafter_id = agreement.drafted_by_id if agreement.drafted_by_id in org_ids else min(org_ids)
    base = agreement.signed_version or agreement.current_version
    amendment = Agreement(
        template=agreement.template,
        kind=agreement.kind,
        title=(title or agreement.title).strip()[:300],
        drafted_by_id=drafter_id,
        created_by=actor,
        languages=list(agreement.languages),
        effective_date=None,
        end_date=agreement.end_date,
        duration_months=None,
        review_date=agreement.review_date,
        amends=agreement,
    )
    amendment.save()
    amendment.commitments.set(agreement.commitments.all())
    old_cov = Coverage.objects.get(agreement=agreement)
    coverage = Coverage.objects.create(agreement=amendment)
    coverage.countries.set(old_cov.countries.all())
    coverage.organisations.set(old_cov.organisations.all())
    CoverageEntry.objects.bulk_create(
        [
            CoverageEntry(coverage=coverage, dimension=e.dimension, code=e.code)
            for e in old_cov.entries.all()
        ]
    )
    for p in _partners(agreement):
        AgreementPartner.objects.create(
            agreement=amendment,
            organisation=p.organisation,
            country=p.country,
            mandate=p.mandate,
            area_of_operation=p.area_of_operation,
            position=p.position,
        )
        agreement_grant(agreement=amendment, organisation=p.organisation)
    version, _created = _new_version(
        amendment,
        actor=actor,
        clauses=version_clauses(base),
        note=_("Amendment of %(ref)s version %(n)d")
        % {"ref": agreement.reference, "n": base.number if base else 0},
    )
    event = _event(
        amendment,
        actor=actor,
        transition="draft_amendment",
        from_state="",
        payload={
            "amends": agreement.reference,
            "version": version.number,
            "hash": version.content_hash,
        },
    )
    _send(signals.agreement_amendment_started, amendment, event, actor, amends=agreement)
    _event(
        agreement,
        actor=actor,
        transition="amendment_started",
        from_state=agreement.state,
        payload={"amendment": amendment.reference},
    )
    return amendment


# --- reminders (the daily task) ----------------------------------------------------------------
@transaction.atomic
def agreement_remind_review(*, agreement: Agreement, days_ahead: int) -> bool:
    """Send `agreement_review_due` once per review date, when it is within `days_ahead` days.
    Safe to run twice: returns False when already sent or not due."""
    agreement = _lock(agreement)
    today = _today()
    if (
        agreement.state not in (S.IN_FORCE, S.SUSPENDED)
        or agreement.review_date is None
        or agreement.review_date > today + timedelta(days=days_ahead)
        or agreement.review_notified_on == agreement.review_date
    ):
        return False
    Agreement.objects.filter(pk=agreement.pk).update(review_notified_on=agreement.review_date)
    event = _event(
        agreement,
        actor=None,
        transition="review_due",
        from_state=agreement.state,
        payload={"review_date": agreement.review_date.isoformat()},
    )
    _send(signals.agreement_review_due, agreement, event, None, review_date=agreement.review_date)
    return True


@transaction.atomic
def agreement_remind_expiry(*, agreement: Agreement, days_ahead: int) -> bool:
    """Send `agreement_expiry_approaching` once per end date, when it is within `days_ahead`."""
    agreement = _lock(agreement)
    today = _today()
    if (
        agreement.state not in (S.IN_FORCE, S.SUSPENDED)
        or agreement.end_date is None
        or agreement.end_date < today
        or agreement.end_date > today + timedelta(days=days_ahead)
        or agreement.expiry_notified_on == agreement.end_date
    ):
        return False
    Agreement.objects.filter(pk=agreement.pk).update(expiry_notified_on=agreement.end_date)
    event = _event(
        agreement,
        actor=None,
        transition="expiry_approaching",
        from_state=agreement.state,
        payload={"end_date": agreement.end_date.isoformat()},
    )
    _send(signals.agreement_expiry_approaching, agreement, event, None, end_date=agreement.end_date)
    return True
