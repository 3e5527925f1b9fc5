"""agreements_covering: the legal-basis question the workflows ask."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from agreements import services
from agreements.models import AgreementState
from agreements.selectors import agreements_covering
from agreements.tests.factories import make_agreement, make_agreement_in_force
from concord.errors import ApplicationError
from coordination.models import Country
from coordination.tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def test_state_agreement_covers_countries_and_their_organisations(th, kh):
    agreement = make_agreement_in_force(
        party_a=th, party_b=kh, procedures=["referral"], target_groups=["adults", "children"]
    )
    assert agreement.state == AgreementState.IN_FORCE
    assert list(agreements_covering(procedure="referral", party_a=th, party_b=kh)) == [agreement]
    # either order, and country codes
    assert agreements_covering(procedure="referral", party_a="KH", party_b="TH").get() == agreement
    # an NGO in Thailand and a Cambodian ministry are organisations of those States
    ngo_th = make_organisation(kind="ngo", country="TH")
    ministry_kh = make_organisation(kind="social_services", country="KH")
    assert (
        agreements_covering(
            procedure="referral", party_a=ngo_th, party_b=ministry_kh, target_groups=["children"]
        ).get()
        == agreement
    )
    # a Cambodian embassy in Thailand acts for Cambodia
    embassy = make_organisation(kind="consular_diplomatic", country="TH", represents_country=kh)
    assert agreements_covering(procedure="referral", party_a=embassy, party_b=th).exists()


def test_other_countries_procedures_and_groups_are_not_covered(th, kh):
    make_agreement_in_force(
        party_a=th, party_b=kh, procedures=["referral"], target_groups=["adults"]
    )
    vn = Country.objects.get(code="VN")
    assert not agreements_covering(procedure="referral", party_a=th, party_b=vn).exists()
    assert not agreements_covering(
        procedure="return_reintegration", party_a=th, party_b=kh
    ).exists()
    assert not agreements_covering(
        procedure="referral", party_a=th, party_b=kh, target_groups=["children"]
    ).exists()
    assert agreements_covering(
        procedure="referral", party_a=th, party_b=kh, target_groups=["adults"]
    ).exists()


def test_exploitation_forms_unlisted_means_all_listed_means_only_those(th, kh):
    every_form = make_agreement_in_force(
        party_a=th, party_b=kh, procedures=["referral"], target_groups=["adults"]
    )
    labour_only = make_agreement_in_force(
        party_a=th, party_b=kh, procedures=["referral"], target_groups=["adults", "forced_labour"]
    )
    sexual = set(
        agreements_covering(
            procedure="referral",
            party_a=th,
            party_b=kh,
            target_groups=["adults", "sexual_exploitation"],
        )
    )
    labour = set(
        agreements_covering(
            procedure="referral", party_a=th, party_b=kh, target_groups=["adults", "forced_labour"]
        )
    )
    assert sexual == {every_form}
    assert labour == {every_form, labour_only}


def test_organisation_agreement_covers_only_named_organisations(db):
    police = make_organisation(
        kind="law_enforcement", country="TH", mandate="m", areas_of_operation="a"
    )
    shelter = make_organisation(kind="ngo", country="TH", mandate="m", areas_of_operation="a")
    other = make_organisation(kind="ngo", country="TH")
    agreement = make_agreement_in_force(
        party_a=police, party_b=shelter, procedures=["referral"], target_groups=["adults"]
    )
    assert agreement.template.code == "national-mou-gov-ngo"
    assert agreements_covering(procedure="referral", party_a=police, party_b=shelter).exists()
    assert not agreements_covering(procedure="referral", party_a=police, party_b=other).exists()
    th = Country.objects.get(code="TH")
    assert not agreements_covering(procedure="referral", party_a=th, party_b=shelter).exists()


def test_dates_effective_end_and_future(th, kh):
    today = timezone.localdate()
    agreement = make_agreement_in_force(
        party_a=th,
        party_b=kh,
        procedures=["referral"],
        target_groups=["adults"],
        effective_date=today - timedelta(days=10),
        end_date=today + timedelta(days=30),
    )
    q = {"procedure": "referral", "party_a": th, "party_b": kh}
    assert agreements_covering(**q, on=today).exists()
    assert agreements_covering(**q, on=today + timedelta(days=30)).exists()
    assert not agreements_covering(**q, on=today + timedelta(days=31)).exists()
    # entered into force today (signed today): not a basis for yesterday
    assert agreement.entered_into_force_on == today
    assert not agreements_covering(**q, on=today - timedelta(days=1)).exists()


def test_expired_terminated_suspended_and_not_yet_in_force(th, kh):
    today = timezone.localdate()
    q = {"procedure": "referral", "party_a": th, "party_b": kh}
    agreement = make_agreement_in_force(
        party_a=th,
        party_b=kh,
        procedures=["referral"],
        target_groups=["adults"],
        end_date=today + timedelta(days=5),
    )
    coordinator = agreement._test_actor
    services.agreement_suspend(agreement=agreement, actor=coordinator, grounds="Audit")
    assert not agreements_covering(**q).exists()
    services.agreement_resume(agreement=agreement, actor=coordinator)
    assert agreements_covering(**q).exists()
    with time_machine.travel(today + timedelta(days=6), tick=False):
        services.agreement_expire(agreement=agreement)
        agreement.refresh_from_db()
        assert agreement.state == AgreementState.EXPIRED
        assert not agreements_covering(**q).exists()
        # it was in force on its last day
        assert agreements_covering(**q, on=today + timedelta(days=5)).get() == agreement

    other = make_agreement_in_force(
        party_a=th, party_b=kh, procedures=["referral"], target_groups=["adults"]
    )
    assert other in agreements_covering(**q)
    services.agreement_terminate(agreement=other, actor=other._test_actor, grounds="Replaced")
    assert other not in agreements_covering(**q)
    # the expired one still answers for the days it was in force
    assert set(agreements_covering(**q)) == {agreement}

    draft = make_agreement(procedures=["referral"], target_groups=["adults"])
    assert draft.state == AgreementState.DRAFT
    assert draft not in agreements_covering(**q)


def test_unknown_codes_are_refused_with_the_field(th, kh):
    with pytest.raises(ApplicationError) as exc:
        agreements_covering(procedure="smuggling", party_a=th, party_b=kh)
    assert exc.value.code == "unknown_procedure"
    assert "procedure" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        agreements_covering(procedure="referral", party_a=th, party_b=kh, target_groups=["pets"])
    assert exc.value.code == "unknown_target_group"


def test_covering_is_one_query(th, kh, django_assert_num_queries):
    make_agreement_in_force(party_a=th, party_b=kh)
    with django_assert_num_queries(1):
        list(
            agreements_covering(
                procedure="referral",
                party_a=th,
                party_b=kh,
                target_groups=["children", "forced_labour"],
                on=date.today(),
            )
        )
