from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Role
from workflows.cases.models import CountrySettings, IdentificationState, MinorStatus, TracingState
from workflows.cases.permissions import case_grant
from workflows.cases.selectors import (
    best_interests_latest,
    can_see_identifying_details,
    consent_allows_sharing,
    guardian_current,
    reflection_period_running,
    residence_status_current,
)
from workflows.cases.services.protection import (
    best_interests_record,
    consent_record,
    consent_withdraw,
    family_tracing_assess_complicity,
    family_tracing_request,
    family_tracing_transition,
    guardian_appoint,
    reflection_period_end_by_decision,
    reflection_period_start,
    reflection_periods_expire,
    residence_status_record,
)
from workflows.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_org, make_member):
    owner = make_org(kind="law_enforcement", country="TH")
    officer = make_member(owner, Role.CASE_OFFICER)
    cpa = make_org(kind="child_protection", country="TH")
    cpa_officer = make_member(cpa, Role.CASE_OFFICER)
    return owner, officer, cpa, cpa_officer


def _consent(case, officer, **kw):
    args = {
        "categories": ["summary", "identifying_details"],
        "purposes": ["referral"],
        "informed_orally": True,
        "informed_in_writing": True,
        "language": "km",
    }
    args.update(kw)
    return consent_record(case=case, actor=officer, **args)


# --- consent ---


def test_consent_needs_information_orally_and_in_writing_in_a_language(setup):
    owner, officer, *_ = setup
    case = make_case(owner)
    with pytest.raises(GuardFailed) as exc:
        _consent(case, officer, informed_in_writing=False, language="")
    assert exc.value.code == "consent_not_informed"
    assert set(exc.value.fields) == {"informed_in_writing", "language"}
    assert not case.consents.exists()


def test_consent_rejects_unknown_codes_naming_the_field(setup):
    owner, officer, *_ = setup
    with pytest.raises(ApplicationError) as exc:
        _consent(make_case(owner), officer, organisation_kinds=["aliens"])
    assert "organisation_kinds" in exc.value.fields


def test_consent_withdrawal_stops_sharing_and_revokes_details_at_once(setup, make_org, make_member):
    owner, officer, _cpa, _ = setup
    shelter = make_org(kind="ngo", country="TH")
    shelter_officer = make_member(shelter, Role.CASE_OFFICER)
    case = make_case(owner)
    consent = _consent(case, officer, organisations=[shelter])
    case_grant(case=case, organisation=shelter, details=True)
    assert consent_allows_sharing(case=case, organisation=shelter)
    assert can_see_identifying_details(user=shelter_officer, case=case)
    consent_withdraw(consent=consent, actor=officer, reason="asked to stop")
    assert not consent_allows_sharing(case=case, organisation=shelter)
    assert not can_see_identifying_details(user=shelter_officer, case=case)
    event = case.events.get(transition="consent_withdraw")
    assert event.payload["revoked_organisations"] == [shelter.pk]
    with pytest.raises(GuardFailed):
        consent_withdraw(consent=consent, actor=officer)


def test_consent_without_permission(setup):
    owner, _, _, cpa_officer = setup
    with pytest.raises(PermissionDenied):
        _consent(make_case(owner), cpa_officer)


# --- reflection period ---


def test_reflection_period_default_and_country_length(setup):
    owner, officer, *_ = setup
    case = make_case(owner)
    period = reflection_period_start(case=case, actor=officer, started_on=dt.date(2026, 1, 1))
    assert period.length_days == 30
    assert period.ends_on == dt.date(2026, 1, 31)
    CountrySettings.objects.create(country_id="TH", reflection_days=90)
    other = make_case(owner)
    assert reflection_period_start(case=other, actor=officer).length_days == 90


def test_reflection_period_guards(setup):
    owner, officer, *_ = setup
    with pytest.raises(GuardFailed) as exc:
        reflection_period_start(case=make_case(owner, state="first_contact"), actor=officer)
    assert exc.value.code == "not_presumed_victim"
    case = make_case(owner)
    with pytest.raises(GuardFailed) as exc:
        reflection_period_start(case=case, actor=officer, length_days=10)
    assert exc.value.code == "reflection_too_short"
    reflection_period_start(case=case, actor=officer)
    with pytest.raises(GuardFailed) as exc:
        reflection_period_start(case=case, actor=officer)
    assert exc.value.code == "reflection_running"


def test_reflection_ends_early_only_by_the_persons_decision(setup):
    owner, officer, *_ = setup
    case = make_case(owner)
    period = reflection_period_start(case=case, actor=officer)
    with pytest.raises(GuardFailed) as exc:
        reflection_period_end_by_decision(
            period=period, actor=officer, outcome="cooperate", decided_by_person=False
        )
    assert exc.value.code == "not_persons_decision"
    assert reflection_period_running(case=case) is not None
    reflection_period_end_by_decision(
        period=period, actor=officer, outcome="cooperate", decided_by_person=True
    )
    assert reflection_period_running(case=case) is None
    assert case.events.filter(transition="reflection_end").count() == 1


