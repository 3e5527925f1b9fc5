"""Run many calls at the same moment, each in its own thread with its own database connection.

    outcomes = at_once([lambda: referral_accept(referral=r, actor=u) for u in officers])
    assert [o.kind for o in outcomes].count("won") == 1

Each thread opens its connection first, then waits at a barrier, so every call reaches the
database together and the calls really contend for the row lock (a thread that had to connect
after the others finished would prove nothing). A refusal (ApplicationError, GuardFailed,
django-fsm's TransitionNotAllowed or ConcurrentTransition) is an outcome; anything else is an
"error" outcome carrying the exception, which a test reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from concord.errors import ApplicationError

BARRIER_TIMEOUT = 60.0


@dataclass
class Outcome:
    kind: str  # "won", "refused" or "error"
    value: Any = None  # the call's result when won
    code: str = ""  # the refusal's code
    exception: BaseException | None = None


def refusal_code(exc: BaseException) -> str:
    if isinstance(exc, ApplicationError):
        return exc.code
    if isinstance(exc, TransitionNotAllowed):
        return "transition_not_allowed"
    if isinstance(exc, ConcurrentTransition):
        return "conflict"
    return ""


def at_once(calls: Sequence[Callable[[], Any]]) -> list[Outcome]:
    """Run every call at once (one thread and one connection each); outcomes in call order."""
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            outcomes[index] = Outcome("won", value=call())
        except (ApplicationError, TransitionNotAllowed, ConcurrentTransition) as exc:
            outcomes[index] = Outcome("refused", code=refusal_code(exc), exception=exc)
        except BaseException as exc:  # noqa: BLE001 - reported to the test as an "error" outcome
            outcomes[index] = Outcome("error", exception=exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
    missing = [i for i, o in enumerate(outcomes) if o is None]
    assert not missing, f"calls {missing} did not finish"
    return [o for o in outcomes if o is not None]


def summary(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """{"won": 1, "refused:transition_not_allowed": 49} - readable in an assertion message."""
    counts: dict[str, int] = {}
    for o in outcomes:
        key = o.kind if o.kind == "won" else f"{o.kind}:{o.code or type(o.exception).__name__}"
        counts[key] = counts.get(key, 0) + 1
    return counts
