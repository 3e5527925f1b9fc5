"""Pages and API: every page renders, actions go through the services, refusals name the guard,
bad input names the field, hidden is 404, lists make a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workflows.returns.models import ReturnState
from workflows.returns.tests.factories import advance

pytestmark = pytest.mark.usefixtures("agreements")


def test_detail_page_shows_timeline_checklist_and_both_parts(world, login, client, agreements):
    agreements["information_exchange"] = ["TH-KH MOU 2014"]
    p = advance(world.request(), world, ReturnState.MONITORING)
    login(world.th_officer)
    r = client.get(reverse("returns:return-detail", args=[p.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="guard-checklist"' in html
    assert 'data-guard="non_refoulement" data-holds="yes"' in html
    assert "TH MSDHS" in html
    assert "KH MoSVY" in html
    assert html.count('class="risk-part"') == 2
    assert "Withheld" not in html
    main = html.split("<main")[1]
    assert "Person" not in main


def test_page_action_refusal_shows_the_guard_message(world, login, client):
    p = world.request()
    login(world.th_officer)
    r = client.post(reverse("returns:return-act", args=[p.pk, "start-assessment"]), follow=True)
    assert r.status_code == 200
    assert "Return must be voluntary" in r.content.decode()
    p.refresh_from_db()
    assert p.state == "requested"


def test_page_action_bad_input_names_the_field(world, login, client):
    p = world.request()
    login(world.th_officer)
    r = client.post(
        reverse("returns:return-act", args=[p.pk, "consent"]),
        {"language": "", "informed_orally": "true"},
        follow=True,
    )
    html = r.content.decode()
    assert "informed_in_writing" in html or "language" in html
    assert not p.consents.exists()


def test_page_actions_drive_the_procedure(world, login, client):
    p = world.request()
    login(world.th_officer)
    url = lambda a: reverse("returns:return-act", args=[p.pk, a])  # noqa: E731
    client.post(
        url("consent"),
        {"language": "Khmer", "informed_orally": "true", "informed_in_writing": "true"},
    )
    client.post(url("start-assessment"))
    p.refresh_from_db()
    assert p.state == "risk_assessment"
    form = {
        f"rating_{c}": "1"
        for c in [
            "retaliation",
            "re_trafficking",
            "family_complicity",
            "stigmatisation",
            "inadequate_assistance",
            "health",
            "debts",
            "family_safety",
        ]
    }
    form.update({f"justification_{c[7:]}": "checked" for c in form})
    client.post(url("risk-contribution"), {**form, "side": "returning"})
    assert p.risk_assessments.get().contributions.count() == 1


def test_hidden_procedure_is_404_on_page_and_api(world, login, client):
    p = world.request()
    for user in (world.vn_official, world.other_th_official):
        login(user)
        assert client.get(reverse("returns:return-detail", args=[p.pk])).status_code == 404
        assert (
            client.post(
                reverse("returns:return-act", args=[p.pk, "cancel"]), {"grounds": "x"}
            ).status_code
            == 404
        )
        assert client.get(f"/api/returns/{p.pk}/").status_code == 404
        assert client.post(f"/api/returns/{p.pk}/cancel/", {"grounds": "x"}).status_code == 404
        assert client.get("/api/returns/").json()["count"] == 0
    p.refresh_from_db()
    assert p.state == "requested"


def test_api_transition_refusal_is_409_with_guard_code(world, login, client):
    p = world.request()
    login(world.th_officer)
    r = client.post(f"/api/returns/{p.pk}/start-assessment/", {}, content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "return_not_voluntary"
    assert "seed 004:353" in r.json()["detail"]


def test_api_bad_input_is_400_naming_the_field(world, login, client):
    p = advance(world.request(), world, ReturnState.DECISION)
    login(world.th_officer)
    r = client.post(
        f"/api/returns/{p.pk}/grant-alternative/",
        {"kind": "holiday", "grounds": "x"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "kind" in r.json()["fields"]
    r = client.post(f"/api/returns/{p.pk}/approve/", {}, content_type="application/json")
    assert r.status_code == 400
    assert "grounds" in r.json()["fields"]


def test_api_wrong_side_is_403(world, login, client):
    p = world.request()
    login(world.kh_officer)
    r = client.post(
        f"/api/returns/{p.pk}/cancel/", {"grounds": "x"}, content_type="application/json"
    )
    assert r.status_code == 403


def test_api_full_journey_and_detail(world, login, client, agreements):
    case = world.case()
    login(world.th_officer)
    r = client.post(
        "/api/returns/",
        {
            "case": case.pk,
            "receiving_country": "KH",
            "returning_authority": world.th_ministry.pk,
            "receiving_authority": world.kh_ministry.pk,
            "monitoring_months": [1, 3, 6, 12],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    pid = r.json()["id"]

    def post(a, data=None):
        return client.post(f"/api/returns/{pid}/{a}/", data or {}, content_type="application/json")

    assert (
        post(
            "consent", {"language": "Khmer", "informed_orally": True, "informed_in_writing": True}
        ).status_code
        == 200
    )
    assert post("start-assessment").json()["state"] == "risk_assessment"
    ratings = {
        c: {"rating": 1, "justification": "ok"}
        for c in [
            "retaliation",
            "re_trafficking",
            "family_complicity",
            "stigmatisation",
            "inadequate_assistance",
            "health",
            "debts",
            "family_safety",
        ]
    }
    assert post("risk-contribution", {"side": "returning", "ratings": ratings}).status_code == 200
    detail = client.get(f"/api/returns/{pid}/").json()
    assert detail["risk_assessments"][0]["parts"][0]["submitted"] is True
    assert next(c["name"] for c in detail["checklist"]) == "voluntary"
    assert detail["case"]["reference"] == case.reference
    assert "given_names" not in str(detail)


def test_receiving_side_sees_other_part_only_with_information_exchange(
    world, login, client, agreements
):
    p = advance(world.request(), world, ReturnState.DECISION)
    login(world.kh_officer)
    d = client.get(f"/api/returns/{p.pk}/").json()
    parts = {x["side"]: x for x in d["risk_assessments"][0]["parts"]}
    assert parts["receiving"]["visible"] is True
    assert "ratings" in parts["receiving"]
    assert parts["returning"]["submitted"] is True
    assert parts["returning"]["visible"] is False
    assert "ratings" not in parts["returning"]
    assert "gender" not in d["case"]
    html = client.get(reverse("returns:return-detail", args=[p.pk])).content.decode()
    assert "Withheld" in html
    # the returning side likewise does not see the receiving part
    login(world.th_officer)
    d = client.get(f"/api/returns/{p.pk}/").json()
    parts = {x["side"]: x for x in d["risk_assessments"][0]["parts"]}
    assert parts["receiving"]["visible"] is False
    # with an agreement covering information exchange, both parts are shared
    agreements["information_exchange"] = ["TH-KH MOU"]
    login(world.kh_officer)
    d = client.get(f"/api/returns/{p.pk}/").json()
    parts = {x["side"]: x for x in d["risk_assessments"][0]["parts"]}
    assert parts["returning"]["visible"] is True
    assert len(parts["returning"]["ratings"]) == 8
    assert d["case"]["gender"] == "Female"


def _make_many(world, n):
    for _ in range(n):
        world.request()


@pytest.mark.parametrize("n", [2, 8])
def test_list_page_and_api_fixed_queries(world, login, client, django_assert_max_num_queries, n):
    _make_many(world, n)
    login(world.th_officer)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("returns:return-list"))
    assert r.status_code == 200
    assert r.content.decode().count("<tr>") >= n
    with django_assert_max_num_queries(12):
        r = client.get("/api/returns/")
    assert r.json()["count"] == n


def test_openapi_schema_lists_the_return_actions(client, world, login):
    login(world.th_officer)
    r = client.get("/api/schema/")
    text = r.content.decode()
    for path in [
        "/api/returns/{id}/approve/",
        "/api/returns/{id}/start-assessment/",
        "/api/return-board/",
    ]:
        assert path in text


def test_request_page(world, login, client):
    case = world.case()
    login(world.th_officer)
    assert client.get(reverse("returns:return-new")).status_code == 200
    r = client.post(
        reverse("returns:return-new"),
        {
            "case": case.pk,
            "receiving_country": "KH",
            "returning_authority": world.th_ministry.pk,
            "receiving_authority": world.kh_ministry.pk,
            "monitoring_months": "1,3,6,12",
        },
    )
    assert r.status_code == 302
    p = case.return_procedures.get()
    assert p.monitoring_months == [1, 3, 6, 12]
    assert r["Location"] == reverse("returns:return-detail", args=[p.pk])
    # a bad schedule names the field and creates nothing
    r = client.post(
        reverse("returns:return-new"),
        {
            "case": world.case().pk,
            "receiving_country": "KH",
            "returning_authority": world.th_ministry.pk,
            "receiving_authority": world.kh_ministry.pk,
            "monitoring_months": "0",
        },
        follow=True,
    )
    assert "monitoring_months" in r.content.decode()
    assert case.return_procedures.count() == 1


def test_dashboard_panel(world, login, client):
    advance(world.request(), world, ReturnState.DECISION)
    login(world.kh_officer)
    r = client.get("/")
    html = r.content.decode()
    assert 'id="panel-returns"' in html
    assert "Decision" in html
    login(world.vn_official)
    html = client.get("/").content.decode()
    assert 'id="panel-returns"' in html  # a ministry: the link to its (empty) corridor board
    assert "Corridor board" in html
