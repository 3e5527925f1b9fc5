"""Demo data for the coordination app: two neighbouring countries, Thailand (TH) and Cambodia (KH).

Loaded first by `manage.py load_demo` (each app built on coordination loads its part after it).
Idempotent: every row is found by its natural key (an
organisation by country + handle name, a user by username), so running it twice gives the same rows.

Handles other apps use::

    from coordination.demo import demo_org, demo_user, demo_body, DEMO_PASSWORD
    demo_org("TH", "police")        # National Police – Anti-Trafficking Unit (Thailand)
    demo_org("KH", "embassy")       # the embassy LOCATED in KH, i.e. the Royal Thai Embassy in
                                    # Cambodia: country=KH, represents_country=TH
    demo_org(None, "IOM")           # an ICAT international organisation by acronym
    demo_user("th_police_officer")
    demo_body("TH")                 # Thailand's national committee
    demo_body(None)                 # the regional forum

ORGS lists every country's handles; USERS every demo account (username, country, handle, role,
can_sign). Every demo user has the password DEMO_PASSWORD and a confirmed TOTP device whose key is
fixed (derived from the username), so `manage.py demo_otp <username>` prints its current code.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    BodySeat,
    CoordinationBody,
    CoordinationBodyKind,
    Country,
    Organisation,
    OrganisationKind,
    Role,
    Seat,
    Service,
)
from .services import membership_add, organisation_create

DEMO_PASSWORD = "concord-demo-2026"  # noqa: S105 - the published demo password (README)
COUNTRIES = ("TH", "KH")
NEIGHBOUR = {"TH": "KH", "KH": "TH"}
# How each State's own organisations are called in the demo (generic names, one per country).
_NAMES: dict[str, dict[str, str]] = {
    "TH": {
        "ministry": "Ministry of Social Development and Human Security",
        "secretariat": "Anti-Trafficking in Persons Secretariat",
        "police": "National Police – Anti-Trafficking Unit",
        "prosecutor": "Office of the Attorney General – Trafficking Prosecutions",
        "labour": "Ministry of Labour – Labour Inspectorate",
        "immigration": "Immigration Bureau",
        "asylum": "National Screening and Protection Office",
        "child_protection": "Department of Children and Youth – Child Protection",
        "social_services": "Department of Social Welfare",
        "shelter_ngo": "Safe Home Foundation",
        "legal_ngo": "Migrant Workers Legal Aid Centre",
        "embassy": "Embassy of Cambodia in Bangkok",
    },
    "KH": {
        "ministry": "Ministry of Social Affairs, Veterans and Youth Rehabilitation",
        "secretariat": "National Committee for Counter Trafficking – General Secretariat",
        "police": "National Police – Anti-Human Trafficking and Juvenile Protection Department",
        "prosecutor": "Office of the Prosecutor General – Trafficking Unit",
        "labour": "Ministry of Labour and Vocational Training – Labour Inspection",
        "immigration": "General Department of Immigration",
        "asylum": "Refugee Office of the Ministry of Interior",
        "child_protection": "Child Protection Authority",
        "social_services": "Provincial Department of Social Affairs",
        "shelter_ngo": "Hope Shelter Association",
        "legal_ngo": "Legal Aid Alliance",
        "embassy": "Royal Thai Embassy in Phnom Penh",
    },
}


@dataclass(frozen=True)
class OrgSpec:
    handle: str
    kind: str
    acronym: str
    services: tuple[str, ...]
    mandate: str
    seat: str | None  # seat on the national committee, None if not on it


ORGS: tuple[OrgSpec, ...] = (
    OrgSpec(
        "ministry",
        OrganisationKind.GOVERNMENT_MINISTRY,
        "MSD",
        ("return_assistance", "reintegration", "financial_support"),
        "Leads the national anti-trafficking policy; its minister is the national coordinator.",
        Seat.CHAIR,
    ),
    OrgSpec(
        "secretariat",
        OrganisationKind.GOVERNMENT_MINISTRY,
        "ATS",
        ("hotline",),
        "Runs the national committee: agendas, minutes, the national action plan and its "
        "monitoring, and the agreements between agencies.",
        Seat.SECRETARIAT,
    ),
    OrgSpec(
        "police",
        OrganisationKind.LAW_ENFORCEMENT,
        "ATU",
        ("identification", "investigation"),
        "Investigates trafficking, identifies presumed victims and refers them to assistance.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "prosecutor",
        OrganisationKind.PROSECUTION,
        "OAG",
        ("investigation",),
        "Prosecutes trafficking offences and protects victims who testify.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "labour",
        OrganisationKind.LABOUR_INSPECTORATE,
        "LI",
        ("identification", "employment"),
        "Inspects workplaces, detects forced labour and refers presumed victims.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "immigration",
        OrganisationKind.IMMIGRATION,
        "IMM",
        ("identification", "residence_permits", "travel_documents"),
        "Controls the borders, grants reflection periods and residence permits to victims.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "asylum",
        OrganisationKind.ASYLUM_AUTHORITY,
        "ASY",
        ("asylum_procedure", "legal_aid"),
        "Decides asylum claims, including those of trafficked persons who fear return.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "child_protection",
        OrganisationKind.CHILD_PROTECTION,
        "CPA",
        ("child_protection", "family_tracing", "shelter"),
        "Receives every presumed child victim, appoints a guardian and decides best interests.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "social_services",
        OrganisationKind.SOCIAL_SERVICES,
        "DSW",
        ("shelter", "medical", "psychosocial", "return_assistance", "reintegration"),
        "Provides shelter, care and case management to identified victims.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "shelter_ngo",
        OrganisationKind.NGO,
        "",
        ("shelter", "psychosocial", "medical", "reintegration", "vocational_training"),
        "Runs shelters for women, men and children and supports their reintegration.",
        Seat.MEMBER,
    ),
    OrgSpec(
        "legal_ngo",
        OrganisationKind.NGO,
        "",
        ("legal_aid", "interpretation", "outreach"),
        "Gives migrant workers legal aid and interpretation, and reaches out at worksites.",
        Seat.OBSERVER,
    ),
    OrgSpec(
        "embassy",
        OrganisationKind.CONSULAR,
        "",
        ("travel_documents", "return_assistance"),
        "Assists its nationals abroad: identity checks, travel documents and safe return.",
        None,
    ),
)

# (username, country, organisation handle, role, can sign agreements, job title)
USERS: tuple[tuple[str, str, str, str, bool, str], ...] = tuple(
    (f"{cc.lower()}_{name}", cc, handle, role, can_sign, title)
    for cc in COUNTRIES
    for name, handle, role, can_sign, title in (
        ("coordinator", "secretariat", Role.COORDINATOR, False, "Head of the secretariat"),
        ("auditor", "secretariat", Role.AUDITOR, False, "Internal auditor"),
        ("minister", "ministry", Role.MINISTRY_OFFICIAL, True, "Minister"),
        ("ministry_official", "ministry", Role.MINISTRY_OFFICIAL, False, "Policy officer"),
        ("ministry_admin", "ministry", Role.ORG_ADMIN, False, "IT administrator"),
        ("police_officer", "police", Role.CASE_OFFICER, False, "Investigator"),
        ("police_chief", "police", Role.SUPERVISOR, True, "Commander"),
        ("police_admin", "police", Role.ORG_ADMIN, False, "Administrator"),
        ("prosecutor", "prosecutor", Role.CASE_OFFICER, False, "Prosecutor"),
        ("labour_inspector", "labour", Role.CASE_OFFICER, False, "Labour inspector"),
        ("immigration_officer", "immigration", Role.CASE_OFFICER, False, "Immigration officer"),
        ("asylum_officer", "asylum", Role.CASE_OFFICER, False, "Eligibility officer"),
        ("child_officer", "child_protection", Role.CASE_OFFICER, False, "Child protection officer"),
        ("child_director", "child_protection", Role.SUPERVISOR, True, "Director"),
        ("social_worker", "social_services", Role.CASE_OFFICER, False, "Social worker"),
        ("supervisor", "social_services", Role.SUPERVISOR, True, "Head of case management"),
        ("shelter_officer", "shelter_ngo", Role.CASE_OFFICER, False, "Shelter caseworker"),
        ("shelter_director", "shelter_ngo", Role.ORG_ADMIN, True, "Director"),
        ("legal_officer", "legal_ngo", Role.CASE_OFFICER, False, "Lawyer"),
        ("consul", "embassy", Role.CASE_OFFICER, True, "Consul"),
    )
)
# International staff (no country).
INTERNATIONAL_USERS: tuple[tuple[str, str, str, bool, str], ...] = (
    ("iom_officer", "IOM", Role.CASE_OFFICER, False, "Return and reintegration officer"),
    ("unodc_coordinator", "UNODC", Role.COORDINATOR, True, "Regional programme coordinator"),
)
ADMIN_USERNAME = "concord_admin"

NATIONAL_BODY_NAMES = {
    "TH": "National Anti-Trafficking Committee (Thailand)",
    "KH": "National Committee for Counter Trafficking (Cambodia)",
}
REGIONAL_BODY_NAME = "Mekong Regional Anti-Trafficking Forum"
_TERMS_NATIONAL = (
    "The committee brings together senior representatives of the government agencies and civil "
    "society organisations that fight trafficking in persons. It adopts and monitors the "
    "national action plan, agrees the national referral mechanism and its standard operating "
    "procedures, reviews cooperation agreements with neighbouring States, and meets quarterly. "
    "The secretariat prepares agendas, keeps minutes and follows up action items."
)
_TERMS_REGIONAL = (
    "A forum of the national coordination bodies of Thailand and Cambodia, with international "
    "organisations as observers. It agrees cross-border referral and return procedures, "
    "exchanges non-identifying statistics and reviews the bilateral memorandum each year."
)


def demo_totp_key(username: str) -> str:
    """The fixed TOTP key (40 hex digits) of a demo account: published, so demo-only."""
    return hashlib.sha1(f"concord-demo-totp:{username}".encode()).hexdigest()  # noqa: S324


def _org_name(country: str, handle: str) -> str:
    return _NAMES[country][handle]


def demo_org(country_code: str | None, handle: str) -> Organisation:
    """The demo organisation with `handle` in a country (None + acronym: an ICAT organisation)."""
    if country_code is None:
        return Organisation.objects.get(
            acronym=handle, kind=OrganisationKind.INTERNATIONAL, country__isnull=True
        )
    return Organisation.objects.get(country_id=country_code, name=_org_name(country_code, handle))


def demo_user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def demo_body(country_code: str | None) -> CoordinationBody:
    """A country's national committee, or (None) the regional forum."""
    if country_code is None:
        return CoordinationBody.objects.get(name=REGIONAL_BODY_NAME)
    return CoordinationBody.objects.get(name=NATIONAL_BODY_NAMES[country_code])


