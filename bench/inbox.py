"""The referral inbox (page /referrals/ and API /api/referrals/) at the size of a data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_bench \
        .venv/bin/python bench/inbox.py --db 10k=concord_bench_10k --db 1m=concord_bench
    .venv/bin/python bench/inbox.py --compare 10k 1m      # the ratios again, from the JSON

In-process: Django's test `Client` drives the full request path (middleware, session and second
factor, view or DRF viewset, selector, template or serializer) against PostgreSQL, without a
socket, so the figure is Concord's own time, not a web server's. The user is a case officer of the
organisation at the same inbox rank in every data set (`--rank`, default 10: a busy but not the
busiest receiver), so every page holds the same 50 rows whatever the data set.

The data sets are measured in ONE process, alternately, in blocks of `--block` requests per
variant (the first `--warm` of each block unmeasured, so PostgreSQL's buffers and the new
connection are warm): the 2 shared cores carry other people's work, and alternating makes that
load weigh on both data sets alike. For each variant: median and 95th percentile over `--n`
requests, query count, and beside them, in
bench/results/inbox-<label>-<variant>.txt, `EXPLAIN (ANALYZE, BUFFERS)` of every query the
request issued. The "unfiltered" variants swap the selector for the same query without the
need-to-know filter (the visibility rows of every organisation, as a superuser-style list would
read them) - in this script only, the app has no such view.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")

VARIANTS = [
    # (name, url, need-to-know filter on?)
    ("page", "/referrals/", True),
    ("page-submitted", "/referrals/?state=submitted", True),
    ("api", "/api/referrals/", True),
    ("page-unfiltered", "/referrals/", False),
    ("api-unfiltered", "/api/referrals/", False),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def pick_user(rank: int) -> tuple[Any, int, int]:
    """A case officer of the organisation at inbox rank `rank` (1 = the busiest)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from coordination.models import Membership
    from workflows.referrals.models import ReferralVisibility

    ranked = list(
        ReferralVisibility.objects.filter(box="inbox")
        .values("organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation_id")[: rank + 1]
    )
    org_id, rows = ranked[rank - 1]["organisation_id"], ranked[rank - 1]["n"]
    membership = (
        Membership.objects.filter(organisation_id=org_id, role="case_officer", is_active=True)
        .order_by("user_id")
        .first()
    )
    if membership is None:
        sys.exit(f"organisation {org_id} has no case officer")
    return get_user_model().objects.get(pk=membership.user_id), org_id, rows


def unfiltered_referral_list(
    *,
    user: Any,
    box: str,
    state: str | None = None,
    urgency: str | None = None,
    overdue: bool = False,
) -> Any:
    """`referral_list` without the need-to-know filter (bench only): the same rows, ordering and
    related loads, for every organisation."""
    from workflows.cases.models import IDENTIFYING_FIELDS
    from workflows.referrals.models import ReferralVisibility

    rows = (
        ReferralVisibility.objects.filter(box=box)
        .select_related(
            "referral__case__owner",
            "referral__sender__country",
            "referral__receiver__country",
        )
        .defer(*(f"referral__case__{name}" for name in IDENTIFYING_FIELDS))
        .order_by("sort_at", "referral_id")
    )
    if state:
        rows = rows.filter(state=state)
    if urgency:
        rows = rows.filter(urgency=urgency)
    return rows


def explain(queries: list[dict[str, Any]], settings: str = "") -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of each SELECT, in one transaction that first runs `settings`
    (e.g. the SET LOCALs the request ran its queries with)."""
    from django.db import connection, transaction

    out = []
    with transaction.atomic(), connection.cursor() as cursor:
        if settings:
            cursor.execute(settings)
        for i, q in enumerate(queries, 1):
            sql = q["sql"]
            out.append(f"-- query {i} ({float(q['time']) * 1000:.2f} ms as run)\n{sql}\n")
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            out.append("\n".join(r[0] for r in cursor.fetchall()) + "\n")
    return "\n".join(out)


def use_database(name: str) -> None:
    """Point Django's default connection at another database of the same server."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name


class DataSet:
    """One database: its user, signed-in client and the timings gathered so far."""

    def __init__(self, label: str, db: str, rank: int) -> None:
        from django.db import connection
        from django.test import Client

        from coordination.tests.factories import login_verified
        from workflows.referrals.models import Referral, ReferralVisibility

        self.label, self.db = label, db
        use_database(db)
        self.user, self.org_id, self.inbox_rows = pick_user(rank)
        self.client = Client()
        login_verified(self.client, self.user)
        self.referrals = Referral.objects.count()
        self.visibility_rows = ReferralVisibility.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            self.postgres = cursor.fetchone()[0]
        self.times: dict[str, list[float]] = {name: [] for name, _u, _f in VARIANTS}
        print(
            f"[{label}] {self.referrals:,} referrals, {self.visibility_rows:,} visibility rows;"
            f" user {self.user.username} of organisation {self.org_id}"
            f" (inbox rank {rank}: {self.inbox_rows:,} rows)",
            flush=True,
        )


