"""The returns corridor board and the statistics at a million cases: warm and cold.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_bench \
        .venv/bin/python bench/board.py --label 1m

In-process (Django's test `Client`, full request path, PostgreSQL), as a ministry official of the
home country's ministry (the board's and the statistics' audience: the figures of every
corridor and of every case identified in that country).

* warm: `--n` requests after `--warm` unmeasured ones; median and 95th percentile;
* cold: `--cold` times, the first request on a NEW database connection after this database's
  files were evicted from the operating system's page cache (posix_fadvise DONTNEED on the
  relation files, our database's only: the machine is shared, its cache is not dropped) and
  PostgreSQL's shared buffers were filled with another relation's pages (an index scan of the
  largest table of another kind). Needs to run as a user who may read PostgreSQL's data directory
  (root here); without it the cold figure is only "new connection".

Beside each figure, in bench/results/board-<label>-<variant>.txt, `EXPLAIN (ANALYZE, BUFFERS)` of
every query the request issued (run warm, after the measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")

sys.path.insert(0, str(ROOT / "bench"))
from inbox import explain, percentile  # noqa: E402

VARIANTS = [
    ("board-page", "/returns/board/"),
    ("board-api", "/api/return-board/"),
    # a filter the precomputed medians do not cover: medians computed at the request
    ("board-api-child", "/api/return-board/?age=child"),
    ("statistics-page", "/work/statistics/"),
    ("statistics-api", "/api/statistics/"),
    ("statistics-api-cases", "/api/statistics/?family=cases"),
    ("statistics-api-referrals", "/api/statistics/?family=referrals"),
    ("statistics-api-returns", "/api/statistics/?family=returns"),
    # a date range with ragged ends: whole years and months from the coarse rollup rows, the
    # days at either end from the day rows
    (
        "statistics-api-range",
        "/api/statistics/?date_from=2023-02-17&date_to=2025-08-09&period=month",
    ),
]
# The request runs its aggregates with these (concord.analytics); the plans are taken alike.
ANALYTIC = "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
WARM_TARGET_MS = 300
COLD_TARGET_MS = 1000


def ministry_user() -> Any:
    """A ministry official of the home country's (first) ministry."""
    from django.contrib.auth import get_user_model

    from coordination.models import Membership

    m = (
        Membership.objects.filter(
            role="ministry_official",
            is_active=True,
            organisation__kind="government_ministry",
            organisation__country_id="TH",
        )
        .order_by("organisation_id", "user_id")
        .first()
    )
    if m is None:
        sys.exit("no ministry official of a TH ministry: run bench/generate.py first")
    return get_user_model().objects.get(pk=m.user_id)


def evict(cursor: Any) -> str:
    """Evict this database's relation files from the OS page cache and flush shared buffers."""
    cursor.execute("SHOW data_directory")
    data_dir = Path(cursor.fetchone()[0])
    cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
    base = data_dir / "base" / str(cursor.fetchone()[0])
    evicted = 0
    try:
        for path in base.iterdir():
            if not path.name.split(".")[0].split("_")[0].isdigit():
                continue
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                evicted += 1
            finally:
                os.close(fd)
    except PermissionError:
        return "no access to the data directory: page cache NOT evicted"
    # Fill shared buffers with pages of another relation (an index scan reads through them;
    # a sequential scan would use a small ring and leave the buffers as they were).
    cursor.execute("SET enable_seqscan = off")
    cursor.execute("SET enable_bitmapscan = off")
    cursor.execute(
        "SELECT count(payload) FROM referrals_referralevent WHERE id BETWEEN 1 AND 400000"
    )
    cursor.execute("RESET enable_seqscan")
    cursor.execute("RESET enable_bitmapscan")
    # ... then evict that relation's files again, so only the buffers hold it.
    for path in base.iterdir():
        if path.name.split(".")[0].split("_")[0].isdigit():
            fd = os.open(path, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
    return f"{evicted} relation files evicted from the page cache, shared buffers refilled"


def run(label: str, n: int, warm: int, cold: int, only: list[str]) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from coordination.tests.factories import login_verified
    from workflows.cases.models import Case
    from workflows.referrals.models import Referral
    from workflows.returns.models import ReturnProcedure

    user = ministry_user()
    client = Client()
    login_verified(client, user)
    sizes = {
        "cases": Case.objects.count(),
        "referrals": Referral.objects.count(),
        "returns": ReturnProcedure.objects.count(),
    }
    print(f"[{label}] {sizes}; user {user.username}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"label": label, **sizes, "user": user.username, "variants": {}}
    # Warm the process first (imports, templates, URL resolver): "cold" is about the database.
    for name, url in VARIANTS:
        if not only or name in only:
            client.get(url)
    for name, url in VARIANTS:
        if only and name not in only:
            continue
        cold_times = []
        how = ""
        for _ in range(cold):
            connection.close()
            with connection.cursor() as cursor:
                how = evict(cursor)
            connection.close()
            t0 = time.perf_counter()
            response = client.get(url)
            cold_times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        for _ in range(warm):
            assert client.get(url).status_code == 200
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = list(ctx.captured_queries)
        db_ms = sum(float(q["time"]) for q in queries) * 1000
        result = {
            "url": url,
            "warm_median_ms": round(statistics.median(times), 1),
            "warm_p95_ms": round(percentile(times, 0.95), 1),
            "cold_ms": [round(t, 1) for t in cold_times],
            "cold_max_ms": round(max(cold_times), 1) if cold_times else None,
            "queries": len(queries),
            "db_ms_one_request": round(db_ms, 1),
            "cold_method": how,
        }
        figures["variants"][name] = result
        warm_ok = "met" if result["warm_p95_ms"] <= WARM_TARGET_MS else "MISSED"
        cold_ok = "met" if cold_times and result["cold_max_ms"] <= COLD_TARGET_MS else "MISSED"
        plans = explain(queries, ANALYTIC)
        path = RESULTS / f"board-{label}-{name}.txt"
        path.write_text(
            f"{label}: {url} as {user.username} (ministry official)\n{sizes}\n"
            f"warm median {result['warm_median_ms']} ms, p95 {result['warm_p95_ms']} ms over {n}"
            f" (target <= {WARM_TARGET_MS} ms: {warm_ok}); cold {result['cold_ms']} ms"
            f" (target <= {COLD_TARGET_MS} ms: {cold_ok}; {how});"
            f" {len(queries)} queries, {db_ms:.1f} ms in the database\n\n{plans}"
        )
        print(
            f"  {name:<26} warm median {result['warm_median_ms']:7.1f} p95"
            f" {result['warm_p95_ms']:7.1f} ms ({warm_ok})  cold max {result['cold_max_ms']} ms"
            f" ({cold_ok})  {len(queries)} queries  -> {path.relative_to(ROOT)}",
            flush=True,
        )
    suffix = "" if not only else "-partial"
    (RESULTS / f"board-{label}{suffix}.json").write_text(json.dumps(figures, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--n", type=int, default=30, help="measured warm requests per variant")
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--cold", type=int, default=2, help="cold requests per variant")
    parser.add_argument("--only", action="append", default=[], help="variant name (repeat)")
    args = parser.parse_args()
    run(args.label, args.n, args.warm, args.cold, args.only)


if __name__ == "__main__":
    main()