def demo_logins() -> list[dict[str, Any]]:
    """One row per demo account for `print_demo_logins` and the README."""
    rows: list[dict[str, Any]] = []
    for username, cc, handle, role, can_sign, _title in USERS:
        rows.append(
            {
                "username": username,
                "organisation": _org_name(cc, handle),
                "country": cc,
                "role": str(Role(role).label),
                "can_sign": can_sign,
            }
        )
    for username, acronym, role, can_sign, _title in INTERNATIONAL_USERS:
        rows.append(
            {
                "username": username,
                "organisation": acronym,
                "country": "",
                "role": str(Role(role).label),
                "can_sign": can_sign,
            }
        )
    rows.append(
        {
            "username": ADMIN_USERNAME,
            "organisation": "(site administrator)",
            "country": "",
            "role": "superuser",
            "can_sign": False,
        }
    )
    return rows


def _ensure_org(country: Country, spec: OrgSpec) -> Organisation:
    name = _org_name(country.code, spec.handle)
    represents = None
    if spec.handle == "embassy":
        represents = Country.objects.get(code=NEIGHBOUR[country.code])
    fields: dict[str, Any] = {
        "acronym": spec.acronym,
        "mandate": spec.mandate,
        "areas_of_operation": f"{country.name}, nationwide",
        "represents_country": represents,
        "contact_email": f"{spec.handle}@{country.code.lower()}.demo.concord.invalid",
        "contact_phone": "+00 000 000 000",
        "emergency_phone": "+00 000 000 911" if spec.kind != OrganisationKind.CONSULAR else "",
        "contact_address": f"Demo address, {country.name}",
    }
    org = Organisation.objects.filter(country=country, name=name).first()
    if org is None:
        org = organisation_create(name=name, kind=spec.kind, country=country, **fields)
    else:
        fields["kind"] = spec.kind
        changed = [k for k, v in fields.items() if getattr(org, k) != v]
        for key in changed:
            setattr(org, key, fields[key])
        if changed:
            org.save(update_fields=changed)
    wanted = set(spec.services)
    if set(org.services.values_list("code", flat=True)) != wanted:
        org.services.set(Service.objects.filter(code__in=wanted))
    return org


