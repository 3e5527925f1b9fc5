from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Role
from workflows.cases import signals
from workflows.cases.models import CaseEvent, CountrySettings, IdentificationState, MinorStatus
from workflows.cases.services.cases import (
    case_close,
    case_confirm,
    case_identify,
    case_presume,
    case_presume_minority,
    case_register,
    case_reopen,
    case_rule_out,
)
from workflows.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db
S = IdentificationState


@pytest.fixture
def officer_org(make_org, make_member):
    org = make_org(kind="labour_inspectorate", country="TH")
    return org, make_member(org, Role.CASE_OFFICER)


def test_register_at_first_contact_with_presumption(officer_org):
    org, officer = officer_org
    case = case_register(
        owner=org,
        actor=officer,
        gender="Female",
        age_band="24-26",
        exploitation_forms=["forced_labour"],
        identifying={"given_names": "Mali"},
        presume=True,
    )
    assert case.identification_state == S.PRESUMED_VICTIM
    assert case.country_of_identification_id == "TH"
    events = list(CaseEvent.objects.filter(case=case).values_list("transition", flat=True))
    assert events == ["register", "presume"]
    assert "Mali" not in str(list(CaseEvent.objects.filter(case=case).values()))


def test_register_refuses_bad_vocabulary_naming_the_field(officer_org):
    org, officer = officer_org
    with pytest.raises(ApplicationError) as exc:
        case_register(owner=org, actor=officer, gender="Robot", exploitation_forms=["x"])
    assert set(exc.value.fields) == {"gender", "exploitation_forms"}


def test_register_needs_a_case_role(officer_org, make_member):
    org, _ = officer_org
    auditor = make_member(org, Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        case_register(owner=org, actor=auditor)


def test_presumed_child_without_child_protection_alerts(officer_org):
    org, officer = officer_org
    alerts = []

    def receiver(sender, instance, event, actor, country, bodies, **kw):
        alerts.append((instance.pk, country.pk, bodies))

    signals.child_protection_missing.connect(receiver)
    try:
        case = case_register(owner=org, actor=officer, minor_status=MinorStatus.PRESUMED_CHILD)
    finally:
        signals.child_protection_missing.disconnect(receiver)
    assert alerts == [(case.pk, "TH", [])]
    assert case.events.filter(transition="child_protection_missing").exists()


def test_presume_minority(officer_org):
    org, officer = officer_org
    case = make_case(org)
    case = case_presume_minority(case=case, actor=officer, reason="looks young, no papers")
    assert case.is_or_may_be_child
    assert case.minor_status == MinorStatus.PRESUMED_CHILD
    with pytest.raises(GuardFailed) as exc:
        case_presume_minority(case=case, actor=officer)
    assert exc.value.code == "already_child"


def test_full_identification_path(officer_org):
    org, officer = officer_org
    case = make_case(org, state=S.FIRST_CONTACT)
    case = case_presume(case=case, actor=officer)
    case = case_identify(
        case=case, actor=officer, reason="interview", informed=True, interview_language="km"
    )
    assert case.identification_state == S.IDENTIFIED
    case = case_confirm(case=case, actor=officer, reason="conviction ref 12/2026")
    assert case.identification_state == S.CONFIRMED
    assert [e.to_state for e in case.events.all()] == ["presumed_victim", "identified", "confirmed"]


def test_identify_needs_information_in_a_language(officer_org):
    org, officer = officer_org
    case = make_case(org)
    with pytest.raises(GuardFailed) as exc:
        case_identify(case=case, actor=officer, reason="x", informed=False, interview_language="")
    assert exc.value.code == "not_informed"
    case.refresh_from_db()
    assert case.identification_state == S.PRESUMED_VICTIM


def test_identify_from_first_contact_is_refused(officer_org):
    org, officer = officer_org
    case = make_case(org, state=S.FIRST_CONTACT)
    with pytest.raises(GuardFailed) as exc:
        case_identify(case=case, actor=officer, reason="x", informed=True, interview_language="th")
    assert exc.value.code == "transition_not_allowed"


def test_confirm_refused_where_no_formal_stage(officer_org):
    org, officer = officer_org
    CountrySettings.objects.create(country_id="TH", has_formal_confirmation=False)
    case = make_case(org, state=S.IDENTIFIED)
    with pytest.raises(GuardFailed) as exc:
        case_confirm(case=case, actor=officer, reason="x")
    assert exc.value.code == "no_formal_confirmation"


def test_rule_out_keeps_record_needs_grounds_and_never_after_identification(officer_org):
    org, officer = officer_org
    case = make_case(org)
    with pytest.raises(GuardFailed) as exc:
        case_rule_out(case=case, actor=officer, reason=" ")
    assert exc.value.code == "grounds_required"
    case = case_rule_out(case=case, actor=officer, reason="no indicators after interview")
    assert case.identification_state == S.NOT_IDENTIFIED
    assert case.given_names == "Test"
    case = case_reopen(case=case, actor=officer, reason="new information")
    assert case.identification_state == S.PRESUMED_VICTIM
    identified = make_case(org, state=S.IDENTIFIED)
    with pytest.raises(GuardFailed) as exc:
        case_rule_out(case=identified, actor=officer, reason="acquittal")
    assert exc.value.code == "no_downgrade"


def test_transitions_refused_without_permission(officer_org, make_org, make_member):
    org, _ = officer_org
    stranger = make_member(make_org(kind="ngo", country="TH"), Role.CASE_OFFICER)
    case = make_case(org, state=S.FIRST_CONTACT)
    with pytest.raises(PermissionDenied):
        case_presume(case=case, actor=stranger)
    with pytest.raises(PermissionDenied):
        case_close(case=case, actor=stranger, reason="x")


def test_identify_only_by_the_countrys_identifying_authorities(officer_org, make_org, make_member):
    org, officer = officer_org  # a labour inspectorate in TH
    CountrySettings.objects.create(country_id="TH", identifying_authority_kinds=["law_enforcement"])
    case = make_case(org)
    with pytest.raises(GuardFailed) as exc:
        case_identify(case=case, actor=officer, reason="x", informed=True, interview_language="th")
    assert exc.value.code == "not_identifying_authority"
    police = make_org(kind="law_enforcement", country="TH")
    police_officer = make_member(police, Role.CASE_OFFICER)
    police_case = make_case(police)
    police_case = case_identify(
        case=police_case, actor=police_officer, reason="x", informed=True, interview_language="th"
    )
    assert police_case.identification_state == S.IDENTIFIED