def _variant(filtered: bool) -> ExitStack:
    stack = ExitStack()
    if not filtered:
        for target in ("workflows.referrals.views", "workflows.referrals.api.views"):
            stack.enter_context(mock.patch(f"{target}.referral_list", unfiltered_referral_list))
    return stack


def run(dbs: list[tuple[str, str]], n: int, block: int, warm: int, rank: int) -> None:
    """Alternate the data sets in blocks of `block` requests per variant (the first `warm` of
    each block unmeasured), so that the load other processes put on the shared machine weighs on
    every data set alike."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sets = [DataSet(label, db, rank) for label, db in dbs]
    rounds = max(1, n // block)
    for r in range(rounds):
        for ds in sets:
            use_database(ds.db)
            for name, url, filtered in VARIANTS:
                with _variant(filtered):
                    for i in range(warm + block):
                        t0 = time.perf_counter()
                        response = ds.client.get(url)
                        took = (time.perf_counter() - t0) * 1000
                        assert response.status_code == 200, (url, response.status_code)
                        if i >= warm:
                            ds.times[name].append(took)
        print(f"  round {r + 1}/{rounds} done", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for ds in sets:
        use_database(ds.db)
        figures: dict[str, Any] = {
            "label": ds.label,
            "database": ds.db,
            "referrals": ds.referrals,
            "visibility_rows": ds.visibility_rows,
            "organisation": ds.org_id,
            "inbox_rows": ds.inbox_rows,
            "rank": rank,
            "n": rounds * block,
            "postgres": ds.postgres,
            "variants": {},
        }
        print(f"[{ds.label}]")
        for name, url, filtered in VARIANTS:
            with _variant(filtered), CaptureQueriesContext(connection) as ctx:
                response = ds.client.get(url)
            queries = list(ctx.captured_queries)
            plans = explain(queries)
            times = ds.times[name]
            result = {
                "url": url,
                "need_to_know_filter": filtered,
                "median_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 0.95), 2),
                "min_ms": round(min(times), 2),
                "queries": len(queries),
                "bytes": len(response.content),
            }
            figures["variants"][name] = result
            path = RESULTS / f"inbox-{ds.label}-{name}.txt"
            path.write_text(
                f"{ds.label}: {url} "
                f"({'need-to-know filter' if filtered else 'WITHOUT the need-to-know filter'})\n"
                f"{ds.referrals:,} referrals; organisation {ds.org_id} with {ds.inbox_rows:,}"
                f" inbox rows\nmedian {result['median_ms']} ms, p95 {result['p95_ms']} ms over"
                f" {len(times)} requests, {len(queries)} queries\n\n{plans}"
            )
            print(
                f"  {name:<18} median {result['median_ms']:7.2f} ms"
                f"  p95 {result['p95_ms']:7.2f} ms  {len(queries):2d} queries"
                f"  -> {path.relative_to(ROOT)}",
                flush=True,
            )
        (RESULTS / f"inbox-{ds.label}.json").write_text(json.dumps(figures, indent=2))
    if len(sets) == 2:
        compare(sets[0].label, sets[1].label)


def compare(small: str, large: str) -> None:
    a = json.loads((RESULTS / f"inbox-{small}.json").read_text())
    b = json.loads((RESULTS / f"inbox-{large}.json").read_text())
    print(f"p95 at {large} ({b['referrals']:,} referrals) against {small} ({a['referrals']:,}):")
    print(f"  {'variant':<18} {small + ' p95':>10} {large + ' p95':>10} {'ratio':>7}  target")
    for name, fig in b["variants"].items():
        base = a["variants"][name]["p95_ms"]
        ratio = fig["p95_ms"] / base
        target = "<= 1.10" if fig["need_to_know_filter"] else ""
        ok = "" if not target else ("met" if ratio <= 1.10 else "MISSED")
        print(f"  {name:<18} {base:10.2f} {fig['p95_ms']:10.2f} {ratio:7.2f}  {target} {ok}")
    for data in (a, b):
        for kind in ("page", "api"):
            f = data["variants"][kind]["p95_ms"]
            u = data["variants"][f"{kind}-unfiltered"]["p95_ms"]
            verdict = "met" if f <= 1.2 * u else "MISSED"
            print(
                f"  {data['label']} {kind}: filtered p95 {f:.2f} ms / unfiltered {u:.2f} ms"
                f" = {f / u:.2f} (target <= 1.20: {verdict})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="LABEL=DATABASE",
        help="a data set (repeat: 10k=concord_bench_10k 1m=concord_bench)",
    )
    parser.add_argument("--n", type=int, default=200, help="measured requests per variant")
    parser.add_argument("--block", type=int, default=10, help="requests per block")
    parser.add_argument("--warm", type=int, default=2, help="unmeasured requests per block")
    parser.add_argument("--rank", type=int, default=10, help="inbox rank of the organisation")
    parser.add_argument("--compare", nargs=2, metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    if not args.db:
        sys.exit("--db LABEL=DATABASE (once per data set) or --compare SMALL LARGE")
    dbs = [tuple(item.split("=", 1)) for item in args.db]
    run(dbs, args.n, args.block, args.warm, args.rank)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