def _demo_password_hash() -> str:
    """One hash with a fixed salt for every demo account: hashing once keeps the load fast, and
    comparing the stored string tells whether a password was changed since (then it is reset).

    Once per PASSWORD_HASHERS, not once per process: a hash made under one list of hashers cannot
    be checked under a list without its algorithm, so a process that loaded the demo under
    Django's default hashers and again under the tests' MD5 one gave every demo account a
    password nobody could sign in with."""
    return _demo_password_hash_for(tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _demo_password_hash_for(hashers: tuple[str, ...]) -> str:
    return make_password(DEMO_PASSWORD, salt="concorddemo2026")


def _ensure_user(username: str, *, first_name: str = "", superuser: bool = False) -> Any:
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@demo.concord.invalid",
            "first_name": first_name,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    hashed = _demo_password_hash()
    if user.password != hashed:
        user.password = hashed
        user.save(update_fields=["password"])
    key = demo_totp_key(username)
    device = TOTPDevice.objects.filter(user=user, name="demo").first()
    if device is None:
        TOTPDevice.objects.create(user=user, name="demo", key=key, confirmed=True)
    elif device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])
    return user


def _ensure_body(
    name: str,
    *,
    kind: str,
    country: Country | None,
    coordinator: Organisation,
    coordinator_title: str,
    terms: str,
    region: str = "",
) -> CoordinationBody:
    body, _created = CoordinationBody.objects.update_or_create(
        name=name,
        defaults={
            "kind": kind,
            "country": country,
            "region": region,
            "national_coordinator": coordinator,
            "coordinator_title": coordinator_title,
            "terms_of_reference": terms,
        },
    )
    return body


