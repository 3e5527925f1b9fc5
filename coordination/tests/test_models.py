from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from concord.errors import ApplicationError
from coordination.models import Country, Membership, Organisation
from coordination.permissions import has_role, organisation_ids_for
from coordination.services import membership_add, membership_end, organisation_create

pytestmark = pytest.mark.django_db


def test_every_iso_country_ships():
    assert Country.objects.count() == 249
    assert Country.objects.get(code="TH").name == "Thailand"


def test_organisation_gets_its_own_access_group(make_org):
    org = make_org(name="Agency")
    assert org.group.name == f"org:{org.pk}"
    with pytest.raises(ApplicationError) as refused:
        organisation_create(name="  ", kind="ngo")
    assert "name" in refused.value.fields


def test_state_actor_and_country_acted_for(make_org):
    police = make_org(kind="law_enforcement", country="TH")
    ngo = make_org(kind="ngo", country="TH")
    embassy = make_org(
        kind="consular_diplomatic", country="TH", represents_country=Country.objects.get(code="KH")
    )
    assert police.is_state_actor
    assert not ngo.is_state_actor
    assert police.acts_for_country.code == "TH"
    assert embassy.acts_for_country.code == "KH"
    assert Organisation.objects.filter(country__isnull=True, kind="international_organisation")


def test_membership_is_unique_per_role_and_drives_the_group(make_org, make_member):
    org = make_org()
    user = make_member(org, "case_officer")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organisation=org, role="case_officer")
    auditor = membership_add(organisation=org, user=user, role="auditor", actor=None)
    assert organisation_ids_for(user) == {org.pk}
    assert has_role(user, org, ["auditor"])
    membership_end(membership=auditor, actor=None)
    assert user.groups.filter(pk=org.group_id).exists()  # still a case officer there
    membership_end(membership=Membership.objects.get(user=user, role="case_officer"), actor=None)
    assert not user.groups.filter(pk=org.group_id).exists()
    assert organisation_ids_for(user) == set()


def test_inactive_organisation_grants_nothing(make_org, make_member):
    org = make_org(is_active=False)
    user = make_member(org, "coordinator")
    assert organisation_ids_for(user) == set()
