"""Every transition from an allowed and a forbidden state, every guard failing with its code,
and every permission."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from agreements import guards, services, signals
from agreements.models import AgreementEvent, AgreementState, Signature
from agreements.tasks import run_lifecycle
from agreements.tests.factories import (
    coordinator,
    drive_to_signatures,
    make_agreement,
    make_agreement_in_force,
    sign_all,
    signatory,
)
from concord.errors import GuardFailed
from coordination.models import Role
from coordination.tests.factories import make_member_user, make_organisation

pytestmark = pytest.mark.django_db
S = AgreementState


def _ministry(country):
    return make_organisation(
        kind="government_ministry",
        country=country,
        mandate="Anti-trafficking lead",
        areas_of_operation="National territory",
    )


@pytest.fixture
def pair(db):
    return _ministry("TH"), _ministry("KH")


@pytest.fixture
def draft(pair):
    a, b = pair
    return make_agreement(
        drafter=a,
        partners=[b],
        procedures=["referral"],
        target_groups=["adults", "children"],
        effective_date=timezone.localdate(),
    )


@pytest.fixture
def captured():
    """Signals received, with whether they came inside the service's transaction."""
    seen = []

    def receiver(signal, sender, instance, event, actor, **kwargs):
        seen.append((signal, event.transition, transaction.get_connection().in_atomic_block))

    names = [n for n in dir(signals) if n.startswith("agreement_")]
    for name in names:
        getattr(signals, name).connect(receiver, weak=False, dispatch_uid=f"test-{name}")
    yield seen
    for name in names:
        getattr(signals, name).disconnect(dispatch_uid=f"test-{name}")


def _names(seen):
    return [next(n for n in dir(signals) if getattr(signals, n) is s) for s, _t, _a in seen]


# --- draft → consultation ----------------------------------------------------------------------
def test_open_consultation(draft, captured):
    actor = draft._test_actor
    services.agreement_open_consultation(agreement=draft, actor=actor)
    draft.refresh_from_db()
    assert draft.state == S.CONSULTATION
    event = draft.events.last()
    assert (event.transition, event.from_state, event.to_state) == (
        "open_consultation",
        "draft",
        "consultation",
    )
    assert event.actor == actor
    assert "agreement_consultation_opened" in _names(captured)
    assert all(inside for _s, _t, inside in captured)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_open_consultation(agreement=draft, actor=actor)


def test_open_consultation_needs_two_partners(pair):
    agreement = make_agreement(drafter=pair[0])
    with pytest.raises(GuardFailed) as exc:
        services.agreement_open_consultation(agreement=agreement, actor=agreement._test_actor)
    assert exc.value.code == "agreement_partners_too_few"
    agreement.refresh_from_db()
    assert agreement.state == S.DRAFT
    assert not agreement.events.filter(transition="open_consultation").exists()


def test_guard_drafter_must_be_a_partner(draft):
    other_ids = set(
        draft.partners.exclude(organisation=draft.drafted_by).values_list(
            "organisation_id", flat=True
        )
    ) | {-1}
    with pytest.raises(GuardFailed) as exc:
        guards.guard_partners(agreement=draft, partner_org_ids=other_ids)
    assert exc.value.code == "agreement_drafter_not_partner"


def test_between_states_each_partner_names_its_state(pair):
    international = make_organisation(
        kind="international_organisation", country=None, mandate="m", areas_of_operation="a"
    )
    agreement = make_agreement(drafter=pair[0], partners=[international])
    with pytest.raises(GuardFailed) as exc:
        services.agreement_open_consultation(agreement=agreement, actor=agreement._test_actor)
    assert exc.value.code == "agreement_partner_countries_missing"


def test_only_a_partner_coordinator_opens_consultation(draft, pair):
    case_officer = make_member_user(pair[0], Role.CASE_OFFICER)
    outsider = coordinator(_ministry("VN"))
    for user in (case_officer, outsider):
        with pytest.raises(PermissionDenied):
            services.agreement_open_consultation(agreement=draft, actor=user)


# --- consultation → awaiting signatures --------------------------------------------------------
def test_request_signatures_after_every_partner_approved(draft, pair, captured):
    coordinators = drive_to_signatures(draft)
    assert draft.state == S.AWAITING_SIGNATURES
    assert len(coordinators) == 2
    assert "agreement_ready_for_signature" in _names(captured)
    assert "agreement_approved" in _names(captured)


def test_request_signatures_from_draft_is_refused(draft):
    with pytest.raises(TransitionNotAllowed):
        services.agreement_request_signatures(agreement=draft, actor=draft._test_actor)


