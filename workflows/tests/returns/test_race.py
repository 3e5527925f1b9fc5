"""Two officers act on the same procedure at once: exactly one transition wins (row lock +
django-fsm's ConcurrentTransitionMixin)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections

from concord.errors import GuardFailed
from workflows.models import ReturnProcedure, ReturnState
from workflows.services import returns as svc
from workflows.tests.returns.factories import (
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
