from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from concord.errors import GuardFailed
from concord.fields import DecryptionFailed
from coordination.models import Role
from workflows.cases.models import Case, CaseEvent, CountrySettings, PiiAccessLog
from workflows.cases.permissions import case_grant
from workflows.cases.selectors import case_identifying_details, pii_access_log_for
from workflows.cases.services.cases import case_close
from workflows.cases.services.indicators import indicators_observe
from workflows.cases.services.protection import guardian_appoint
from workflows.cases.services.retention import anonymise_expired_cases, case_anonymise
from workflows.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _raw(case, column="family_name"):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM cases_case WHERE id = %s", [case.pk])  # noqa: S608
        return cur.fetchone()[0]


def test_rotation_reencrypts_with_the_first_key(settings, make_org):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    case = make_case(make_org(), identifying={"family_name": "Srisuk", "contacts": "+66 81"})
    before = _raw(case)
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = _raw(case)
    assert after != before
    assert "Srisuk" not in after
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is gone: still readable
    assert Case.objects.get(pk=case.pk).family_name == "Srisuk"


def test_wrong_key_fails_loudly(settings, make_org):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    case = make_case(make_org(), identifying={"family_name": "Srisuk"})
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(DecryptionFailed):
        Case.objects.get(pk=case.pk)
    with pytest.raises(CommandError) as exc:
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "Srisuk" not in str(exc.value)


def test_every_view_of_identifying_details_is_logged_and_shown_to_the_owner(make_org, make_member):
    owner = make_org(kind="ngo", country="TH")
    officer = make_member(owner, Role.CASE_OFFICER)
    auditor = make_member(owner, Role.AUDITOR)
    partner = make_org(kind="health", country="TH")
    partner_officer = make_member(partner, Role.CASE_OFFICER)
    case = make_case(owner, identifying={"given_names": "Dara"})
    assert case_identifying_details(user=officer, case=case, purpose="case_work") == {
        "given_names": "Dara",
        "family_name": "",
        "aliases": "",
        "date_of_birth": "",
        "contacts": "",
        "identity_documents": "",
        "address": "",
    }
    assert case_identifying_details(user=auditor, case=case, purpose="audit") is None
    assert case_identifying_details(user=partner_officer, case=case, purpose="referral") is None
    case_grant(case=case, organisation=partner, details=True)
    assert case_identifying_details(user=partner_officer, case=case, purpose="referral")
    log = list(pii_access_log_for(user=officer, case=case))
    assert [(e.user, e.organisation, e.purpose) for e in log] == [
        (partner_officer, partner, "referral"),
        (officer, owner, "case_work"),
    ]
    assert pii_access_log_for(user=partner_officer, case=case) is None
    assert PiiAccessLog.objects.count() == 2


def test_anonymisation_after_retention_keeps_statistics(make_org, make_member):
    owner = make_org(kind="ngo", country="TH")
    officer = make_member(owner, Role.CASE_OFFICER)
    cpa = make_org(kind="child_protection", country="TH")
    CountrySettings.objects.create(country_id="TH", retention_days=30)
    case = make_case(
        owner,
        minor_status="known_child",
        nationality="KH",
        identifying={"given_names": "Dara", "address": "somewhere"},
    )
    indicators_observe(case=case, actor=officer, codes=["COM-01"], note="seen at the port")
    guardian_appoint(case=case, actor=officer, guardian_name="Aunt", appointed_by=cpa)
    open_case = make_case(owner)
    with pytest.raises(GuardFailed):
        case_anonymise(case=open_case)
    case_close(case=case, actor=officer, reason="returned home")
    assert anonymise_expired_cases() == 0  # retention running
    case = Case.objects.get(pk=case.pk)
    later = case.closed_at + dt.timedelta(days=31)
    assert anonymise_expired_cases(now=later) == 1
    assert anonymise_expired_cases(now=later) == 0  # safe twice
    case = Case.objects.get(pk=case.pk)
    assert case.given_names == ""
    assert case.address == ""
    assert case.is_anonymised
    assert (case.nationality_id, case.minor_status, case.exploitation_forms) == (
        "KH",
        "known_child",
        ["forced_labour"],
    )
    assert case.observed_indicators.get().note == ""
    assert case.guardians.get().guardian_name == ""
    assert CaseEvent.objects.filter(case=case, transition="anonymise").count() == 1
    assert case_identifying_details(user=officer, case=case, purpose="case_work") is None
    assert _raw(case, "given_names") == ""
