"""Partners racing on one agreement, on PostgreSQL's real row locks: exactly one transition wins
(row lock + FSM state check), the others are refused; one event row per applied transition.
Each contender has its own thread and database connection; skipped on SQLite."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from agreements import services
from agreements.models import AgreementState, Signature
from agreements.tests.factories import (
    coordinator,
    drive_to_signatures,
    ensure_templates,
    make_agreement,
    signatory,
)
from concord.tests.concurrency import at_once, summary
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


def test_fifty_signatories_sign_the_last_signatures_at_once_in_force_exactly_once():
    """Fifty authorised signatories, twenty-five of each of the two partners, sign the same
    version at the same moment. `agreement_sign` locks the agreement row before it counts the
    signatures, so: exactly one signature per partner (the last one of the two is the one that
    brings the agreement into force, in its own transaction), every other signatory is refused -
    `agreement_already_signed` while the agreement still awaits the other partner, or
    `transition_not_allowed` once it is in force - and the log holds two `sign` events and ONE
    `enter_into_force` event."""
    ensure_templates()
    a = make_organisation(
        kind="government_ministry", country="TH", mandate="m", areas_of_operation="x"
    )
    b = make_organisation(
        kind="government_ministry", country="KH", mandate="m", areas_of_operation="x"
    )
    agreement = make_agreement(drafter=a, partners=[b], effective_date=timezone.localdate())
    drive_to_signatures(agreement)
    agreement.refresh_from_db()
    version_hash = agreement.current_version.content_hash
    signatories = [signatory(org) for _ in range(25) for org in (a, b)]

    outcomes = at_once(
        [
            lambda u=u: services.agreement_sign(
                agreement=agreement, actor=u, version_hash=version_hash
            )
            for u in signatories
        ]
    )

    counts = summary(outcomes)
    assert counts.get("won") == 2, counts
    assert set(counts) <= {
        "won",
        "refused:agreement_already_signed",
        "refused:transition_not_allowed",
    }, counts
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.IN_FORCE
    signed_by = sorted(
        Signature.objects.filter(agreement=agreement, voided_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    assert signed_by == sorted([a.pk, b.pk])
    transitions = list(
        agreement.events.filter(transition__in=["sign", "enter_into_force"]).values_list(
            "transition", flat=True
        )
    )
    assert sorted(transitions) == ["enter_into_force", "sign", "sign"]
    assert (
        agreement.events.filter(to_state=AgreementState.IN_FORCE, transition="enter_into_force")
        .values_list("from_state", flat=True)
        .get()
        == AgreementState.AWAITING_SIGNATURES
    )


def test_a_transition_locks_its_own_agreement_only_not_the_template():
    """Two agreements drafted from the same template move at the same time: a transition holding
    its agreement's row lock must not make a transition on the other agreement wait.

    `_lock` used to lock the template row too (select_for_update over a select_related join
    locks every joined row), so every agreement of a template queued behind one another, and an
    amendment entering into force (lock amendment + template, then the amended agreement) could
    deadlock with any transition on the amended agreement (lock it, then the template). Here the
    other transition runs with a lock timeout while the first one's transaction is still open."""
    ensure_templates()
    a = make_organisation(
        kind="government_ministry", country="TH", mandate="m", areas_of_operation="x"
    )
    b = make_organisation(
        kind="government_ministry", country="KH", mandate="m", areas_of_operation="x"
    )
    first = make_agreement(drafter=a, partners=[b])
    second = make_agreement(drafter=a, partners=[b])
    assert first.template_id == second.template_id
    outcome: list[str] = []

    def other_transition() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                services.agreement_open_consultation(agreement=second, actor=second._test_actor)
            outcome.append("done")
        except OperationalError as exc:
            outcome.append(type(exc.__cause__).__name__)
        finally:
            connection.close()

    with transaction.atomic():
        services.agreement_open_consultation(agreement=first, actor=first._test_actor)
        thread = threading.Thread(target=other_transition)
        thread.start()
        thread.join(timeout=30)
    assert outcome == ["done"]
