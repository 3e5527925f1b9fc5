"""Authorisation matrix of the case endpoints and pages: for each role x relation of the user's
organisation to the case, the exact answer, and no identifying detail outside the details."""

from __future__ import annotations

import pytest
from django.test import Client

from coordination.models import Role
from workflows.cases.permissions import case_grant
from workflows.cases.tests.factories import make_case, make_consent

pytestmark = pytest.mark.django_db
SECRET = "Xochitl-Secret"
WORKERS = {Role.CASE_OFFICER, Role.SUPERVISOR}
ROLES = [r.value for r in Role]
RELATIONS = ["owner", "receiver_summary", "receiver_details", "unrelated"]


def expected(role: str, relation: str) -> dict[str, int]:
    if relation == "unrelated":
        return dict.fromkeys(
            ["summary", "details", "events", "pii_log", "export", "presume", "page", "action"],
            404,
        )
    worker = role in WORKERS
    owner = relation == "owner"
    sees_details = worker and relation in ("owner", "receiver_details")
    return {
        "summary": 200,
        "details": 200 if sees_details else 403,
        "events": 200,
        "pii_log": 200 if owner else 403,
        "export": 200,
        "presume": 200 if owner and worker else 403,
        "page": 200,
        "action": 302 if owner and worker else 403,
    }


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_case_matrix(role, relation, make_org, make_member, login):
    owner = make_org(kind="law_enforcement", country="TH")
    case = make_case(owner, state="first_contact", identifying={"given_names": SECRET})
    other = make_case(owner, state="first_contact", identifying={"given_names": SECRET})
    org = owner if relation == "owner" else make_org(kind="ngo", country="TH")
    if relation.startswith("receiver"):
        details = relation == "receiver_details"
        if details:
            make_consent(case, organisations=[org])
            make_consent(other, organisations=[org])
        case_grant(case=case, organisation=org, details=details)
        case_grant(case=other, organisation=org, details=details)
    user = make_member(org, role)
    c = login(user, Client())
    want = expected(role, relation)
    api = f"/api/cases/{case.pk}"
    got = {
        "summary": c.get(f"{api}/"),
        "details": c.get(f"{api}/details/"),
        "events": c.get(f"{api}/events/"),
        "pii_log": c.get(f"{api}/pii-log/"),
        "export": c.get(f"{api}/export/"),
        "presume": c.post(f"{api}/presume/"),
        "page": c.get(f"/cases/{case.pk}/?reveal=case_work"),
        "action": c.post(f"/cases/{other.pk}/act/presume/"),
    }
    assert {k: r.status_code for k, r in got.items()} == want
    for name, response in got.items():
        body = response.content.decode()
        if name in ("details", "export", "page") and want["details"] == 200:
            assert SECRET in body, name  # shown to who may see it (and logged)
        else:
            assert SECRET not in body, name
    listing = c.get("/api/cases/").json()
    assert listing["count"] == (0 if relation == "unrelated" else 2)
    assert SECRET not in str(listing)
