"""Organisation admins manage their members; every change leaves a MembershipEvent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client

from concord.errors import GuardFailed
from coordination.models import Membership, MembershipEvent, Role
from coordination.services import membership_add, membership_change, membership_end

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(make_org):
    return make_org(name="Shelter NGO")


@pytest.fixture
def admin_user(org, make_member):
    return make_member(org, Role.ORG_ADMIN, username="shelter_admin")


@pytest.fixture
def admin_client(login, admin_user):
    return login(admin_user, Client())


def transitions(org):
    return list(
        MembershipEvent.objects.filter(organisation=org).values_list("transition", flat=True)
    )


def test_admin_adds_an_existing_account_on_the_page(admin_client, org, make_member):
    colleague = make_member(None, username="colleague")
    response = admin_client.post(
        f"/organisations/{org.pk}/members/add/",
        {"username": "colleague", "role": "case_officer", "can_sign_agreements": "on"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=colleague, organisation=org)
    assert membership.can_sign_agreements
    assert colleague.groups.filter(pk=org.group_id).exists()
    event = MembershipEvent.objects.filter(membership=membership).get()
    assert event.transition == "add"
    assert event.actor.username == "shelter_admin"
    assert event.payload == {"role": "case_officer", "can_sign_agreements": True}
    page = admin_client.get(f"/organisations/{org.pk}/members/").content.decode()
    assert "colleague" in page


def test_page_add_unknown_username_names_the_field(admin_client, org):
    response = admin_client.post(
        f"/organisations/{org.pk}/members/add/", {"username": "ghost", "role": "auditor"}
    )
    assert response.status_code == 400
    assert "No account has this username." in response.content.decode()
    assert not Membership.objects.filter(organisation=org, user__username="ghost").exists()


def test_admin_creates_an_account_without_invitation(admin_client, org):
    response = admin_client.post(
        f"/organisations/{org.pk}/members/create/",
        {
            "username": "newcomer",
            "password": "a long enough passphrase 42",
            "role": "case_officer",
            "first_name": "New",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newcomer")
    assert user.check_password("a long enough passphrase 42")
    assert Membership.objects.filter(user=user, organisation=org, role="case_officer").exists()
    weak = admin_client.post(
        f"/organisations/{org.pk}/members/create/",
        {"username": "weakling", "password": "123", "role": "auditor"},
    )
    assert weak.status_code == 400
    assert not get_user_model().objects.filter(username="weakling").exists()


def test_change_role_signing_and_end_each_leave_an_event(admin_client, org, make_member):
    worker = make_member(org, "case_officer", username="worker")
    membership = Membership.objects.get(user=worker, organisation=org)
    admin_client.post(
        f"/organisations/{org.pk}/members/{membership.pk}/change/",
        {"role": "supervisor", "can_sign_agreements": "on"},
    )
    membership.refresh_from_db()
    assert membership.role == "supervisor"
    assert membership.can_sign_agreements
    admin_client.post(
        f"/organisations/{org.pk}/members/{membership.pk}/end/", {"reason": "moved on"}
    )
    membership.refresh_from_db()
    assert not membership.is_active
    assert not worker.groups.filter(pk=org.group_id).exists()
    assert transitions(org)[-3:] == ["change_role", "grant_signing", "end"]
    assert MembershipEvent.objects.filter(membership=membership).last().reason == "moved on"


def test_member_of_another_organisation_cannot_manage_members(login, org, make_org, make_member):
    worker = make_member(org, "case_officer", username="worker")
    membership = Membership.objects.get(user=worker)
    other_admin = make_member(make_org(name="Other"), Role.ORG_ADMIN)
    client = login(other_admin, Client())
    assert client.get(f"/organisations/{org.pk}/members/").status_code == 403
    response = client.post(f"/organisations/{org.pk}/members/{membership.pk}/end/")
    assert response.status_code == 403
    api = client.post(f"/api/memberships/{membership.pk}/end/", {}, content_type="application/json")
    assert api.status_code == 403
    assert api.json()["code"] == "permission_denied"
    with pytest.raises(PermissionDenied):
        membership_end(membership=membership, actor=other_admin)
    membership.refresh_from_db()
    assert membership.is_active
    # A plain member of the organisation cannot either.
    assert login(worker, Client()).get(f"/organisations/{org.pk}/members/").status_code == 403


def test_last_admin_cannot_leave_or_be_demoted(admin_user, org, admin_client):
    membership = Membership.objects.get(user=admin_user, organisation=org)
    with pytest.raises(GuardFailed) as refused:
        membership_end(membership=membership, actor=admin_user)
    assert refused.value.code == "last_organisation_admin"
    api = admin_client.patch(
        f"/api/memberships/{membership.pk}/", {"role": "auditor"}, content_type="application/json"
    )
    assert api.status_code == 409
    assert api.json()["code"] == "last_organisation_admin"
    page = admin_client.post(
        f"/organisations/{org.pk}/members/{membership.pk}/end/",
        HTTP_REFERER=f"/organisations/{org.pk}/members/",
    )
    assert page.status_code == 302
    followed = admin_client.get(page["Location"]).content.decode()
    assert "at least one active organisation admin" in followed
    membership.refresh_from_db()
    assert membership.is_active
    assert membership.role == Role.ORG_ADMIN


def test_same_role_twice_is_refused(org, make_member, admin_user):
    user = make_member(org, "case_officer")
    membership_add(organisation=org, user=user, role="auditor", actor=admin_user)
    officer = Membership.objects.get(user=user, role="case_officer")
    with pytest.raises(GuardFailed) as refused:
        membership_change(membership=officer, role="auditor", actor=admin_user)
    assert refused.value.code == "role_already_held"


def test_ended_membership_cannot_be_changed(org, make_member, admin_user):
    user = make_member(org, "case_officer")
    membership = Membership.objects.get(user=user)
    membership_end(membership=membership, actor=admin_user)
    with pytest.raises(GuardFailed) as refused:
        membership_change(membership=membership, can_sign_agreements=True, actor=admin_user)
    assert refused.value.code == "membership_ended"
    again = membership_add(organisation=org, user=user, role="case_officer", actor=admin_user)
    assert again.is_active
    assert transitions(org)[-1] == "reactivate"


def test_api_manages_members(admin_client, org, make_member):
    make_member(None, username="api_colleague")
    created = admin_client.post(
        f"/api/organisations/{org.pk}/memberships/",
        {"username": "api_colleague", "role": "coordinator"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    membership_id = created.json()["id"]
    changed = admin_client.patch(
        f"/api/memberships/{membership_id}/",
        {"can_sign_agreements": True},
        content_type="application/json",
    )
    assert changed.json()["can_sign_agreements"] is True
    ended = admin_client.post(
        f"/api/memberships/{membership_id}/end/",
        {"reason": "left"},
        content_type="application/json",
    )
    assert ended.json()["is_active"] is False
    listing = admin_client.get(f"/api/organisations/{org.pk}/memberships/?include_ended=true")
    assert "api_colleague" in {m["username"] for m in listing.json()["results"]}
    events = admin_client.get(f"/api/organisations/{org.pk}/membership-events/").json()
    assert [e["transition"] for e in events][:3] == ["end", "grant_signing", "add"]
    account = admin_client.post(
        f"/api/organisations/{org.pk}/accounts/",
        {"username": "api_new", "password": "a long enough passphrase 42", "role": "auditor"},
        content_type="application/json",
    )
    assert account.status_code == 201


def test_api_bad_input_names_the_field_and_changes_nothing(admin_client, org):
    before = Membership.objects.count()
    unknown = admin_client.post(
        f"/api/organisations/{org.pk}/memberships/",
        {"username": "ghost", "role": "coordinator"},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert "username" in unknown.json()["fields"]
    bad_role = admin_client.post(
        f"/api/organisations/{org.pk}/memberships/",
        {"username": "shelter_admin", "role": "emperor"},
        content_type="application/json",
    )
    assert bad_role.status_code == 400
    assert bad_role.json()["code"] == "invalid"
    assert "role" in bad_role.json()["fields"]
    weak = admin_client.post(
        f"/api/organisations/{org.pk}/accounts/",
        {"username": "weak", "password": "short", "role": "auditor"},
        content_type="application/json",
    )
    assert weak.status_code == 400
    assert "password" in weak.json()["fields"]
    assert Membership.objects.count() == before


def test_non_admin_sees_active_members_but_not_ended_or_history(login, org, make_member):
    client = login(make_member(org, "case_officer"), Client())
    assert client.get(f"/api/organisations/{org.pk}/memberships/").status_code == 200
    assert (
        client.get(f"/api/organisations/{org.pk}/memberships/?include_ended=1").status_code == 403
    )
    assert client.get(f"/api/organisations/{org.pk}/membership-events/").status_code == 403