def test_request_signatures_refused_until_every_partner_approved(draft, pair):
    actor = draft._test_actor
    services.agreement_open_consultation(agreement=draft, actor=actor)
    services.agreement_approve(agreement=draft, actor=actor)
    with pytest.raises(GuardFailed) as exc:
        services.agreement_request_signatures(agreement=draft, actor=actor)
    assert exc.value.code == "agreement_approvals_missing"
    assert str(pair[1]) in exc.value.message


def test_an_approval_of_an_older_version_does_not_count(draft, pair):
    actor = draft._test_actor
    partner_coordinator = coordinator(pair[1])
    services.agreement_open_consultation(agreement=draft, actor=actor)
    services.agreement_approve(agreement=draft, actor=actor)
    services.agreement_approve(agreement=draft, actor=partner_coordinator)
    services.agreement_update(
        agreement=draft,
        actor=partner_coordinator,
        clauses={"languages": {"en": "English prevails."}},
    )
    with pytest.raises(GuardFailed) as exc:
        services.agreement_request_signatures(agreement=draft, actor=actor)
    assert exc.value.code == "agreement_approvals_missing"


def test_request_signatures_refused_when_compliance_fails_naming_the_elements(pair):
    a, b = pair
    agreement = make_agreement(
        drafter=a,
        partners=[b],
        target_groups=["children"],
        clauses={"purpose": {"en": "We cooperate against trafficking in persons in the region."}},
    )
    actor = agreement._test_actor
    services.agreement_open_consultation(agreement=agreement, actor=actor)
    services.agreement_approve(agreement=agreement, actor=actor)
    services.agreement_approve(agreement=agreement, actor=coordinator(b))
    with pytest.raises(GuardFailed) as exc:
        services.agreement_request_signatures(agreement=agreement, actor=actor)
    assert exc.value.code == "agreement_compliance_failed"
    assert "Appropriate measures for minors" in exc.value.message
    assert "minors" in exc.value.extra["missing"]
    agreement.refresh_from_db()
    assert agreement.state == S.CONSULTATION


def test_approve_outside_consultation_and_without_role(draft, pair):
    with pytest.raises(TransitionNotAllowed):
        services.agreement_approve(agreement=draft, actor=draft._test_actor)
    services.agreement_open_consultation(agreement=draft, actor=draft._test_actor)
    with pytest.raises(PermissionDenied):
        services.agreement_approve(agreement=draft, actor=signatory(pair[1]))


# --- signatures and entry into force -----------------------------------------------------------
def test_every_signatory_signs_the_exact_hash_and_it_enters_into_force(draft, captured):
    drive_to_signatures(draft)
    signers = sign_all(draft)
    assert draft.state == S.IN_FORCE
    assert draft.entered_into_force_on == timezone.localdate()
    assert draft.signed_version == draft.current_version
    signatures = Signature.objects.filter(agreement=draft)
    assert {s.signer for s in signatures} == set(signers)
    assert {s.version_hash for s in signatures} == {draft.current_version.content_hash}
    names = _names(captured)
    assert names.count("agreement_signed") == 2
    assert "agreement_in_force" in names
    assert list(draft.events.values_list("transition", flat=True))[-3:] == [
        "sign",
        "sign",
        "enter_into_force",
    ]


def test_sign_refuses_a_stale_hash_a_non_signatory_and_a_second_signature(draft, pair):
    drive_to_signatures(draft)
    current = draft.current_version.content_hash
    user = signatory(pair[0])
    with pytest.raises(GuardFailed) as exc:
        services.agreement_sign(agreement=draft, actor=user, version_hash="0" * 64)
    assert exc.value.code == "agreement_version_changed"
    with pytest.raises(PermissionDenied):
        services.agreement_sign(agreement=draft, actor=draft._test_actor, version_hash=current)
    with pytest.raises(PermissionDenied):
        services.agreement_sign(
            agreement=draft, actor=signatory(_ministry("VN")), version_hash=current
        )
    services.agreement_sign(agreement=draft, actor=user, version_hash=current)
    with pytest.raises(GuardFailed) as exc:
        services.agreement_sign(agreement=draft, actor=signatory(pair[0]), version_hash=current)
    assert exc.value.code == "agreement_already_signed"


def test_sign_outside_awaiting_signatures_is_refused(draft, pair):
    with pytest.raises(TransitionNotAllowed):
        services.agreement_sign(
            agreement=draft,
            actor=signatory(pair[0]),
            version_hash=draft.current_version.content_hash,
        )


