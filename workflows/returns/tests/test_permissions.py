"""Object permissions on return procedures: granted by the services to the organisations involved
(guardian, direct FK), on their side; everyone else sees nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from concord.errors import ApplicationError
from workflows.returns import services as svc
from workflows.returns.models import ReturnProcedureGroupObjectPermission, ReturnState
from workflows.returns.selectors import returns_visible_to, user_sides
from workflows.returns.tests.factories import advance

pytestmark = pytest.mark.usefixtures("agreements")


def test_request_grants_the_holder_and_both_lead_authorities(world):
    p = world.request()
    groups = set(
        ReturnProcedureGroupObjectPermission.objects.filter(content_object=p).values_list(
            "group__organisation__name", flat=True
        )
    )
    assert groups == {"TH Shelter", "TH MSDHS", "KH MoSVY"}
    assert set(p.participants.values_list("organisation__name", "side")) == {
        ("TH Shelter", "returning"),
        ("TH MSDHS", "returning"),
        ("KH MoSVY", "receiving"),
    }
    for user in (
        world.th_officer,
        world.th_supervisor,
        world.kh_officer,
        world.th_ministry_official,
    ):
        assert returns_visible_to(user=user).filter(pk=p.pk).exists()
    for user in (world.vn_official, world.other_th_official, world.kh_cpa_officer):
        assert not returns_visible_to(user=user).filter(pk=p.pk).exists()
    assert user_sides(user=world.kh_officer, procedure=p) == {"receiving"}


def test_involving_an_organisation_grants_it_on_the_actors_side(world):
    p = world.request()
    with pytest.raises(ApplicationError):
        svc.return_participant_add(procedure=p, organisation=world.kh_cpa, actor=world.th_officer)
    svc.return_participant_add(procedure=p, organisation=world.kh_cpa, actor=world.kh_officer)
    assert returns_visible_to(user=world.kh_cpa_officer).filter(pk=p.pk).exists()
    assert user_sides(user=world.kh_cpa_officer, procedure=p) == {"receiving"}
    with pytest.raises(PermissionDenied):
        svc.return_participant_add(procedure=p, organisation=world.kh_cpa, actor=world.vn_official)


def test_a_service_provider_is_granted_when_added_to_the_plan(world):
    from coordination.tests.factories import make_member_user

    p = advance(world.request(), world, ReturnState.PREPARATION)
    ngo_worker = make_member_user(world.kh_ngo, "case_officer")
    assert not returns_visible_to(user=ngo_worker).filter(pk=p.pk).exists()
    svc.reintegration_service_add(
        procedure=p, actor=world.kh_officer, kind="education", provider=world.kh_ngo
    )
    assert returns_visible_to(user=ngo_worker).filter(pk=p.pk).exists()
    assert user_sides(user=ngo_worker, procedure=p) == {"receiving"}


def test_ministry_official_may_read_but_not_act(world):
    p = world.request()
    with pytest.raises(PermissionDenied):
        svc.return_consent_record(
            procedure=p,
            actor=world.th_ministry_official,
            language="Khmer",
            informed_orally=True,
            informed_in_writing=True,
        )


def test_only_a_supervisor_of_each_side_approves_an_arrangement(world):
    p = world.request()
    svc.return_arrangement_record(procedure=p, actor=world.kh_officer, description="Letters")
    with pytest.raises(PermissionDenied):
        svc.return_arrangement_approve(procedure=p, actor=world.kh_officer)
    svc.return_arrangement_approve(procedure=p, actor=world.kh_supervisor)
    from concord.errors import GuardFailed

    with pytest.raises(GuardFailed):
        svc.return_arrangement_approve(procedure=p, actor=world.kh_supervisor)
