from __future__ import annotations

import pytest
from django.test import Client

from coordination.models import Role
from workflows.cases.models import Case, PiiAccessLog
from workflows.cases.permissions import case_grant
from workflows.cases.tests.factories import make_case, make_consent

pytestmark = pytest.mark.django_db
SECRET = "Kanya"


@pytest.fixture
def world(make_org, make_member, login):
    owner = make_org(kind="labour_inspectorate", country="TH", name="Labour TH")
    officer = make_member(owner, Role.CASE_OFFICER, username="officer")
    auditor = make_member(owner, Role.AUDITOR, username="auditor")
    receiver = make_org(kind="ngo", country="TH", name="Shelter TH")
    receiver_officer = make_member(receiver, Role.CASE_OFFICER, username="receiver")
    stranger_org = make_org(kind="ngo", country="TH", name="Other NGO")
    stranger = make_member(stranger_org, Role.CASE_OFFICER, username="stranger")
    case = make_case(owner, identifying={"given_names": SECRET, "family_name": "Suk"})
    return {
        "owner": owner,
        "officer": officer,
        "auditor": auditor,
        "receiver": receiver,
        "receiver_officer": receiver_officer,
        "stranger": stranger,
        "case": case,
        "login": login,
    }


def _client(world, who):
    return world["login"](world[who], Client())