def _ensure_seat(body: CoordinationBody, organisation: Organisation, seat: str) -> None:
    BodySeat.objects.update_or_create(body=body, organisation=organisation, defaults={"seat": seat})


@transaction.atomic
def load(*, stdout: Any) -> None:
    """Load (or bring up to date) the coordination demo: organisations, bodies, users."""
    for cc in COUNTRIES:
        country = Country.objects.get(code=cc)
        orgs = {spec.handle: _ensure_org(country, spec) for spec in ORGS}
        body = _ensure_body(
            NATIONAL_BODY_NAMES[cc],
            kind=CoordinationBodyKind.NATIONAL_COMMITTEE,
            country=country,
            coordinator=orgs["ministry"],
            coordinator_title="Minister of the lead ministry (national coordinator)",
            terms=_TERMS_NATIONAL,
        )
        for spec in ORGS:
            if spec.seat is not None:
                _ensure_seat(body, orgs[spec.handle], spec.seat)
        _ensure_seat(body, demo_org(None, "IOM"), Seat.OBSERVER)
        _ensure_seat(body, demo_org(None, "UNICEF"), Seat.OBSERVER)
    regional = _ensure_body(
        REGIONAL_BODY_NAME,
        kind=CoordinationBodyKind.REGIONAL,
        country=None,
        region="Mekong sub-region",
        coordinator=demo_org(None, "UNODC"),
        coordinator_title="Regional programme coordinator",
        terms=_TERMS_REGIONAL,
    )
    regional.countries.set(Country.objects.filter(code__in=COUNTRIES))
    _ensure_seat(regional, demo_org("TH", "ministry"), Seat.CHAIR)
    _ensure_seat(regional, demo_org("KH", "ministry"), Seat.MEMBER)
    _ensure_seat(regional, demo_org("TH", "secretariat"), Seat.MEMBER)
    _ensure_seat(regional, demo_org("KH", "secretariat"), Seat.MEMBER)
    _ensure_seat(regional, demo_org(None, "UNODC"), Seat.SECRETARIAT)
    for acronym in ("IOM", "UNHCR", "UNICEF", "ILO"):
        _ensure_seat(regional, demo_org(None, acronym), Seat.OBSERVER)

    for username, cc, handle, role, can_sign, title in USERS:
        user = _ensure_user(username)
        membership_add(
            organisation=demo_org(cc, handle),
            user=user,
            role=role,
            actor=None,
            can_sign_agreements=can_sign,
            title=title,
        )
    for username, acronym, role, can_sign, title in INTERNATIONAL_USERS:
        user = _ensure_user(username)
        membership_add(
            organisation=demo_org(None, acronym),
            user=user,
            role=role,
            actor=None,
            can_sign_agreements=can_sign,
            title=title,
        )
    _ensure_user(ADMIN_USERNAME, superuser=True)
    stdout.write(
        f"coordination: {len(COUNTRIES)} countries, {len(ORGS) * len(COUNTRIES)} agencies, "
        f"3 coordination bodies, {len(USERS) + len(INTERNATIONAL_USERS) + 1} demo users"
    )
