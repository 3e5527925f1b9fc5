"""Two case officers act on one case at once: exactly one transition wins (row lock + FSM state
check), the other is refused; one event row. Also: event rows cannot be changed (trigger)."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from concord.errors import GuardFailed
from coordination.models import Role
from coordination.tests.factories import make_member_user, make_organisation
from workflows.cases.models import CaseEvent, IdentificationState
from workflows.cases.services.cases import case_presume
from workflows.cases.tests.factories import make_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_transitions_on_one_case_have_one_winner():
    org = make_organisation(kind="ngo", country="TH")
    officers = [make_member_user(org, Role.CASE_OFFICER) for _ in range(2)]
    case = make_case(org, state=IdentificationState.FIRST_CONTACT)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(actor, action):
        try:
            barrier.wait()
            action(case=case, actor=actor)
            outcomes.append("won")
        except GuardFailed:
            outcomes.append("refused")
        finally:
            connection.close()

    # Both presume the same first-contact case: the second, once it has the row, finds it
    # presumed already and is refused.
    threads = [threading.Thread(target=run, args=(o, case_presume)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "won"]
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_case_events_are_append_only_in_the_database():
    org = make_organisation(kind="ngo", country="TH")
    officer = make_member_user(org, Role.CASE_OFFICER)
    case = case_presume(case=make_case(org, state="first_contact"), actor=officer)
    event = case.events.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
