"""Facts remembered for the length of one request, and never longer.

A page or API request asks the same question several times (which organisations does this user act
for? — once to authenticate the second factor, once to find the object, once inside the service's
transaction, once to build the response). `RequestMemoMiddleware` opens a fresh memo for each
request and drops it when the response is returned; `remember(key, compute)` answers from it
inside a request and simply computes outside one (services called by celery tasks, channels
consumers, the shell, tests calling a service directly), so a long-lived process or a websocket
that lives for hours never keeps an answer from an earlier moment.

A service that changes what a remembered answer depends on calls `forget(key)` so the rest of the
same request reads the new state.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("concord_request_memo", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """A fresh memo for the code inside; the outer one (if any) is restored on the way out."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember[T](key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def forget(key: Hashable) -> None:
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)
