from __future__ import annotations

import pytest
from django.test import Client

from coordination.models import BodySeat, CoordinationBody, Seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(make_org):
    return {
        "police": make_org(kind="law_enforcement", country="TH", name="Police Unit", acronym="PU"),
        "shelter": make_org(
            kind="ngo", country="KH", name="Hope Shelter", services=["shelter", "medical"]
        ),
    }


@pytest.fixture
def client_in(login, make_org, make_member):
    return login(make_member(make_org(country="AT", name="Viewer Org"), "coordinator"))


def names(response):
    return [o.name for o in response.context["page"].object_list]


def test_directory_search_and_filters(client_in, directory):
    assert "Police Unit" in names(client_in.get("/directory/", {"q": "PU"}))
    only_kh = names(client_in.get("/directory/", {"country": "KH"}))
    assert only_kh == ["Hope Shelter"]
    assert names(client_in.get("/directory/", {"kind": "law_enforcement"})) == ["Police Unit"]
    medical = names(client_in.get("/directory/", {"service": "medical", "country": "KH"}))
    assert medical == ["Hope Shelter"]
    assert "Police Unit" not in names(client_in.get("/directory/", {"service": "medical"}))
    international = names(client_in.get("/directory/", {"country": "INT"}))
    assert "United Nations Office on Drugs and Crime" in international
    assert "Police Unit" not in international
    empty = client_in.get("/directory/", {"q": "no such thing"})
    assert "No organisation matches these filters." in empty.content.decode()


def test_directory_refuses_unknown_filter_values_plainly(client_in, directory):
    response = client_in.get("/directory/", {"kind": "pirates"})
    assert response.status_code == 200
    assert "A filter value was not recognised" in response.content.decode()


def test_directory_paginates(client_in, many_organisations):
    many_organisations(60)
    first = client_in.get("/directory/")
    assert len(first.context["page"].object_list) == 25
    third = client_in.get("/directory/", {"page": 3, "country": "AT"})
    assert third.context["page"].number == 3
    assert "country=AT&amp;page=2" in third.content.decode()


@pytest.mark.parametrize("size", [10, 500])
def test_directory_page_query_count_is_fixed(
    client_in, many_organisations, django_assert_max_num_queries, size
):
    many_organisations(size)
    with django_assert_max_num_queries(10):
        response = client_in.get("/directory/", {"service": "shelter", "country": "AT"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(size, 25)


@pytest.mark.parametrize("size", [10, 500])
def test_organisations_api_query_count_is_fixed(
    client_in, many_organisations, django_assert_max_num_queries, size
):
    many_organisations(size)
    with django_assert_max_num_queries(10):
        response = client_in.get("/api/organisations/", {"country": "AT", "page_size": 200})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(size + 1, 200)  # + the viewer's own org


def test_organisation_page_shows_services_bodies_members(
    client_in, directory, make_member, make_org
):
    shelter = directory["shelter"]
    body = CoordinationBody.objects.create(name="KH Committee", kind="national_committee")
    BodySeat.objects.create(body=body, organisation=shelter, seat=Seat.OBSERVER)
    make_member(shelter, "case_officer", username="worker1")
    html = client_in.get(f"/organisations/{shelter.pk}/").content.decode()
    assert "Medical care" in html
    assert "KH Committee" in html
    assert "Observer" in html
    assert "worker1" in html


def test_private_contact_points_only_for_members(login, make_org, make_member):
    org = make_org(name="Shelter", contact_email="night@shelter.example", emergency_phone="112")
    outsider = login(make_member(make_org(name="Other"), "coordinator"), Client())
    page = outsider.get(f"/organisations/{org.pk}/").content.decode()
    assert "night@shelter.example" not in page
    assert "shown to this organisation's own members only" in page
    assert outsider.get(f"/api/organisations/{org.pk}/").json()["contact_points"] is None

    insider = login(make_member(org, "auditor"), Client())
    assert "night@shelter.example" in insider.get(f"/organisations/{org.pk}/").content.decode()
    contacts = insider.get(f"/api/organisations/{org.pk}/").json()["contact_points"]
    assert contacts["email"] == "night@shelter.example"
    assert contacts["emergency_phone"] == "112"


def test_inactive_or_unknown_organisation_is_404(client_in, make_org):
    gone = make_org(name="Closed", is_active=False)
    assert client_in.get(f"/organisations/{gone.pk}/").status_code == 404
    assert client_in.get(f"/api/organisations/{gone.pk}/").status_code == 404
    assert client_in.get("/api/organisations/999999/").json()["code"] == "not_found"


def test_body_page_and_api(client_in, make_org):
    chair = make_org(name="Lead Ministry", kind="government_ministry")
    member = make_org(name="Police", kind="law_enforcement")
    body = CoordinationBody.objects.create(
        name="National Committee",
        kind="national_committee",
        national_coordinator=chair,
        terms_of_reference="Meets quarterly.",
    )
    BodySeat.objects.create(body=body, organisation=chair, seat=Seat.CHAIR)
    BodySeat.objects.create(body=body, organisation=member, seat=Seat.MEMBER)
    html = client_in.get(f"/bodies/{body.pk}/").content.decode()
    assert "Meets quarterly." in html
    assert html.index("Lead Ministry") < html.index("Police")
    listing = client_in.get("/bodies/").content.decode()
    assert "National Committee" in listing
    data = client_in.get(f"/api/coordination-bodies/{body.pk}/").json()
    assert data["national_coordinator"] == chair.pk
    assert {s["seat"] for s in data["seats"]} == {"chair", "member"}
    assert client_in.get("/api/coordination-bodies/").json()["count"] >= 1
    assert client_in.get("/bodies/999999/").status_code == 404


def test_api_filters_and_validation(client_in, directory):
    data = client_in.get("/api/organisations/", {"country": "KH"}).json()
    assert [o["name"] for o in data["results"]] == ["Hope Shelter"]
    assert set(data["results"][0]["services"]) == {"medical", "shelter"}
    bad = client_in.get("/api/organisations/", {"kind": "pirates"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "kind" in bad.json()["fields"]
    assert client_in.get("/api/countries/").json()["count"] == 249
    assert client_in.get("/api/countries/KH/").json()["name"] == "Cambodia"
    assert client_in.get("/api/services/").json()["count"] >= 20


def test_api_requires_authentication(client, directory):
    response = client.get("/api/organisations/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "detail", "fields"}
