"""Two partners racing on one agreement: exactly one transition wins (row lock + FSM state
check), the other is refused; one event row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_fsm import TransitionNotAllowed

from agreements import services
from agreements.models import AgreementState
from agreements.tests.factories import coordinator, ensure_templates, make_agreement
from coordination.tests.factories import make_organisation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_open_consultation_has_one_winner():
    ensure_templates()
    a = make_organisation(
        kind="government_ministry", country="TH", mandate="m", areas_of_operation="x"
    )
    b = make_organisation(
        kind="government_ministry", country="KH", mandate="m", areas_of_operation="x"
    )
    agreement = make_agreement(drafter=a, partners=[b])
    actors = [agreement._test_actor, coordinator(b)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(actor):
        try:
            barrier.wait()
            services.agreement_open_consultation(agreement=agreement, actor=actor)
            outcomes.append("won")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "won"]
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.CONSULTATION
    assert agreement.events.filter(transition="open_consultation").count() == 1