def test_editing_after_a_signature_voids_it_and_says_so(draft, pair, captured):
    coordinators = drive_to_signatures(draft)
    first = signatory(pair[0])
    services.agreement_sign(
        agreement=draft, actor=first, version_hash=draft.current_version.content_hash
    )
    outcome = services.agreement_update(
        agreement=draft,
        actor=coordinators[pair[1].pk],
        clauses={
            "purpose": {"en": "A changed purpose: protect and assist every victim of trafficking."}
        },
    )
    assert outcome.voided_signatures == 1
    assert "1 signature was voided" in outcome.message
    draft.refresh_from_db()
    assert draft.state == S.CONSULTATION
    signature = Signature.objects.get(agreement=draft)
    assert signature.voided_at is not None
    assert "version" in signature.void_reason
    assert {"agreement_reopened", "agreement_signatures_voided"} <= set(_names(captured))


def test_not_in_force_before_the_effective_date_then_the_task_brings_it(pair):
    a, b = pair
    start = timezone.localdate() + timedelta(days=10)
    agreement = make_agreement(
        drafter=a,
        partners=[b],
        effective_date=start,
        procedures=["referral"],
        target_groups=["adults"],
    )
    drive_to_signatures(agreement)
    sign_all(agreement)
    assert agreement.state == S.AWAITING_SIGNATURES
    with pytest.raises(GuardFailed) as exc:
        services.agreement_bring_into_force(agreement=agreement)
    assert exc.value.code == "agreement_effective_date_not_reached"
    assert run_lifecycle()["in_force"] == 0
    with time_machine.travel(start, tick=False):
        assert run_lifecycle()["in_force"] == 1
        assert run_lifecycle()["in_force"] == 0  # safe to run twice
        agreement.refresh_from_db()
        assert agreement.state == S.IN_FORCE
        assert agreement.entered_into_force_on == start


def test_bring_into_force_refused_without_every_signature(draft, pair):
    drive_to_signatures(draft)
    services.agreement_sign(
        agreement=draft, actor=signatory(pair[0]), version_hash=draft.current_version.content_hash
    )
    with pytest.raises(GuardFailed) as exc:
        services.agreement_bring_into_force(agreement=draft)
    assert exc.value.code == "agreement_signatures_missing"
    assert str(pair[1]) in exc.value.message


def test_bring_into_force_from_draft_is_refused(draft):
    with pytest.raises(TransitionNotAllowed):
        services.agreement_bring_into_force(agreement=draft)


# --- in force ↔ suspended, terminated, expired -------------------------------------------------
@pytest.fixture
def in_force(db):
    return make_agreement_in_force(
        end_date=timezone.localdate() + timedelta(days=40),
        review_date=timezone.localdate() + timedelta(days=20),
    )


def test_suspend_and_resume_with_grounds(in_force, captured):
    actor = in_force._test_actor
    with pytest.raises(GuardFailed) as exc:
        services.agreement_suspend(agreement=in_force, actor=actor, grounds="  ")
    assert exc.value.code == "agreement_grounds_required"
    services.agreement_suspend(agreement=in_force, actor=actor, grounds="Breach of confidentiality")
    in_force.refresh_from_db()
    assert in_force.state == S.SUSPENDED
    assert in_force.events.last().reason == "Breach of confidentiality"
    with pytest.raises(TransitionNotAllowed):
        services.agreement_suspend(agreement=in_force, actor=actor, grounds="again")
    services.agreement_resume(agreement=in_force, actor=actor)
    in_force.refresh_from_db()
    assert in_force.state == S.IN_FORCE
    with pytest.raises(TransitionNotAllowed):
        services.agreement_resume(agreement=in_force, actor=actor)
    assert {"agreement_suspended", "agreement_resumed"} <= set(_names(captured))


def test_suspend_needs_a_partner_coordinator(in_force):
    with pytest.raises(PermissionDenied):
        services.agreement_suspend(
            agreement=in_force, actor=coordinator(_ministry("VN")), grounds="x"
        )


def test_terminate_with_grounds(in_force, captured):
    actor = in_force._test_actor
    with pytest.raises(GuardFailed) as exc:
        services.agreement_terminate(agreement=in_force, actor=actor, grounds="")
    assert exc.value.code == "agreement_grounds_required"
    services.agreement_terminate(agreement=in_force, actor=actor, grounds="Superseded by law")
    in_force.refresh_from_db()
    assert in_force.state == S.TERMINATED
    assert in_force.ended_on == timezone.localdate()
    with pytest.raises(TransitionNotAllowed):
        services.agreement_terminate(agreement=in_force, actor=actor, grounds="again")
    assert "agreement_terminated" in _names(captured)


