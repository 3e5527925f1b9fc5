"""The API: visibility (hidden is 404), roles, transitions as POST actions with guard codes,
compliance, diff, coverage query, documents, and fixed query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.models import AgreementState, AgreementVersion
from agreements.tests.factories import (
    coordinator,
    drive_to_signatures,
    make_agreement,
    make_agreement_in_force,
    signatory,
)
from coordination.models import BodySeat, CoordinationBody, Role
from coordination.tests.factories import make_member_user, make_organisation

pytestmark = pytest.mark.django_db
S = AgreementState


def _org(country="TH", kind="government_ministry"):
    return make_organisation(
        kind=kind,
        country=country,
        mandate="Lead against trafficking",
        areas_of_operation="Whole territory",
    )


@pytest.fixture
def setup(db):
    a, b = _org("TH"), _org("KH")
    agreement = make_agreement(
        drafter=a, partners=[b], target_groups=["adults", "children"], procedures=["referral"]
    )
    return agreement, a, b


def url(name, *args):
    return reverse(f"api:agreement-{name}", args=args)


def test_partners_see_it_others_get_404(setup, client, login):
    agreement, _a, b = setup
    login(coordinator(b))
    assert client.get(url("detail", agreement.pk)).status_code == 200
    assert [r["id"] for r in client.get(url("list")).json()["results"]] == [agreement.pk]
    client.logout()
    login(coordinator(_org("VN")))
    assert client.get(url("detail", agreement.pk)).status_code == 404
    assert client.post(url("open-consultation", agreement.pk)).status_code == 404
    assert client.get(url("compliance", agreement.pk)).status_code == 404
    assert client.get(url("document", agreement.pk) + "?as=pdf").status_code == 404
    assert client.get(url("list")).json()["results"] == []


def test_a_coordination_body_secretariat_sees_its_members_agreements(setup, client, login):
    agreement, a, _b = setup
    secretariat = _org("TH", kind="government_ministry")
    body = CoordinationBody.objects.create(name="National committee", kind="national_committee")
    BodySeat.objects.create(body=body, organisation=a, seat="member")
    BodySeat.objects.create(body=body, organisation=secretariat, seat="secretariat")
    login(make_member_user(secretariat, Role.COORDINATOR))
    assert client.get(url("detail", agreement.pk)).status_code == 200
    # seeing is not editing
    response = client.patch(
        url("detail", agreement.pk), {"title": "Mine"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_create_edit_and_errors(client, login):
    org = _org("TH")
    user = coordinator(org)
    login(user)
    response = client.post(
        url("list"),
        {
            "template": "national-mou-gov-ngo",
            "title": "NRM MOU",
            "drafted_by": org.pk,
            "languages": ["en", "fr"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["current_version"]["number"] == 1
    assert body["you_may"] == {"edit": True, "sign": False}
    pk = body["id"]
    bad = client.post(
        url("list"),
        {"template": "nope", "title": "x", "drafted_by": org.pk},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "template" in bad.json()["fields"]
    response = client.patch(
        url("detail", pk),
        {"clauses": {"purpose": {"en": "To protect."}}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["version"]["number"] == 2
    response = client.patch(
        url("detail", pk), {"clauses": {"purpose": {"km": "x"}}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_language"
    assert AgreementVersion.objects.filter(agreement_id=pk).count() == 2


def test_non_coordinator_cannot_create_or_edit(setup, client, login):
    agreement, a, _b = setup
    login(make_member_user(a, Role.CASE_OFFICER))
    response = client.post(
        url("list"),
        {"template": "national-mou-gov-ngo", "title": "x", "drafted_by": a.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.patch(
        url("detail", agreement.pk), {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_compliance_live_checks_unsaved_text_and_saves_nothing(setup, client, login):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    before = agreement.versions.count()
    report = client.post(
        url("compliance", agreement.pk),
        {"clauses": {"minors": {"en": "Vulnerable persons get help."}}},
        content_type="application/json",
    ).json()
    minors = next(e for e in report["elements"] if e["key"] == "minors")
    assert minors["status"] == "weak"
    assert "guardians" in " ".join(minors["reasons"])
    assert not report["passes"]
    assert client.get(url("compliance", agreement.pk)).json()["passes"]
    assert agreement.versions.count() == before


def test_transitions_as_post_actions_with_guard_codes(setup, client, login):
    agreement, _a, b = setup
    actor = agreement._test_actor
    login(actor)
    response = client.post(url("request-signatures", agreement.pk))
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert client.post(url("open-consultation", agreement.pk)).json()["state"] == S.CONSULTATION
    response = client.post(url("request-signatures", agreement.pk))
    assert response.status_code == 409
    assert response.json()["code"] == "agreement_approvals_missing"
    client.patch(
        url("detail", agreement.pk),
        {"clauses": {"minors": {"en": "Nothing."}}},
        content_type="application/json",
    )
    assert client.post(url("approve", agreement.pk)).status_code == 200
    client.logout()
    login(coordinator(b))
    assert client.post(url("approve", agreement.pk)).status_code == 200
    response = client.post(url("request-signatures", agreement.pk))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "agreement_compliance_failed"
    assert "Appropriate measures for minors" in body["detail"]
    assert body["blocking"] == ["minors"]


def test_sign_via_api(setup, client, login):
    agreement, a, _b = setup
    drive_to_signatures(agreement)
    agreement.refresh_from_db()
    current = agreement.current_version.content_hash
    login(agreement._test_actor)  # a coordinator without the signing right
    assert (
        client.post(
            url("sign", agreement.pk), {"version_hash": current}, content_type="application/json"
        ).status_code
        == 403
    )
    client.logout()
    login(signatory(a))
    response = client.post(
        url("sign", agreement.pk), {"version_hash": "ab" * 32}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "agreement_version_changed"
    response = client.post(
        url("sign", agreement.pk), {"version_hash": current}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["version_hash"] == current


def test_versions_diff_documents_and_events(setup, client, login):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    client.patch(url("detail", agreement.pk), {"title": "Renamed"}, content_type="application/json")
    versions = client.get(url("versions", agreement.pk)).json()
    assert [v["number"] for v in versions][-1] == len(versions)
    last = versions[-1]["number"]
    diff = client.get(url("diff", agreement.pk) + f"?from=1&to={last}").json()
    assert any(m["field"] == "title" for m in diff["meta"])
    assert client.get(url("diff", agreement.pk) + "?from=x&to=1").status_code == 400
    assert client.get(url("diff", agreement.pk) + "?from=99&to=1").status_code == 404
    detail = client.get(reverse("api:agreement-version", args=[agreement.pk, 1])).json()
    assert "clauses" in detail
    pdf = client.get(url("document", agreement.pk) + "?as=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    docx = client.get(url("document", agreement.pk) + "?as=docx&version=1")
    assert docx.content.startswith(b"PK")
    assert client.get(url("document", agreement.pk) + "?as=txt").status_code == 400
    events = client.get(url("events", agreement.pk)).json()
    assert events[0]["transition"] == "draft"


def test_coverage_get_put_and_the_legal_basis_query(client, login):
    agreement = make_agreement_in_force(procedures=["referral"], target_groups=["adults"])
    login(agreement._test_actor)
    assert client.get(url("coverage", agreement.pk)).json()["procedures"] == ["referral"]
    response = client.get(
        url("covering") + "?procedure=referral&party_a=country:TH&party_b=KH&target_groups=adults"
    )
    assert response.json() == {
        "covered": True,
        "agreements": [
            {
                "id": agreement.pk,
                "reference": agreement.reference,
                "title": agreement.title,
                "entered_into_force_on": agreement.entered_into_force_on.isoformat(),
                "end_date": None,
            }
        ],
    }
    response = client.get(
        url("covering") + "?procedure=referral&party_a=TH&party_b=KH&target_groups=children"
    )
    assert response.json()["covered"] is False
    bad = client.get(url("covering") + "?procedure=smuggling&party_a=TH&party_b=KH")
    assert bad.status_code == 400
    assert "procedure" in bad.json()["fields"]
    assert (
        client.get(url("covering") + "?procedure=referral&party_a=XX&party_b=KH").status_code == 400
    )
    # in force: coverage no longer changes
    response = client.put(
        url("coverage", agreement.pk),
        {
            "countries": ["TH"],
            "organisations": [],
            "procedures": ["referral"],
            "target_groups": ["adults"],
            "data_categories": [],
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "agreement_not_editable"


def test_outsiders_get_covered_but_not_the_agreement(client, login):
    make_agreement_in_force(procedures=["referral"], target_groups=["adults"])
    login(coordinator(_org("VN")))
    response = client.get(url("covering") + "?procedure=referral&party_a=TH&party_b=KH")
    assert response.json() == {"covered": True, "agreements": []}


@pytest.mark.parametrize("size", [2, 6])
def test_list_query_count_is_fixed(client, login, django_assert_max_num_queries, size):
    drafter = _org("TH")
    user = coordinator(drafter)
    for _ in range(size):
        make_agreement(drafter=drafter, actor=user, partners=[_org("KH")], good=False)
    login(user)
    with django_assert_max_num_queries(9):
        response = client.get(url("list"))
    assert response.json()["count"] == size


def test_a_transition_makes_a_bounded_number_of_queries(
    setup, client, login, django_assert_max_num_queries
):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    with django_assert_max_num_queries(40):
        assert client.post(url("open-consultation", agreement.pk)).status_code == 200


def test_schema_lists_the_agreement_endpoints(client, login):
    login(coordinator(_org("TH")))
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/agreements/{id}/open-consultation/",
        "/api/agreements/{id}/sign/",
        "/api/agreements/{id}/compliance/",
        "/api/agreements/{id}/diff/",
        "/api/agreements/covering/",
        "/api/agreements/{id}/document/",
        "/api/agreement-templates/",
    ):
        assert path in schema, path
    assert "agreement_compliance_failed" in schema
