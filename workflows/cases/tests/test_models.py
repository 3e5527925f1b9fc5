from __future__ import annotations

import re

import pytest
from django.db import connection

from workflows.cases.models import AsylumStatus, Case, MinorStatus
from workflows.cases.selectors import consent_allows_sharing
from workflows.cases.tests.factories import make_case, make_consent

pytestmark = pytest.mark.django_db


def test_reference_is_random_and_pseudonymous(make_org):
    org = make_org(kind="ngo", country="TH")
    a = make_case(org, identifying={"given_names": "Somchai", "family_name": "Dee"})
    b = make_case(org)
    assert re.fullmatch(r"C-\d{4}-[0-9A-HJKMNP-TV-Z]{6}", a.reference)
    assert a.reference != b.reference
    assert "Somchai" not in a.reference
    assert str(a) == a.reference


def test_identifying_columns_hold_no_plaintext(make_org):
    case = make_case(make_org(), identifying={"given_names": "Ananya", "address": "12 Soi Ruam"})
    with connection.cursor() as cur:
        cur.execute("SELECT given_names, address FROM cases_case WHERE id = %s", [case.pk])
        given, address = cur.fetchone()
    assert "Ananya" not in given
    assert given.startswith("enc1:")
    assert "Soi Ruam" not in address
    assert Case.objects.get(pk=case.pk).given_names == "Ananya"


def test_flags_for_guards(make_org):
    org = make_org()
    assert make_case(org, minor_status=MinorStatus.PRESUMED_CHILD).is_or_may_be_child
    assert make_case(org, minor_status=MinorStatus.KNOWN_CHILD).is_or_may_be_child
    assert not make_case(org).is_or_may_be_child
    assert make_case(
        org, asylum_status=AsylumStatus.REASON_TO_BELIEVE_REFUGEE
    ).has_asylum_claim_or_refugee_status
    assert not make_case(org).has_asylum_claim_or_refugee_status


def test_consent_allows_sharing_by_org_or_kind_and_withdrawal_stops_it(make_org):
    owner = make_org(kind="law_enforcement", country="TH")
    shelter = make_org(kind="ngo", country="TH")
    clinic = make_org(kind="health", country="TH")
    other = make_org(kind="immigration", country="TH")
    case = make_case(owner)
    assert consent_allows_sharing(case=case, organisation=owner)
    assert not consent_allows_sharing(case=case, organisation=shelter)
    consent = make_consent(case, organisations=[shelter], kinds=["health"])
    assert consent_allows_sharing(case=case, organisation=shelter)
    assert consent_allows_sharing(case=case, organisation=clinic)
    assert not consent_allows_sharing(case=case, organisation=other)
    consent.withdrawn_at = consent.recorded_at
    consent.save()
    assert not consent_allows_sharing(case=case, organisation=shelter)