def test_terminate_a_draft_is_refused(draft):
    with pytest.raises(TransitionNotAllowed):
        services.agreement_terminate(agreement=draft, actor=draft._test_actor, grounds="x")


def test_expire_only_after_the_end_date(in_force, captured):
    with pytest.raises(GuardFailed) as exc:
        services.agreement_expire(agreement=in_force)
    assert exc.value.code == "agreement_end_date_not_reached"
    with time_machine.travel(in_force.end_date + timedelta(days=1), tick=False):
        assert run_lifecycle()["expired"] == 1
    in_force.refresh_from_db()
    assert in_force.state == S.EXPIRED
    assert in_force.ended_on == in_force.end_date + timedelta(days=1)
    assert "agreement_expired" in _names(captured)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_expire(agreement=in_force)


def test_review_and_expiry_reminders_are_sent_once(in_force, captured):
    today = timezone.localdate()
    assert run_lifecycle()["review_due"] == 1  # review in 20 days, notice 30 days
    assert run_lifecycle()["review_due"] == 0
    with time_machine.travel(today + timedelta(days=1), tick=False):
        counts = run_lifecycle()
    assert counts["expiry_approaching"] == 0  # already sent with the first run (40 < 60 days)
    names = _names(captured)
    assert names.count("agreement_review_due") == 1
    assert names.count("agreement_expiry_approaching") == 1
    assert in_force.events.filter(transition="review_due").count() == 1


# --- withdraw ----------------------------------------------------------------------------------
def test_withdraw_a_draft(draft):
    services.agreement_withdraw(agreement=draft, actor=draft._test_actor, grounds="Abandoned")
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        services.agreement_withdraw(agreement=draft, actor=draft._test_actor, grounds="again")


# --- amendment ---------------------------------------------------------------------------------
def test_amendment_keeps_the_old_version_in_force_until_it_enters_into_force(in_force, captured):
    actor = in_force._test_actor
    amendment = services.agreement_amend(agreement=in_force, actor=actor)
    assert amendment.state == S.DRAFT
    assert amendment.amends == in_force
    assert amendment.current_version.content_hash != in_force.signed_version.content_hash
    assert set(amendment.partners.values_list("organisation_id", flat=True)) == set(
        in_force.partners.values_list("organisation_id", flat=True)
    )
    with pytest.raises(GuardFailed) as exc:
        services.agreement_amend(agreement=in_force, actor=actor)
    assert exc.value.code == "agreement_amendment_open"
    services.agreement_update(
        agreement=amendment,
        actor=actor,
        effective_date=timezone.localdate(),
        clauses={"languages": {"en": "English is the language."}},
    )
    amendment.refresh_from_db()
    amendment._test_actor = actor
    drive_to_signatures(amendment)
    in_force.refresh_from_db()
    assert in_force.state == S.IN_FORCE  # still in force while the amendment is signed
    sign_all(amendment)
    assert amendment.state == S.IN_FORCE
    in_force.refresh_from_db()
    assert in_force.state == S.SUPERSEDED
    assert "agreement_superseded" in _names(captured)
    assert "agreement_amendment_started" in _names(captured)


def test_amend_a_draft_is_refused(draft):
    with pytest.raises(TransitionNotAllowed):
        services.agreement_amend(agreement=draft, actor=draft._test_actor)


def test_no_editing_once_in_force(in_force):
    with pytest.raises(GuardFailed) as exc:
        services.agreement_update(agreement=in_force, actor=in_force._test_actor, title="New")
    assert exc.value.code == "agreement_not_editable"


def test_only_coordinators_edit(draft, pair):
    with pytest.raises(PermissionDenied):
        services.agreement_update(agreement=draft, actor=signatory(pair[0]), title="Mine")
    with pytest.raises(PermissionDenied):
        services.agreement_update(agreement=draft, actor=coordinator(_ministry("VN")), title="x")


def test_every_transition_leaves_one_event(in_force):
    transitions = list(in_force.events.values_list("transition", flat=True))
    assert transitions[0] == "draft"
    for name in ("open_consultation", "approve", "request_signatures", "sign", "enter_into_force"):
        assert name in transitions
    assert (
        AgreementEvent.objects.filter(agreement=in_force, transition="enter_into_force").count()
        == 1
    )
