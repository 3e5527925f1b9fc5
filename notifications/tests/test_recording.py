"""A domain transition records its notices and outbox rows in its own transaction."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Channel, Delivery, DeliveryStatus, Kind, Notification
from notifications.tests.factories import referral_world, submit_referral
from workflows.referrals import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def world():
    return referral_world()


def test_submitting_a_referral_notifies_the_receivers_case_workers_only(world):
    referral = submit_referral(world)
    notices = Notification.objects.filter(kind=Kind.REFERRAL_SUBMITTED)
    assert {n.recipient for n in notices} == {world["shelter_officer"]}
    notice = notices.get()
    assert notice.reference == referral.reference
    assert notice.object_type == "referral"
    assert notice.object_id == referral.pk
    assert notice.url == f"/referrals/{referral.pk}/"
    assert "Shelter" not in notice.title
    assert "Labour TH" in notice.title
    # in-app push, and an immediate e-mail (a referral received is urgent by default)
    channels = set(Delivery.objects.filter(notification=notice).values_list("channel", flat=True))
    assert channels == {Channel.LIVE, Channel.EMAIL}


def test_the_actor_and_other_roles_are_not_notified(world):
    submit_referral(world)
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert world["officer"].pk not in recipients
    assert world["shelter_auditor"].pk not in recipients
    assert world["stranger"].pk not in recipients


def test_eager_delivery_marks_rows_delivered_and_sends_the_email(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_referral(world)
    rows = Delivery.objects.all()
    assert rows
    assert all(r.status == DeliveryStatus.DELIVERED for r in rows)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Concord] Referral R-")


def test_rolled_back_transition_leaves_no_notice(world):
    def change_then_fail() -> None:
        with transaction.atomic():
            submit_referral(world)
            assert Notification.objects.count() == 1
            raise RuntimeError("the change fails after the signal")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_accepting_notifies_the_sender(world):
    referral = submit_referral(world)
    services.referral_accept(referral=referral, actor=world["shelter_officer"])
    notice = Notification.objects.get(kind=Kind.REFERRAL_ACCEPTED)
    assert notice.recipient == world["officer"]
    assert notice.state == "accepted"