def test_reflection_expires_by_beat_task_idempotently(setup):
    owner, officer, *_ = setup
    case = make_case(owner)
    with time_machine.travel(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        reflection_period_start(case=case, actor=officer)
    with time_machine.travel(dt.datetime(2026, 2, 5, 12, tzinfo=dt.UTC), tick=False):
        assert reflection_period_running(case=case) is None
        assert reflection_periods_expire() == 1
        assert reflection_periods_expire() == 0
    assert case.reflection_periods.get().end_kind == "expired"


# --- residence ---


def test_residence_status_needs_a_ground(setup):
    owner, officer, *_ = setup
    case = make_case(owner)
    with pytest.raises(GuardFailed) as exc:
        residence_status_record(case=case, actor=officer, kind="temporary")
    assert exc.value.code == "residence_ground_required"
    residence_status_record(case=case, actor=officer, kind="temporary", ground="proceedings")
    assert residence_status_current(case=case).ground == "proceedings"


# --- children ---


def test_guardian_only_for_a_child_by_a_competent_authority(setup):
    owner, officer, cpa, _ = setup
    with pytest.raises(GuardFailed) as exc:
        guardian_appoint(case=make_case(owner), actor=officer, guardian_name="G", appointed_by=cpa)
    assert exc.value.code == "not_a_child"
    child = make_case(owner, minor_status=MinorStatus.PRESUMED_CHILD)
    with pytest.raises(GuardFailed) as exc:
        guardian_appoint(case=child, actor=officer, guardian_name="G", appointed_by=owner)
    assert exc.value.code == "appointer_not_competent"


def test_accompanying_adult_needs_involvement_assessed(setup):
    owner, officer, cpa, _ = setup
    child = make_case(owner, minor_status=MinorStatus.KNOWN_CHILD)
    with pytest.raises(GuardFailed) as exc:
        guardian_appoint(
            case=child,
            actor=officer,
            guardian_name="Uncle",
            appointed_by=cpa,
            is_accompanying_adult=True,
        )
    assert exc.value.code == "guardian_suspected"
    guardian_appoint(
        case=child,
        actor=officer,
        guardian_name="Uncle",
        appointed_by=cpa,
        is_accompanying_adult=True,
        involvement_assessed=True,
    )
    assert guardian_current(case=child).is_accompanying_adult


def test_child_protection_acts_once_the_case_is_shared_with_it(setup):
    owner, _, cpa, cpa_officer = setup
    child = make_case(owner, minor_status=MinorStatus.PRESUMED_CHILD)
    with pytest.raises(PermissionDenied):
        guardian_appoint(case=child, actor=cpa_officer, guardian_name="G", appointed_by=cpa)
    case_grant(case=child, organisation=cpa, details=False)
    first = guardian_appoint(case=child, actor=cpa_officer, guardian_name="G1", appointed_by=cpa)
    second = guardian_appoint(case=child, actor=cpa_officer, guardian_name="G2", appointed_by=cpa)
    first.refresh_from_db()
    assert first.ended_on is not None
    assert guardian_current(case=child) == second


def test_best_interests_determination_guards(setup):
    owner, officer, cpa, _ = setup
    child = make_case(owner, minor_status=MinorStatus.PRESUMED_CHILD)
    args = {
        "determined_by": cpa,
        "child_views": "wants to go home to grandmother",
        "weight_given_to_views": "significant (15, mature)",
        "outcome": "return_to_family",
    }
    with pytest.raises(GuardFailed) as exc:
        best_interests_record(case=child, actor=officer, **args)
    assert exc.value.code == "guardian_required"
    guardian_appoint(case=child, actor=officer, guardian_name="G", appointed_by=cpa)
    with pytest.raises(GuardFailed) as exc:
        best_interests_record(case=child, actor=officer, **{**args, "child_views": ""})
    assert exc.value.code == "child_views_required"
    with pytest.raises(GuardFailed) as exc:
        best_interests_record(case=child, actor=officer, **args)
    assert exc.value.code == "on_site_investigation_required"
    bid = best_interests_record(case=child, actor=officer, on_site_investigation_done=True, **args)
    assert best_interests_latest(case=child) == bid
    assert bid.supports_return


# --- family tracing ---


def test_family_tracing_starts_from_the_persons_wish(setup):
    owner, officer, _cpa, _ = setup
    with pytest.raises(GuardFailed) as exc:
        family_tracing_request(case=make_case(owner), actor=officer, requested_by_person=False)
    assert exc.value.code == "not_persons_wish"
    child = make_case(owner, minor_status=MinorStatus.KNOWN_CHILD)
    with pytest.raises(GuardFailed) as exc:
        family_tracing_request(case=child, actor=officer, requested_by_person=True)
    assert exc.value.code == "guardian_required"


def test_reunification_needs_non_complicity(setup):
    owner, officer, *_ = setup
    case = make_case(owner)
    tracing = family_tracing_request(case=case, actor=officer, requested_by_person=True)
    with pytest.raises(GuardFailed) as exc:
        family_tracing_transition(tracing=tracing, actor=officer, action="locate")
    assert exc.value.code == "transition_not_allowed"
    tracing = family_tracing_transition(tracing=tracing, actor=officer, action="start")
    tracing = family_tracing_transition(tracing=tracing, actor=officer, action="locate")
    with pytest.raises(GuardFailed) as exc:
        family_tracing_transition(tracing=tracing, actor=officer, action="recommend_reunification")
    assert exc.value.code == "complicity_not_assessed"
    tracing = family_tracing_assess_complicity(
        tracing=tracing, actor=officer, family_complicit=True
    )
    with pytest.raises(GuardFailed) as exc:
        family_tracing_transition(tracing=tracing, actor=officer, action="recommend_reunification")
    assert exc.value.code == "family_complicit"
    tracing = family_tracing_assess_complicity(
        tracing=tracing, actor=officer, family_complicit=False
    )
    tracing = family_tracing_transition(
        tracing=tracing, actor=officer, action="recommend_reunification"
    )
    tracing = family_tracing_transition(tracing=tracing, actor=officer, action="reunite")
    assert tracing.state == TracingState.REUNITED


def test_protection_records_never_touch_identification(setup):
    owner, officer, *_ = setup
    case = make_case(owner)
    reflection_period_start(case=case, actor=officer)
    case.refresh_from_db()
    assert case.identification_state == IdentificationState.PRESUMED_VICTIM
