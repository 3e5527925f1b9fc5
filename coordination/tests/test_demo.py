from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.demo import COUNTRIES, DEMO_PASSWORD, ORGS, USERS, demo_body, demo_org, demo_user
from coordination.models import (
    BodySeat,
    CoordinationBody,
    Membership,
    MembershipEvent,
    Organisation,
    OrganisationKind,
    Role,
    Seat,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "users": get_user_model().objects.count(),
        "bodies": CoordinationBody.objects.count(),
        "seats": BodySeat.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "events": MembershipEvent.objects.count(),
    }


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_load_twice_gives_the_same_rows():
    assert "Demo data loaded" in _load()
    first = _counts()
    _load()
    assert _counts() == first
    assert first["bodies"] == 3


def test_each_country_has_a_national_body_and_8_to_12_agencies_of_many_kinds():
    _load()
    for cc in COUNTRIES:
        agencies = Organisation.objects.filter(country_id=cc)
        assert 8 <= agencies.count() <= 12
        assert agencies.values("kind").distinct().count() >= 8
        body = demo_body(cc)
        assert body.national_coordinator == demo_org(cc, "ministry")
        seats = set(body.seats.values_list("seat", flat=True))
        assert seats == {Seat.CHAIR, Seat.SECRETARIAT, Seat.MEMBER, Seat.OBSERVER}
        for kind in (
            OrganisationKind.CHILD_PROTECTION,
            OrganisationKind.ASYLUM_AUTHORITY,
            OrganisationKind.NGO,
        ):
            assert agencies.filter(kind=kind).exists()
        assert demo_org(cc, "shelter_ngo").services.filter(code="shelter").exists()
    regional = demo_body(None)
    assert set(regional.countries.values_list("code", flat=True)) == set(COUNTRIES)


def test_embassies_represent_the_neighbour():
    _load()
    in_thailand = demo_org("TH", "embassy")
    assert in_thailand.country_id == "TH"
    assert in_thailand.represents_country_id == "KH"
    assert in_thailand.acts_for_country.code == "KH"
    assert demo_org("KH", "embassy").represents_country_id == "TH"


def test_icat_organisations_ship_with_a_mandate():
    # Reference data from the data migration, present without the demo.
    icat = Organisation.objects.filter(kind=OrganisationKind.INTERNATIONAL, country__isnull=True)
    assert icat.count() == 18
    assert not icat.filter(mandate="").exists()
    assert demo_org(None, "UNHCR").services.filter(code="asylum_procedure").exists()


def test_demo_users_of_every_role_on_both_sides_with_a_device():
    _load()
    for cc in COUNTRIES:
        roles = set(
            Membership.objects.filter(organisation__country_id=cc).values_list("role", flat=True)
        )
        assert roles == set(Role.values)
        assert Membership.objects.filter(
            organisation__country_id=cc, can_sign_agreements=True
        ).exists()
    for username, *_rest in USERS:
        user = demo_user(username)
        assert user.check_password(DEMO_PASSWORD)
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert len({spec.handle for spec in ORGS}) == len(ORGS)


def test_demo_password_is_hashed_with_the_hashers_in_force(settings):
    """The demo password is hashed once per process and reused. A hash made under one
    PASSWORD_HASHERS must not be reused under another, where it cannot be checked: a load outside
    the tests' fast hasher (a module-scoped fixture) once left every later demo account of that
    process unable to sign in. Whatever this process hashed before, one of these two
    would fail if the hash outlived the hashers it was made with."""
    for hashers in (
        ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        ["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        settings.PASSWORD_HASHERS = hashers
        _load()
        assert demo_user("kh_supervisor").check_password(DEMO_PASSWORD), hashers


def test_demo_otp_prints_a_code_the_device_accepts():
    _load()
    out = io.StringIO()
    call_command("demo_otp", "th_police_officer", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    device = TOTPDevice.objects.get(user=demo_user("th_police_officer"), name="demo")
    assert device.verify_token(code)


def test_demo_commands_refuse_outside_a_demo_installation(settings):
    settings.CONCORD_DEMO = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("demo_otp", "th_police_officer", stdout=io.StringIO())


def test_print_demo_logins_names_users_and_password():
    out = io.StringIO()
    call_command("print_demo_logins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert "th_coordinator" in text
    assert "kh_supervisor" in text
    assert "demo_otp" in text
