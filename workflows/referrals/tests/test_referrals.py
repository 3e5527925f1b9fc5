"""Referral services: every transition from an allowed and a forbidden state, each guard failing,
and without permission."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver as on_signal
from django.utils import timezone

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Country
from workflows.cases import services as case_services
from workflows.cases.selectors import can_see_identifying_details, cases_visible_to
from workflows.cases.tests.factories import make_consent
from workflows.referrals import services, signals
from workflows.referrals.models import Referral, ReferralEvent, ReferralState, ReferralVisibility
from workflows.referrals.selectors import referral_list
from workflows.referrals.tasks import escalate_overdue_referrals
from workflows.referrals.tests.factories import submit_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_org, make_member, make_case):
    sender = make_org(kind="labour_inspectorate", country="TH", name="Labour Inspectorate TH")
    shelter = make_org(kind="ngo", country="TH", name="Shelter TH", services=["shelter", "medical"])
    officer = make_member(sender, "case_officer")
    shelter_officer = make_member(shelter, "case_officer")
    case = make_case(sender, country="TH", nationality="TH")
    make_consent(case, organisations=[shelter])
    return {
        "sender": sender,
        "shelter": shelter,
        "officer": officer,
        "shelter_officer": shelter_officer,
        "case": case,
        "make_org": make_org,
        "make_member": make_member,
        "make_case": make_case,
    }


def submitted(world, **kw):
    return submit_referral(
        case=kw.pop("case", world["case"]),
        receiver=kw.pop("receiver", world["shelter"]),
        actor=world["officer"],
        services_needed=kw.pop("services", ["shelter"]),
        urgency=kw.pop("urgency", "urgent"),
    )


def test_submit_shares_the_summary_only_and_sets_the_deadline(world, settings):
    settings.CONCORD_REFERRAL_DEADLINE_HOURS = {"emergency": 4, "urgent": 24, "routine": 120}
    before = timezone.now()
    r = submitted(world)
    assert r.state == ReferralState.SUBMITTED
    assert timedelta(hours=23, minutes=59) < r.deadline - before < timedelta(hours=24, minutes=1)
    user = world["shelter_officer"]
    assert cases_visible_to(user=user).filter(pk=world["case"].pk).exists()
    assert not can_see_identifying_details(user=user, case=world["case"])
    assert [e.transition for e in r.events.all()] == ["create", "submit"]
    boxes = set(ReferralVisibility.objects.filter(referral=r).values_list("box", "state"))
    assert boxes == {("outbox", "submitted"), ("inbox", "submitted")}


def test_submit_from_a_forbidden_state_is_refused(world):
    r = submitted(world)
    with pytest.raises(ApplicationError) as err:
        services.referral_submit(referral=r, actor=world["officer"])
    assert err.value.code == "transition_not_allowed"


def test_only_the_sending_case_workers_create_and_submit(world, make_member):
    with pytest.raises(PermissionDenied):
        services.referral_create(
            case=world["case"], receiver=world["shelter"], actor=world["shelter_officer"]
        )
    coordinator = make_member(world["sender"], "coordinator")
    with pytest.raises(PermissionDenied):
        services.referral_create(case=world["case"], receiver=world["shelter"], actor=coordinator)
    r = services.referral_create(
        case=world["case"], receiver=world["shelter"], actor=world["officer"]
    )
    with pytest.raises(PermissionDenied):
        services.referral_submit(referral=r, actor=world["shelter_officer"])
    assert Referral.objects.get(pk=r.pk).state == ReferralState.DRAFT


def test_service_not_offered_names_the_field(world):
    with pytest.raises(ApplicationError) as err:
        services.referral_create(
            case=world["case"],
            receiver=world["shelter"],
            actor=world["officer"],
            services=["legal_aid"],
        )
    assert err.value.code == "service_not_offered"
    assert "services" in err.value.fields


def test_referral_to_self_is_refused(world):
    with pytest.raises(GuardFailed) as err:
        services.referral_create(
            case=world["case"], receiver=world["sender"], actor=world["officer"]
        )
    assert err.value.code == "referral_to_self"


@pytest.mark.parametrize("withdrawn", [False, True])
def test_without_consent_nothing_is_shared(world, make_org, withdrawn):
    other = make_org(kind="health", country="TH", services=["medical"])
    if withdrawn:
        make_consent(world["case"], organisations=[other], withdrawn=True)
    r = services.referral_create(case=world["case"], receiver=other, actor=world["officer"])
    with pytest.raises(GuardFailed) as err:
        services.referral_submit(referral=r, actor=world["officer"])
    assert err.value.code == "consent_missing"
    assert Referral.objects.get(pk=r.pk).state == ReferralState.DRAFT
    assert not ReferralVisibility.objects.filter(referral=r, box="inbox").exists()


def test_asylum_seeker_never_referred_to_authorities_of_their_country(world, make_org, make_case):
    case = make_case(world["sender"], country="TH", nationality="KH", asylum_status="applied")
    embassy = make_org(
        kind="consular_diplomatic", country="TH", represents_country=Country.objects.get(code="KH")
    )
    make_consent(case, organisations=[embassy], kinds=["asylum_authority"])
    r = services.referral_create(case=case, receiver=embassy, actor=world["officer"])
    with pytest.raises(GuardFailed) as err:
        services.referral_submit(referral=r, actor=world["officer"])
    assert err.value.code == "asylum_non_refoulement"
    assert "seed 004:119" in err.value.message
    assert err.value.extra["suggest_kind"] == "asylum_authority"
    asylum = make_org(kind="asylum_authority", country="TH")
    ok = services.referral_create(case=case, receiver=asylum, actor=world["officer"])
    assert services.referral_submit(referral=ok, actor=world["officer"]).state == "submitted"


def test_child_accommodation_needs_a_guardian_or_child_protection(world, make_org, make_case):
    child = make_case(
        world["sender"], country="TH", nationality="TH", minor_status="presumed_child"
    )
    make_consent(child, organisations=[world["shelter"]], kinds=["child_protection"])
    r = services.referral_create(
        case=child, receiver=world["shelter"], actor=world["officer"], services=["shelter"]
    )
    with pytest.raises(GuardFailed) as err:
        services.referral_submit(referral=r, actor=world["officer"])
    assert err.value.code == "child_needs_guardian"
    # medical care only: no placement, no guardian needed
    r2 = services.referral_create(
        case=child, receiver=world["shelter"], actor=world["officer"], services=["medical"]
    )
    assert services.referral_submit(referral=r2, actor=world["officer"]).state == "submitted"
    cpa = make_org(kind="child_protection", country="TH", services=["shelter", "child_protection"])
    r3 = services.referral_create(
        case=child, receiver=cpa, actor=world["officer"], services=["shelter"]
    )
    assert services.referral_submit(referral=r3, actor=world["officer"]).state == "submitted"
    case_services.guardian_appoint(
        case=child,
        actor=world["officer"],
        guardian_name="Guardian",
        appointed_by=cpa,
        involvement_assessed=True,
    )
    assert services.referral_submit(referral=r, actor=world["officer"]).state == "submitted"


def test_cross_border_needs_an_agreement_in_force_and_names_it(world, make_org):
    from agreements.tests.factories import make_agreement_in_force

    kh_shelter = make_org(kind="ngo", country="KH", services=["shelter"])
    make_consent(world["case"], organisations=[kh_shelter])
    r = services.referral_create(case=world["case"], receiver=kh_shelter, actor=world["officer"])
    with pytest.raises(GuardFailed) as err:
        services.referral_submit(referral=r, actor=world["officer"])
    assert err.value.code == "no_legal_basis"
    assert err.value.extra["missing"]["procedure"] == "referral"
    mou = make_agreement_in_force(
        party_a="TH", party_b="KH", end_date=timezone.localdate() + timedelta(days=30)
    )
    r = services.referral_submit(referral=r, actor=world["officer"])
    assert r.legal_basis_id == mou.pk
    assert r.events.get(transition="submit").payload["legal_basis_agreement"] == mou.pk
    # the same referral is refused once the MOU has expired
    r2 = services.referral_create(case=world["case"], receiver=kh_shelter, actor=world["officer"])
    with (
        time_machine.travel(timezone.now() + timedelta(days=60)),
        pytest.raises(GuardFailed) as err,
    ):
        services.referral_submit(referral=r2, actor=world["officer"])
    assert err.value.code == "no_legal_basis"


def test_accept_shares_details_only_where_consent_covers_them(world, make_org):
    r = submitted(world)
    r = services.referral_accept(referral=r, actor=world["shelter_officer"])
    assert r.state == "accepted"
    assert can_see_identifying_details(user=world["shelter_officer"], case=world["case"])
    # consent to the summary only: accepted, details stay hidden
    clinic = make_org(kind="health", country="TH", services=["medical"])
    clinic_officer = world["make_member"](clinic, "case_officer")
    make_consent(world["case"], organisations=[clinic], categories=["summary"])
    r2 = services.referral_submit(
        referral=services.referral_create(
            case=world["case"], receiver=clinic, actor=world["officer"]
        ),
        actor=world["officer"],
    )
    r2 = services.referral_accept(referral=r2, actor=clinic_officer)
    assert r2.events.get(transition="accept").payload == {"details_shared": False}
    assert not can_see_identifying_details(user=clinic_officer, case=world["case"])


def test_accept_without_permission_and_from_a_forbidden_state(world):
    r = submitted(world)
    with pytest.raises(PermissionDenied):
        services.referral_accept(referral=r, actor=world["officer"])
    services.referral_accept(referral=r, actor=world["shelter_officer"])
    with pytest.raises(ApplicationError) as err:
        services.referral_accept(referral=r, actor=world["shelter_officer"])
    assert err.value.code == "transition_not_allowed"
    assert ReferralEvent.objects.filter(referral=r, transition="accept").count() == 1


def test_decline_needs_a_listed_reason_and_takes_back_the_summary(world):
    r = submitted(world)
    with pytest.raises(ApplicationError) as err:
        services.referral_decline(referral=r, actor=world["shelter_officer"], reason="bored")
    assert "reason" in err.value.fields
    with pytest.raises(ApplicationError) as err:
        services.referral_decline(referral=r, actor=world["shelter_officer"], reason="other")
    assert "text" in err.value.fields
    r = services.referral_decline(referral=r, actor=world["shelter_officer"], reason="no_capacity")
    assert r.state == "declined"
    assert r.decline_reason == "no_capacity"
    assert not cases_visible_to(user=world["shelter_officer"]).filter(pk=world["case"].pk).exists()


def test_information_request_then_resubmit_then_the_whole_way(world):
    r = submitted(world)
    with pytest.raises(ApplicationError):
        services.referral_request_information(
            referral=r, actor=world["shelter_officer"], question=" "
        )
    r = services.referral_request_information(
        referral=r, actor=world["shelter_officer"], question="Languages?"
    )
    assert r.state == "information_requested"
    with pytest.raises(PermissionDenied):
        services.referral_resubmit(referral=r, actor=world["shelter_officer"])
    r = services.referral_resubmit(referral=r, actor=world["officer"])
    assert r.state == "submitted"
    with pytest.raises(ApplicationError):
        services.referral_start(referral=r, actor=world["shelter_officer"])
    r = services.referral_accept(referral=r, actor=world["shelter_officer"])
    with pytest.raises(ApplicationError):
        services.referral_complete(referral=r, actor=world["shelter_officer"])
    r = services.referral_start(referral=r, actor=world["shelter_officer"])
    r = services.referral_complete(referral=r, actor=world["shelter_officer"], outcome="Placed")
    assert r.state == "completed"
    assert r.completed_at is not None
    assert [e.transition for e in r.events.all()] == [
        "create",
        "submit",
        "request_information",
        "resubmit",
        "accept",
        "start",
        "complete",
    ]
    with pytest.raises(ApplicationError):
        services.referral_withdraw(referral=r, actor=world["officer"])


def test_withdraw_by_the_sender_revokes_what_was_granted(world):
    r = services.referral_accept(referral=submitted(world), actor=world["shelter_officer"])
    with pytest.raises(PermissionDenied):
        services.referral_withdraw(referral=r, actor=world["shelter_officer"])
    r = services.referral_withdraw(referral=r, actor=world["officer"], reason="Person moved")
    assert r.state == "withdrawn"
    assert not cases_visible_to(user=world["shelter_officer"]).filter(pk=world["case"].pk).exists()
    assert not can_see_identifying_details(user=world["shelter_officer"], case=world["case"])


def test_consent_withdrawal_stops_sharing_details_at_once(world):
    r = services.referral_accept(referral=submitted(world), actor=world["shelter_officer"])
    assert can_see_identifying_details(user=world["shelter_officer"], case=r.case)
    consent = world["case"].consents.get()
    case_services.consent_withdraw(
        consent=consent, actor=world["officer"], reason="Changed her mind"
    )
    assert not can_see_identifying_details(user=world["shelter_officer"], case=r.case)


def test_overdue_referral_escalates_once(world):
    r = submitted(world, urgency="emergency")
    fired = []

    @on_signal(signals.referral_escalated)
    def _got(sender, instance, event, bodies, **kw):
        fired.append((instance.pk, event.transition))

    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        assert referral_list(user=world["shelter_officer"], box="inbox", overdue=True).count() == 1
        assert escalate_overdue_referrals() == 1
        assert escalate_overdue_referrals() == 0
    signals.referral_escalated.disconnect(_got)
    assert fired == [(r.pk, "escalate")]
    assert Referral.objects.get(pk=r.pk).escalated_at is not None


def test_presumed_child_is_referred_to_child_protection_at_once(world, make_org, make_case):
    cpa = make_org(kind="child_protection", country="TH", services=["child_protection"])
    case = make_case(world["sender"], country="TH", nationality="TH")
    case_services.case_presume_minority(case=case, actor=world["officer"], reason="Looks under 18")
    referral = Referral.objects.get(case=case)
    assert referral.receiver == cpa
    assert referral.state == "submitted"
    assert referral.urgency == "emergency"
    assert referral.is_child_protection_referral


def test_transfer_of_lead_keeps_need_to_know(world, make_org, make_case):
    case = world["case"]
    with pytest.raises(GuardFailed) as err:
        services.case_transfer_lead(
            case=case, to=make_org(kind="ngo", country="TH"), actor=world["officer"], reason="x"
        )
    assert err.value.code == "consent_missing"
    case = services.case_transfer_lead(
        case=case, to=world["shelter"], actor=world["officer"], reason="Better placed"
    )
    assert case.owner == world["shelter"]
    assert cases_visible_to(user=world["officer"]).filter(pk=case.pk).exists()
    assert not can_see_identifying_details(user=world["officer"], case=case)
    assert case.events.filter(transition="transfer_lead").exists()


def test_a_transition_costs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    r = submitted(world)
    # 8 statements for the transition and its event, 4 for its notices and outbox rows in the
    # same transaction (recipients with their e-mail choice, notices, deliveries, webhook
    # subscriptions); the test wraps the service in a savepoint pair (+2)
    with django_assert_max_num_queries(14):
        services.referral_accept(referral=r, actor=world["shelter_officer"])


@pytest.mark.parametrize("n", [2, 12])
def test_inbox_costs_a_fixed_number_of_queries(world, n, django_assert_max_num_queries):
    for _ in range(n):
        submitted(world)
    with django_assert_max_num_queries(2):
        rows = list(referral_list(user=world["shelter_officer"], box="inbox"))
        assert len(rows) == n
        assert all(row.referral.case.reference for row in rows)
