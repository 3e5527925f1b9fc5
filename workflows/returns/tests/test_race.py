"""Officers act on the same procedure at once, on PostgreSQL's real row locks: exactly one
decision wins (row lock + django-fsm's ConcurrentTransitionMixin). Skipped on SQLite."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections

from concord.errors import GuardFailed
from workflows.returns import services as svc
from workflows.returns.models import ReturnProcedure, ReturnState
from workflows.returns.tests.factories import (
    FakeAgreements,
    advance,
    ensure_reference_data,
    make_world,
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approve_and_alternative_race_has_one_winner(monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(
        "workflows.returns.coverage._covering",
        lambda *, procedure, **_: FakeAgreements(
            ["MOU"] if procedure == "return_reintegration" else []
        ),
    )
    ensure_reference_data()
    world = make_world()
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(name: str, fn) -> None:
        try:
            barrier.wait()
            fn()
            results[name] = "ok"
        except GuardFailed as exc:
            results[name] = exc.code
        finally:
            close_old_connections()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "approve",
                lambda: svc.return_approve(procedure=p, actor=world.th_officer, grounds="ok"),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                "alternative",
                lambda: svc.return_grant_alternative(
                    procedure=p, actor=world.th_supervisor, kind="temporary_residence", grounds="x"
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()).count("ok") == 1, results
    loser = next(v for v in results.values() if v != "ok")
    assert loser == "transition_not_allowed"
    p = ReturnProcedure.objects.get(pk=p.pk)
    assert p.state in {ReturnState.PREPARATION, ReturnState.ALTERNATIVE}
    assert p.events.filter(transition__in=["approve", "grant_alternative"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_decisions_at_once_exactly_one_decision():
    """Fifty officers and supervisors of the returning State decide the same procedure at the same
    moment: a third approve the return, a third grant an alternative (temporary residence), a
    third cancel it. The legal basis is a real agreement in force (no stand-in). Proves that
    exactly one decision is taken: one ReturnDecision row, one event leaving "decision", the
    procedure in that decision's state; every other contender is refused with
    `transition_not_allowed`, except that a cancellation that gets the row after an approval
    cancels the approved return (preparation -> cancelled is an allowed step, not a second
    decision), which at most one can do. No refusal leaves a "blocked" event."""
    from agreements.tests.factories import make_agreement_in_force
    from concord.tests.concurrency import at_once, summary
    from workflows.returns.models import ReturnDecision

    ensure_reference_data()
    world = make_world()
    make_agreement_in_force(procedures=["return_reintegration"], target_groups=["adults"])
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_proceedings_record(procedure=p, actor=world.th_officer, proceedings_ongoing=False)
    actors = [world.th_officer, world.th_supervisor]

    def decide(i: int) -> str:
        actor = actors[i % 2]
        kind = ("approve", "grant_alternative", "cancel")[i % 3]
        if kind == "approve":
            svc.return_approve(procedure=p, actor=actor, grounds="Safe return assessed.")
        elif kind == "grant_alternative":
            svc.return_grant_alternative(
                procedure=p, actor=actor, kind="temporary_residence", grounds="Risk at home."
            )
        else:
            svc.return_cancel(procedure=p, actor=actor, grounds="The person stays.")
        return kind

    outcomes = at_once([lambda i=i: decide(i) for i in range(50)])

    counts = summary(outcomes)
    winners = [o.value for o in outcomes if o.kind == "won"]
    assert set(counts) <= {"won", "refused:transition_not_allowed"}, counts
    assert sorted(winners) in (
        ["approve"],
        ["grant_alternative"],
        ["cancel"],
        ["approve", "cancel"],
    ), counts
    p = ReturnProcedure.objects.get(pk=p.pk)
    (decision,) = ReturnDecision.objects.filter(procedure=p)
    left_decision = list(
        p.events.filter(from_state=ReturnState.DECISION)
        .exclude(to_state=ReturnState.DECISION)
        .values_list("transition", flat=True)
    )
    assert len(left_decision) == 1, left_decision
    expected = {
        "approve": (ReturnState.PREPARATION, "approved"),
        "grant_alternative": (ReturnState.ALTERNATIVE, "alternative"),
        "cancel": (ReturnState.CANCELLED, "cancelled"),
    }[left_decision[0]]
    assert decision.outcome == expected[1]
    if sorted(winners) == ["approve", "cancel"]:
        assert p.state == ReturnState.CANCELLED
        assert list(
            p.events.filter(from_state=ReturnState.PREPARATION)
            .exclude(to_state=ReturnState.PREPARATION)
            .values_list("transition", flat=True)
        ) == ["cancel"]
    else:
        assert p.state == expected[0]
    assert not p.events.filter(transition="blocked").exists()
