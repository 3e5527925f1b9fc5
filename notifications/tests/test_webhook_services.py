"""Who may manage an organisation's webhook subscriptions, asked of the services themselves:
its admins and coordinators, nobody else, whatever page or API is in front."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from coordination.models import Membership, Role
from coordination.services import membership_end
from coordination.tests.factories import make_member_user, make_organisation
from notifications import services
from notifications.models import Kind, WebhookSubscription
from notifications.tests.helpers import make_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return make_organisation(kind="ngo", country="TH", name="Shelter TH")


def create(org, actor):
    return services.webhook_subscription_create(
        organisation=org,
        actor=actor,
        name="case system",
        url="https://hooks.example.org/concord",
        kinds=[Kind.REFERRAL_SUBMITTED],
    )


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.COORDINATOR])
def test_admins_and_coordinators_create_update_rotate_and_delete(org, role):
    actor = make_member_user(org, role)
    subscription = create(org, actor)
    assert subscription.created_by == actor
    old_secret = subscription.secret
    services.webhook_subscription_update(subscription=subscription, actor=actor, is_active=False)
    rotated = services.webhook_subscription_update(
        subscription=subscription, actor=actor, rotate_secret=True
    )
    assert rotated.secret != old_secret
    assert not rotated.is_active
    services.webhook_subscription_delete(subscription=subscription, actor=actor)
    assert not WebhookSubscription.objects.exists()


def _outsiders(org):
    other = make_organisation(kind="ngo", country="TH", name="Other NGO TH")
    return {
        "case officer": make_member_user(org, Role.CASE_OFFICER),
        "auditor": make_member_user(org, Role.AUDITOR),
        "admin of another organisation": make_member_user(other, Role.ORG_ADMIN),
        "no actor": None,
    }


def test_anyone_else_is_refused_creating_and_nothing_is_created(org):
    for who, actor in _outsiders(org).items():
        with pytest.raises(PermissionDenied):
            create(org, actor)
        assert not WebhookSubscription.objects.exists(), who


def test_anyone_else_is_refused_changing_pausing_rotating_or_deleting(org):
    subscription = make_subscription(org)
    before = (subscription.name, subscription.url, subscription.secret, subscription.is_active)
    for who, actor in _outsiders(org).items():
        for changes in ({"name": "renamed"}, {"is_active": False}, {"rotate_secret": True}):
            with pytest.raises(PermissionDenied):
                services.webhook_subscription_update(
                    subscription=subscription, actor=actor, **changes
                )
        with pytest.raises(PermissionDenied):
            services.webhook_subscription_delete(subscription=subscription, actor=actor)
        subscription.refresh_from_db()
        after = (subscription.name, subscription.url, subscription.secret, subscription.is_active)
        assert after == before, who


def test_a_former_coordinator_is_refused(org):
    actor = make_member_user(org, Role.COORDINATOR)
    subscription = create(org, actor)
    membership_end(membership=Membership.objects.get(user=actor), actor=None, reason="left")
    with pytest.raises(PermissionDenied):
        services.webhook_subscription_update(subscription=subscription, actor=actor, name="x")
