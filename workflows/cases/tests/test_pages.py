from __future__ import annotations

import pytest
from django.test import Client

from coordination.models import Role
from workflows.cases.models import Case, PiiAccessLog
from workflows.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db
SECRET = "Chantrea"


@pytest.fixture
def world(make_org, make_member, login):
    owner = make_org(kind="labour_inspectorate", country="TH", name="Labour TH")
    officer = make_member(owner, Role.CASE_OFFICER)
    auditor = make_member(owner, Role.AUDITOR)
    stranger = make_member(make_org(kind="ngo", country="TH"), Role.CASE_OFFICER)
    case = make_case(owner, identifying={"given_names": SECRET})
    return {
        "owner": owner,
        "officer": officer,
        "auditor": auditor,
        "stranger": stranger,
        "case": case,
        "login": login,
    }


def _c(world, who):
    return world["login"](world[who], Client())


def test_first_contact_registration_page(world):
    c = _c(world, "officer")
    r = c.get("/cases/new/")
    assert r.status_code == 200
    assert "KEY" not in r.content.decode()  # clean labels, not the seed headings
    r = c.post(
        "/cases/new/",
        {
            "owner": world["owner"].pk,
            "given_names": "Nary",
            "gender": "Female",
            "minor_status": "adult",
            "age_band": "21-23",
            "exploitation_forms": ["forced_labour"],
            "indicators": ["COM-01", "LAB-03"],
            "consent_categories": ["summary"],
            "consent_kinds": ["ngo"],
            "consent_informed_orally": "on",
            "consent_informed_in_writing": "on",
            "consent_language": "km",
            "presume": "1",
        },
    )
    assert r.status_code == 302
    case = Case.objects.exclude(pk=world["case"].pk).get()
    assert r["Location"] == f"/cases/{case.pk}/"
    assert "Nary" not in r["Location"]
    assert case.identification_state == "presumed_victim"
    assert case.observed_indicators.count() == 2
    assert case.consents.count() == 1


def test_registration_refusal_shows_the_rule_and_changes_nothing(world):
    c = _c(world, "officer")
    r = c.post(
        "/cases/new/",
        {
            "owner": world["owner"].pk,
            "gender": "Unknown",
            "minor_status": "adult",
            "age_band": "unknown",
            "consent_categories": ["summary"],
            "presume": "0",
        },
    )
    assert r.status_code == 400
    assert "orally and in writing" in r.content.decode()
    assert Case.objects.count() == 1


def test_registration_forbidden_without_case_role(world):
    assert _c(world, "auditor").get("/cases/new/").status_code == 403


def test_case_page_and_reveal_logs(world):
    case = world["case"]
    c = _c(world, "officer")
    r = c.get(f"/cases/{case.pk}/")
    assert r.status_code == 200
    assert SECRET not in r.content.decode()
    r = c.get(f"/cases/{case.pk}/?reveal=case_work")
    assert SECRET in r.content.decode()
    assert PiiAccessLog.objects.filter(case=case, user=world["officer"]).count() == 1
    assert "Who viewed the identifying details" in r.content.decode()
    auditor_page = _c(world, "auditor").get(f"/cases/{case.pk}/?reveal=case_work").content.decode()
    assert SECRET not in auditor_page
    assert _c(world, "stranger").get(f"/cases/{case.pk}/").status_code == 404


def test_case_action_refusal_is_a_message(world):
    case = make_case(world["owner"], state="identified")
    c = _c(world, "officer")
    r = c.post(f"/cases/{case.pk}/act/rule_out/", {"reason": "acquittal"}, follow=True)
    assert "failed prosecution" in r.content.decode()
    case.refresh_from_db()
    assert case.identification_state == "identified"
    r = c.post(f"/cases/{case.pk}/act/confirm/", {"reason": "conviction"}, follow=True)
    case.refresh_from_db()
    assert case.identification_state == "confirmed"
    assert _c(world, "stranger").post(f"/cases/{case.pk}/act/close/").status_code == 404


def test_case_export_pages(world):
    case = world["case"]
    c = _c(world, "officer")
    assert SECRET in c.get(f"/cases/{case.pk}/export.csv").content.decode()
    assert c.get(f"/cases/{case.pk}/export.xml").status_code == 404


@pytest.mark.parametrize("n", [2, 15])
def test_case_list_fixed_queries(world, django_assert_max_num_queries, n):
    for _ in range(n):
        make_case(world["owner"], minor_status="presumed_child", nationality="KH")
    c = _c(world, "officer")
    with django_assert_max_num_queries(12):
        r = c.get("/cases/")
    assert r.status_code == 200
    assert SECRET not in r.content.decode()


def test_dashboard_panel_lists_recent_cases(world):
    r = _c(world, "officer").get("/")
    assert world["case"].reference in r.content.decode()
    assert SECRET not in r.content.decode()
    r = _c(world, "stranger").get("/")
    assert world["case"].reference not in r.content.decode()


def test_admin_case_pages_never_show_identifying_details(world, client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "r@example.org", "pw-12345")
    world["login"](admin_user, client)
    case = world["case"]
    r = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert r.status_code == 200
    assert SECRET not in r.content.decode()
    assert client.get("/admin/cases/indicatorweight/").status_code == 200
    assert client.get("/admin/cases/countrysettings/").status_code == 200
