"""Answering one referral from many places at the same moment, on PostgreSQL's real row locks.

Each contender runs in its own thread with its own database connection; a barrier releases them
together (concord.tests.concurrency). What these tests prove: `referral_accept` and the other
answers lock the referral row (SELECT ... FOR UPDATE) before they read its state, so of fifty
simultaneous answers exactly one is applied and the other forty-nine, once they get the row, find
it answered and are refused with `transition_not_allowed` (409 in the API); the event log holds
exactly one answer, and the visibility rows and object permissions follow the winner only.
On SQLite (one writer at a time, no row locks) they are skipped.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest

from concord.tests.concurrency import at_once, summary
from coordination.models import Role
from coordination.services import api_token_issue, service_account_create
from coordination.tests.factories import make_member_user, make_organisation
from workflows.cases.models import CaseGroupObjectPermission
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals import services
from workflows.referrals.models import Referral, ReferralEvent, ReferralState, ReferralVisibility
from workflows.referrals.tests.factories import submit_referral

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONTENDERS = 50
ANSWERS = {"accept", "decline", "request_information"}


def _submitted_referral() -> tuple[Referral, Any]:
    """A labour inspectorate's referral of a consenting adult to a shelter, submitted."""
    sender = make_organisation(kind="labour_inspectorate", country="TH")
    shelter = make_organisation(kind="ngo", country="TH", services=["shelter", "medical"])
    officer = make_member_user(sender, Role.CASE_OFFICER)
    case = make_case(sender, country="TH", nationality="TH")
    make_consent(case, organisations=[shelter])
    referral = submit_referral(case=case, receiver=shelter, actor=officer, urgency="emergency")
    return referral, shelter


def _answers(referral: Referral) -> list[ReferralEvent]:
    return list(ReferralEvent.objects.filter(referral=referral, transition__in=ANSWERS))


def test_fifty_officers_accept_one_referral_at_once_exactly_one_wins():
    """Fifty case officers and supervisors of the receiving agency press "accept" together: one
    acceptance, forty-nine conflicts, one `accept` event, and every inbox/outbox row says
    "accepted"."""
    referral, shelter = _submitted_referral()
    roles = (Role.CASE_OFFICER, Role.SUPERVISOR)
    officers = [make_member_user(shelter, roles[i % 2]) for i in range(CONTENDERS)]

    outcomes = at_once(
        [lambda u=u: services.referral_accept(referral=referral, actor=u) for u in officers]
    )

    assert summary(outcomes) == {
        "won": 1,
        "refused:transition_not_allowed": CONTENDERS - 1,
    }, summary(outcomes)
    winner = officers[next(i for i, o in enumerate(outcomes) if o.kind == "won")]
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED
    (event,) = _answers(referral)
    assert (event.transition, event.actor_id, event.from_state, event.to_state) == (
        "accept",
        winner.pk,
        ReferralState.SUBMITTED,
        ReferralState.ACCEPTED,
    )
    assert set(ReferralVisibility.objects.filter(referral=referral).values_list("state")) == {
        (ReferralState.ACCEPTED,)
    }


def test_accept_decline_and_question_at_once_exactly_one_answer():
    """Fifty answers of three kinds at once (accept, decline, ask for information): exactly one is
    applied, its event is the only answer in the log, and the receiver's access matches it (it
    sees the identifying details after an acceptance, loses the case after a decline)."""
    referral, shelter = _submitted_referral()
    officers = [make_member_user(shelter, Role.CASE_OFFICER) for _ in range(CONTENDERS)]
    kinds = ["accept", "decline", "request_information"]

    def answer(kind: str, actor: Any) -> str:
        if kind == "accept":
            services.referral_accept(referral=referral, actor=actor)
        elif kind == "decline":
            services.referral_decline(referral=referral, actor=actor, reason="no_capacity")
        else:
            services.referral_request_information(
                referral=referral, actor=actor, question="Which language does the person speak?"
            )
        return kind

    outcomes = at_once([lambda i=i, u=u: answer(kinds[i % 3], u) for i, u in enumerate(officers)])

    counts = summary(outcomes)
    assert counts == {"won": 1, "refused:transition_not_allowed": CONTENDERS - 1}, counts
    won = next(o.value for o in outcomes if o.kind == "won")
    expected_state = {
        "accept": ReferralState.ACCEPTED,
        "decline": ReferralState.DECLINED,
        "request_information": ReferralState.INFORMATION_REQUESTED,
    }[won]
    referral.refresh_from_db()
    assert referral.state == expected_state
    assert [e.transition for e in _answers(referral)] == [won]
    case_perms = set(
        CaseGroupObjectPermission.objects.filter(
            content_object=referral.case, group_id=shelter.group_id
        ).values_list("permission__codename", flat=True)
    )
    if won == "accept":
        assert "view_case_details" in case_perms
    elif won == "decline":
        assert not case_perms
    else:
        assert "view_case_summary" in case_perms
        assert "view_case_details" not in case_perms


@pytest.fixture
def token_clients(live_server):
    """A submitted referral and CONTENDERS API tokens of the receiving agency's case systems."""
    referral, shelter = _submitted_referral()
    tokens = []
    for i in range(CONTENDERS):
        membership = service_account_create(
            organisation=shelter, name=f"intake-{i}", role=Role.CASE_OFFICER, actor=None
        )
        tokens.append(api_token_issue(user=membership.user, actor=None))
    return live_server.url, referral, tokens


def _post(url: str, token: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        url, method="POST", data=b"", headers={"Authorization": f"Token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_fifty_accepts_through_the_api_one_200_the_rest_409(token_clients):
    """The full stack: fifty HTTP requests (token authentication, permission check, row lock,
    guard, event, grants) accept one referral at once on a live server with a thread per request.
    Exactly one 200; every other response is a 409 whose body names the conflict
    ({"code": "transition_not_allowed", "detail", "fields"}); never a 500; one `accept` event."""
    base, referral, tokens = token_clients
    url = f"{base}/api/referrals/{referral.pk}/accept/"
    barrier = threading.Barrier(len(tokens), timeout=60)
    responses: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()

    def send(token: str) -> None:
        barrier.wait()
        result = _post(url, token)
        with lock:
            responses.append(result)

    threads = [threading.Thread(target=send, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    statuses = sorted(status for status, _ in responses)
    assert statuses == [200] + [409] * (CONTENDERS - 1), statuses
    (ok,) = [body for status, body in responses if status == 200]
    assert ok["state"] == ReferralState.ACCEPTED
    for status, body in responses:
        if status == 409:
            assert body["code"] == "transition_not_allowed"
            assert set(body) == {"code", "detail", "fields"}
    assert [e.transition for e in _answers(referral)] == ["accept"]
