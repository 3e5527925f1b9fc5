"""Which transition notifies whom ("Recipients are the organisations' members in the
roles that act on it"), across the four apps, and that no notice, e-mail, webhook payload or
websocket message carries an identifying detail of a person."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.dispatch import Signal
from django.utils import timezone

from coordination.models import BodySeat, CoordinationBody, Country, Role
from coordination.tests.factories import make_member_user, make_organisation
from coordination.work import services as work_services
from notifications.models import Kind, Notification, WebhookDelivery
from notifications.registry import RULES
from notifications.services import webhook_subscription_create
from notifications.tests.factories import referral_world, submit_referral
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_rule_names_a_real_signal_and_a_known_kind():
    assert RULES
    for rule in RULES:
        assert isinstance(rule.signal, Signal), rule.kind
        assert rule.kind in Kind.values
    # one rule per (signal, kind)
    assert len({(id(r.signal), r.kind) for r in RULES}) == len(RULES)


def test_agreement_lifecycle_notifies_the_parties_coordinators():
    from agreements.tests.factories import make_agreement_in_force

    agreement = make_agreement_in_force(party_a="TH", party_b="KH")
    kinds = set(
        Notification.objects.filter(object_type="agreement", object_id=agreement.pk).values_list(
            "kind", flat=True
        )
    )
    assert {
        Kind.AGREEMENT_READY_FOR_SIGNATURE,
        Kind.AGREEMENT_SIGNED,
        Kind.AGREEMENT_IN_FORCE,
    } <= kinds
    in_force = Notification.objects.filter(kind=Kind.AGREEMENT_IN_FORCE)
    partner_orgs = set(agreement.partners.values_list("organisation_id", flat=True))
    assert in_force.exists()
    assert {n.organisation_id for n in in_force} <= partner_orgs | {agreement.drafted_by_id}
    assert all(agreement.reference in n.title for n in in_force)


def test_return_decision_notifies_both_states():
    from workflows.returns.tests import factories as rf

    rf.ensure_reference_data()
    from agreements.tests.factories import make_agreement_in_force

    world = rf.make_world()
    make_agreement_in_force(procedures=["return_reintegration"], target_groups=["adults"])
    procedure = world.request()
    rf.advance(procedure, world, "preparation")
    decided = Notification.objects.filter(kind=Kind.RETURN_DECIDED, object_id=procedure.pk)
    recipients = set(decided.values_list("recipient__username", flat=True))
    assert "kh_minister" in recipients
    assert "th_minister" in recipients


def test_an_action_item_assigned_notifies_its_owner_and_the_secretariat():
    th = Country.objects.get(code="TH")
    body = CoordinationBody.objects.create(name="Committee", kind="national_committee", country=th)
    secretariat = make_organisation(kind="government_ministry", country="TH", name="Secretariat")
    owner = make_organisation(kind="ngo", country="TH", name="Owner NGO")
    BodySeat.objects.create(body=body, organisation=secretariat, seat="secretariat")
    BodySeat.objects.create(body=body, organisation=owner, seat="member")
    sec_user = make_member_user(secretariat, Role.COORDINATOR)
    sec_colleague = make_member_user(secretariat, Role.COORDINATOR)
    owner_user = make_member_user(owner, Role.COORDINATOR)
    item = work_services.action_item_create(
        body=body,
        owner=owner,
        description="Draft the referral SOP",
        due_on=timezone.localdate() + timedelta(days=30),
        actor=sec_user,
    )
    notices = Notification.objects.filter(kind=Kind.ACTION_ITEM_ASSIGNED, object_id=item.pk)
    assert set(notices.values_list("recipient", flat=True)) == {owner_user.pk, sec_colleague.pk}


MARKERS = {
    "given_names": "Zqxmarkerone",
    "family_name": "Zqxmarkertwo",
    "aliases": "Zqxmarkerthree",
    "date_of_birth": "1987-03-14",
    "contacts": "zqx.marker@example.net +66-555-0199",
    "identity_documents": "ZQX-PASSPORT-777",
    "address": "12 Zqxmarker Lane",
}


def test_no_identifying_detail_reaches_notices_emails_or_webhooks(
    django_capture_on_commit_callbacks,
):
    world = referral_world()
    webhook_subscription_create(
        organisation=world["sender"],
        actor=make_member_user(world["sender"], Role.ORG_ADMIN),
        name="case system",
        url="https://cases.example.org/hook",
        kinds=list(Kind.values),
    )
    case = make_case(world["sender"], country="TH", nationality="TH", identifying=MARKERS)
    make_consent(case, organisations=[world["shelter"]])
    world["case"] = case
    with django_capture_on_commit_callbacks(execute=True):
        referral = submit_referral(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_request_information(
            referral=referral, actor=world["shelter_officer"], question="Which languages?"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_resubmit(referral=referral, actor=world["officer"], answer="Khmer")
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(referral=referral, actor=world["shelter_officer"])

    assert Notification.objects.count() >= 2
    texts = [json.dumps(n.as_payload()) for n in Notification.objects.all()] + [
        json.dumps(w.payload) for w in WebhookDelivery.objects.all()
    ]
    texts += [f"{m.subject}\n{m.body}" for m in mail.outbox]
    assert mail.outbox
    assert WebhookDelivery.objects.exists()
    blob = "\n".join(texts)
    for field, marker in MARKERS.items():
        assert marker not in blob, field
    assert "Zqxmarker" not in blob