def test_register_via_api_with_indicators_and_presumption(world):
    c = _client(world, "officer")
    r = c.post(
        "/api/cases/",
        {
            "gender": "Female",
            "age_band": "18-20",
            "exploitation_forms": ["domestic_servitude"],
            "identifying": {"given_names": "Lin"},
            "indicators": ["DOM-01", "COM-05"],
            "presume": True,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["identification_state"] == "presumed_victim"
    assert "Lin" not in r.content.decode()
    case = Case.objects.get(pk=body["id"])
    assert case.observed_indicators.count() == 2


def test_register_bad_input_names_the_field(world):
    c = _client(world, "officer")
    r = c.post("/api/cases/", {"gender": "robot"}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert "gender" in r.json()["fields"]
    assert Case.objects.count() == 1


def test_register_refused_for_auditor(world):
    c = _client(world, "auditor")
    r = c.post("/api/cases/", {"owner": world["owner"].pk}, content_type="application/json")
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("who", "summary", "details"),
    [
        ("officer", 200, 200),
        ("auditor", 200, 403),
        ("receiver_officer", 404, 404),
        ("stranger", 404, 404),
    ],
)
def test_summary_and_details_by_role(world, who, summary, details):
    c = _client(world, who)
    pk = world["case"].pk
    r = c.get(f"/api/cases/{pk}/")
    assert r.status_code == summary
    assert SECRET not in r.content.decode()
    r = c.get(f"/api/cases/{pk}/details/")
    assert r.status_code == details
    if details == 200:
        assert r.json()["identifying"]["given_names"] == SECRET
    else:
        assert SECRET not in r.content.decode()


def test_receiver_sees_summary_then_details_after_grant(world):
    case, receiver = world["case"], world["receiver"]
    c = _client(world, "receiver_officer")
    case_grant(case=case, organisation=receiver, details=False)
    assert c.get(f"/api/cases/{case.pk}/").status_code == 200
    assert c.get(f"/api/cases/{case.pk}/details/").status_code == 403
    assert c.post(f"/api/cases/{case.pk}/presume/").status_code in (403, 409)
    make_consent(case, organisations=[receiver])
    case_grant(case=case, organisation=receiver, details=True)
    r = c.get(f"/api/cases/{case.pk}/details/")
    assert r.status_code == 200
    assert c.get(f"/api/cases/{case.pk}/pii-log/").status_code == 403
    log = _client(world, "officer").get(f"/api/cases/{case.pk}/pii-log/").json()
    assert [e["organisation"] for e in log] == ["Shelter TH"]


def test_transitions_as_actions_with_guard_codes(world):
    case = make_case(world["owner"], state="first_contact")
    c = _client(world, "officer")
    url = f"/api/cases/{case.pk}"
    r = c.post(f"{url}/identify/", {"reason": "x", "informed": True, "interview_language": "th"})
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed"
    assert c.post(f"{url}/presume/").json()["identification_state"] == "presumed_victim"
    r = c.post(f"{url}/identify/", {"reason": "x", "informed": False, "interview_language": ""})
    assert r.status_code == 409
    assert r.json()["code"] == "not_informed"
    r = c.post(f"{url}/identify/", {"reason": "x", "informed": True, "interview_language": "th"})
    assert r.json()["identification_state"] == "identified"
    r = c.post(f"{url}/rule-out/", {"reason": "acquitted"})
    assert r.json()["code"] == "no_downgrade"
    assert c.post(f"{url}/confirm/", {"reason": "conviction"}).status_code == 200
    events = c.get(f"{url}/events/").json()
    assert [e["transition"] for e in events] == ["presume", "identify", "confirm"]
    assert c.post(f"{url}/close/", {"reason": ""}).json()["code"] == "grounds_required"
    assert c.post(f"{url}/close/", {"reason": "done"}).json()["status"] == "Closed"


def test_protection_actions(world, make_org):
    cpa = make_org(kind="child_protection", country="TH")
    case = make_case(world["owner"], minor_status="presumed_child")
    c = _client(world, "officer")
    url = f"/api/cases/{case.pk}"
    r = c.post(
        f"{url}/consents/",
        {
            "categories": ["summary"],
            "purposes": ["referral"],
            "organisation_kinds": ["child_protection"],
            "informed_orally": True,
            "informed_in_writing": True,
            "language": "th",
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    consent_id = case.consents.get().pk
    assert c.post(f"{url}/reflection/start/").status_code == 200
    r = c.post(f"{url}/reflection/end/", {"outcome": "cooperate", "decided_by_person": False})
    assert r.json()["code"] == "not_persons_decision"
    r = c.post(f"{url}/guardian/", {"guardian_name": "G", "appointed_by": cpa.pk})
    assert r.status_code == 200, r.content
    r = c.post(
        f"{url}/best-interests/",
        {
            "determined_by": cpa.pk,
            "child_views": "stay",
            "weight_given_to_views": "high",
            "outcome": "stay_in_country",
        },
    )
    assert r.status_code == 200, r.content
    assert c.post(f"{url}/residence/", {"kind": "temporary"}).json()["code"] == (
        "residence_ground_required"
    )
    assert c.post(f"{url}/family-tracing/", {"requested_by_person": True}).status_code == 200
    tracing = case.family_tracings.get()
    r = c.post(f"{url}/family-tracing/step/", {"tracing": tracing.pk, "action": "start"})
    assert r.status_code == 200
    r = c.post(f"{url}/consents/withdraw/", {"consent": consent_id})
    assert r.status_code == 200
    details = c.get(f"{url}/details/").json()
    assert details["guardian"]["guardian_name"] == "G"
    assert details["consents"][0]["withdrawn_at"] is not None
    assert details["reflection_period"]["running"] is True


def test_export_json_and_csv_identifying_only_where_allowed(world):
    case, receiver = world["case"], world["receiver"]
    officer = _client(world, "officer")
    record = officer.get(f"/api/cases/{case.pk}/export/").json()
    assert record["prs_FirstName"] == SECRET
    assert record["cas_Id"] == case.reference
    assert record["vic_TypeOfExploitation"] == ["ForcedLabour"]
    assert PiiAccessLog.objects.filter(purpose="export").count() == 1
    r = officer.get(f"/api/cases/{case.pk}/export/?as=csv")
    assert r["Content-Type"].startswith("text/csv")
    assert SECRET in r.content.decode()
    case_grant(case=case, organisation=receiver, details=False)
    summary_only = _client(world, "receiver_officer")
    record = summary_only.get(f"/api/cases/{case.pk}/export/").json()
    assert record["prs_FirstName"] is None
    assert SECRET not in summary_only.get(f"/api/cases/{case.pk}/export/?as=csv").content.decode()
    assert _client(world, "stranger").get(f"/api/cases/{case.pk}/export/").status_code == 404


@pytest.mark.parametrize("n", [3, 12])
def test_list_fixed_queries(world, django_assert_max_num_queries, n):
    for _ in range(n):
        make_case(world["owner"])
    c = _client(world, "officer")
    with django_assert_max_num_queries(9):
        r = c.get("/api/cases/")
    assert r.json()["count"] == n + 1
    assert SECRET not in r.content.decode()


def test_indicator_reference_list(world):
    r = _client(world, "stranger").get("/api/indicators/")
    assert len(r.json()) == 41


def test_identifying_details_never_in_logs_events_or_errors(world, caplog):
    import logging

    from workflows.cases.models import CaseEvent

    caplog.set_level(logging.DEBUG)
    c = _client(world, "officer")
    r = c.post(
        "/api/cases/",
        {"identifying": {"given_names": "Zzyzx"}, "gender": "bogus"},
        content_type="application/json",
    )
    assert "Zzyzx" not in r.content.decode()
    r = c.post(
        "/api/cases/",
        {"identifying": {"given_names": "Zzyzx", "contacts": "+66 99"}, "minor_status": "adult"},
        content_type="application/json",
    )
    pk = r.json()["id"]
    c.post(f"/api/cases/{pk}/identifying/", {"family_name": "Qwertz"})
    c.get(f"/api/cases/{pk}/details/")
    c.get(f"/api/cases/{pk}/export/?as=csv")
    c.post(f"/api/cases/{pk}/identify/", {"reason": "", "informed": False})
    text = caplog.text + str(list(CaseEvent.objects.values()))
    assert "Zzyzx" not in text
    assert "Qwertz" not in text
    assert "+66 99" not in text
