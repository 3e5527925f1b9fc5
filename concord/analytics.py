"""Settings for the few read-only aggregate queries over whole tables (statistics, the corridor
board): they scan hundreds of thousands of rows once, where PostgreSQL's defaults are tuned for
the many small queries of the rest of Concord.

* `jit = off`: above jit_above_cost PostgreSQL compiles the query with LLVM first; measured at a
  million cases (bench/README.md) the compilation alone took 0.4 to 10 s of a statistics query, far
  more than it saved.
* `work_mem = 64MB`: grouping sets, medians and their sorts stay in memory instead of spilling to
  temporary files (the default 4 MB spilled 30-45 MB per query at a million referrals).

Both are set for the transaction only (`set_config(..., true)`, i.e. SET LOCAL): they end with
the transaction this opens (or the caller's, when called inside one), and never reach another
request's queries on a pooled connection. One query. Elsewhere than PostgreSQL: nothing to set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

ANALYTIC_WORK_MEM = "64MB"


@contextmanager
def analytic_queries() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:
        _set_local()
        yield
        return
    with transaction.atomic():
        _set_local()
        yield


def _set_local() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            [ANALYTIC_WORK_MEM],
        )
