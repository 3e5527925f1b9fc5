"""Fill a PostgreSQL database with a realistic national data set, in minutes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_bench \
        .venv/bin/python bench/generate.py --recreate            # 1 M cases, 2 M referrals
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_bench_10k \
        .venv/bin/python bench/generate.py --recreate --scale 0.005   # 10 000 referrals

At scale 1: 1,000 organisations (each with its access group and services), 20,000 users with
memberships (and their group rows), 1,000,000 cases (identifying fields hold real Fernet
ciphertext: a small pool of values is encrypted once with the configured keys and reused) with
their consent and event rows, 2,000,000 referrals with exactly what the referral services leave
behind (workflows/referrals/services.py): the event rows of every transition on the referral's
path, the keyed `ReferralVisibility` rows (outbox for the sender, inbox for the receiver once
submitted), the guardian direct-FK grants (`ReferralGroupObjectPermission`: summary to the sender,
summary + act to the receiver, act taken back on decline/withdrawal;
`CaseGroupObjectPermission`: case summary to a receiver of a live referral, details once accepted
where the person's consent covers identifying details) and the requested service; 50,000 return
procedures with their steps, participants, grants, monitoring visits and events.

Organisations, users, cases and referrals are not sent one by one through the ORM: every table is
one `INSERT ... SELECT ... FROM generate_series` computed in the server, with deterministic
pseudo-random values (hashes of the row number, so two runs give the same data). The large tables'
secondary indexes and foreign keys are dropped for the load and recreated afterwards (the usual
bulk-load practice), then everything is ANALYZEd. Orgs and users do not scale: a country's
directory is the same whatever the volume of cases.

Receivers and case holders are skewed (log-uniform, like Zipf with s=1): a few organisations are
very busy, most see little; `bench/inbox.py` picks the organisation of the same inbox rank in
every data set, so a page holds the same number of rows at 10 k and at 1 M.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")

# Ids of generated rows start here, far above the reference data the migrations load.
ORG_BASE = 100_000
GROUP_BASE = 100_000
USER_BASE = 100_000
CASE_BASE = 0
REFERRAL_BASE = 0
RETURN_BASE = 0

HOME = "TH"  # the national data set: a destination country and its neighbours
NEIGHBOURS = ["KH", "MM", "LA", "VN", "MY"]
MEMBERS_PER_ORG = 20

# Kinds of organisation in the national directory, with their weight and services.
KINDS: list[tuple[str, int, list[str]]] = [
    ("ngo", 30, ["shelter", "psychosocial", "legal_aid", "reintegration"]),
    ("social_services", 15, ["shelter", "psychosocial", "financial_support", "family_tracing"]),
    ("law_enforcement", 15, ["identification", "investigation"]),
    ("health", 8, ["medical", "psychosocial"]),
    ("child_protection", 6, ["child_protection", "shelter", "family_tracing"]),
    ("labour_inspectorate", 5, ["identification", "employment"]),
    ("immigration", 5, ["residence_permits", "travel_documents", "identification"]),
    ("government_ministry", 5, ["return_assistance", "travel_documents"]),
    ("prosecution_judiciary", 4, ["legal_aid", "investigation"]),
    ("international_organisation", 3, ["return_assistance", "reintegration", "interpretation"]),
    ("asylum_authority", 2, ["asylum_procedure"]),
    ("trade_union", 2, ["employment", "legal_aid"]),
]
# Who holds cases (registers them at first contact) and who receives referrals.
HOLDER_KINDS = {"law_enforcement", "social_services", "ngo", "child_protection",
                "labour_inspectorate", "immigration"}  # fmt: skip
RECEIVER_KINDS = {
    "ngo",
    "social_services",
    "health",
    "child_protection",
    "international_organisation",
    "prosecution_judiciary",
    "law_enforcement",
}

# The big tables: their secondary indexes and constraints are dropped for the load.
BIG_TABLES = [
    "cases_case",
    "cases_caseevent",
    "cases_consent",
    "cases_casegroupobjectpermission",
    "referrals_referral",
    "referrals_referral_services",
    "referrals_referralevent",
    "referrals_referralvisibility",
    "referrals_referralgroupobjectpermission",
    "returns_returnprocedure",
    "returns_returnstep",
    "returns_returnparticipant",
    "returns_returnproceduregroupobjectpermission",
    "returns_returnevent",
    "returns_monitoringvisit",
    "auth_user",
    "auth_user_groups",
    "coordination_membership",
]

POOL_SIZE = 64
GIVEN = ["Mya", "Sokha", "Nguyen Thi", "Aung", "Dara", "Somchai", "Lan", "Bopha", "Thida", "Kyaw"]
FAMILY = ["Win", "Chan", "Tran", "Phan", "Sok", "Khin", "Vong", "Lim", "Saelee", "Htet"]


def log(msg: str) -> None:
    print(msg, flush=True)


ROWS = [0]
N_ORG = [1000]


def ex(cur: Any, sql: str, params: Any = None) -> None:
    """Execute and count the rows written (for the timings)."""
    cur.execute(sql, params)
    ROWS[0] += max(cur.rowcount, 0)


@contextmanager
def timed(label: str, cur: Any = None, table: str | None = None) -> Any:
    """Print how long the block took and how many rows it wrote."""
    ROWS[0] = 0
    t0 = time.perf_counter()
    yield
    elapsed = time.perf_counter() - t0
    rows = f"{ROWS[0]:>12,} rows" if table else ""
    log(f"  {label:<66} {elapsed:8.1f} s {rows}")


def pool(encrypt: Any) -> dict[str, list[str]]:
    """A few distinct values per identifying field, each encrypted once (real ciphertext)."""
    out: dict[str, list[str]] = {k: [] for k in ("given", "family", "alias", "dob", "contact",
                                                  "doc", "address")}  # fmt: skip
    for i in range(POOL_SIZE):
        out["given"].append(encrypt(GIVEN[i % len(GIVEN)] + (f" {i}" if i >= 10 else "")))
        out["family"].append(encrypt(FAMILY[(i * 7) % len(FAMILY)]))
        out["alias"].append(encrypt(f"alias-{i}"))
        out["dob"].append(encrypt(f"{1980 + i % 30}-{1 + i % 12:02d}-{1 + i % 28:02d}"))
        out["contact"].append(encrypt(f"+66 8{i:02d} 555 {1000 + i}"))
        out["doc"].append(encrypt(f"P{7_000_000 + i * 37}"))
        out["address"].append(encrypt(f"{i} Soi Bench, Bangkok"))
    return out


def capture_and_drop(cur: Any, tables: list[str]) -> list[str]:
    """Drop the tables' foreign keys, unique constraints and secondary indexes (primary keys
    stay); return the statements that recreate them, in order."""
    recreate_idx: list[str] = []
    recreate_con: list[str] = []
    for t in tables:
        cur.execute(
            """SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
               WHERE conrelid = %s::regclass AND contype IN ('f', 'u')""",
            [t],
        )
        for name, definition, _kind in cur.fetchall():
            recreate_con.append(f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {definition}')
            cur.execute(f'ALTER TABLE {t} DROP CONSTRAINT "{name}"')
        cur.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [t],
        )
        for name, definition in cur.fetchall():
            recreate_idx.append(definition)
            cur.execute(f"DROP INDEX {name}")
    return recreate_idx + recreate_con


def recreate_db(url: str, template: str | None) -> None:
    """Drop and create the database (from a migrated, empty template if given: saves the two
    minutes `migrate` takes from scratch on a shared machine)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')
    log(f"database {name} recreated" + (f" from {template}" if template else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="1 = 1 M cases / 2 M referrals / 50 k returns; 0.005 = 10 k referrals",
    )
    parser.add_argument("--recreate", action="store_true",
                        help="drop and create the database, then migrate")  # fmt: skip
    parser.add_argument("--template", help="with --recreate: copy this migrated, empty database")
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--users", type=int, default=20_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database to fill (e.g. .../concord_bench).")
    if args.recreate:
        recreate_db(url, args.template)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from concord.fields import encrypt_str

    t_all = time.perf_counter()
    with timed("migrate"):
        call_command("migrate", verbosity=0)
    n_org = args.orgs
    N_ORG[0] = n_org
    n_user = args.users
    n_case = max(10, int(1_000_000 * args.scale))
    n_ref = max(10, int(2_000_000 * args.scale))
    n_ret = max(5, int(50_000 * args.scale))
    log(f"scale {args.scale}: {n_org} organisations, {n_user} users, {n_case:,} cases, "
        f"{n_ref:,} referrals, {n_ret:,} returns")  # fmt: skip

    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM referrals_referral")
        if cur.fetchone()[0]:
            sys.exit("The database already holds referrals: use --recreate.")
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET work_mem = '256MB'")
        # u(i, seed): a deterministic pseudo-random number in [0, 1) for row i.
        cur.execute(
            """CREATE FUNCTION pg_temp.u(bigint, int) RETURNS float8 AS
               $$ SELECT (hashint8extended($1, $2) & 2147483647)::float8 / 2147483648.0 $$
               LANGUAGE sql IMMUTABLE PARALLEL SAFE"""
        )
        cur.execute(
            """SELECT codename, id FROM auth_permission WHERE content_type_id IN
               (SELECT id FROM django_content_type
                WHERE app_label IN ('cases', 'referrals', 'returns'))"""
        )
        perm = dict(cur.fetchall())
        with timed("drop secondary indexes and constraints of the big tables"):
            recreate = capture_and_drop(cur, BIG_TABLES)
        conn.commit()

        load_directory(cur, n_org, n_user, make_password("concord-bench-2026"))
        conn.commit()
        with timed("encrypt the pool of identifying values"):
            enc = pool(encrypt_str)
        load_cases(cur, n_case, enc)
        conn.commit()
        load_referrals(cur, n_ref, n_case, perm)
        conn.commit()
        load_returns(cur, n_ret, perm)
        conn.commit()

        with timed(f"recreate {len(recreate)} indexes and constraints"):
            for statement in recreate:
                t0 = time.perf_counter()
                cur.execute(statement)
                conn.commit()
                took = time.perf_counter() - t0
                if took > 5:
                    log(f"    {took:6.1f} s  {statement[:100]}")
        for table, column in [
            ("coordination_organisation", "id"),
            ("auth_group", "id"),
            ("auth_user", "id"),
            ("cases_case", "id"),
            ("referrals_referral", "id"),
            ("returns_returnprocedure", "id"),
        ]:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT max({column}) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        with timed("VACUUM ANALYZE"):
            cur.execute("VACUUM ANALYZE")
        cur.execute(
            """SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid))
               FROM pg_stat_user_tables WHERE n_live_tup > 1000 AND relname NOT LIKE 'bench%'
               ORDER BY n_live_tup DESC"""
        )
        log("tables:")
        for name, rows, size in cur.fetchall():
            log(f"  {name:<50} {rows:>12,} rows {size:>10}")
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        log(f"database size {cur.fetchone()[0]}")
    log(f"total {time.perf_counter() - t_all:.0f} s")


def load_directory(cur: Any, n_org: int, n_user: int, password: str) -> None:
    """Organisations (85 % in the home country), their groups and services; users, memberships
    and group rows (each organisation's members are in its group, as _sync_group keeps them)."""
    import random

    rng = random.Random(2026)
    weighted = [k for k, w, _s in KINDS for _ in range(w)]
    orgs = []
    # Two ministries and two immigration offices in every country of the region first: the return
    # authorities on both sides of every corridor.
    fixed = [(c, k) for c in [HOME, *NEIGHBOURS] for k in ("government_ministry", "immigration")]
    for i in range(n_org):
        if i < len(fixed):
            country, kind = fixed[i]
        else:
            kind = rng.choice(weighted)
            country = HOME if rng.random() < 0.85 else rng.choice(NEIGHBOURS)
        orgs.append((i, ORG_BASE + i, GROUP_BASE + i, kind, country))
    services = {k: s for k, _w, s in KINDS}
    with timed("organisations, groups, services", cur, "coordination_organisation"):
        ex(
            cur,
            "CREATE TEMP TABLE bench_org (k int, id bigint, group_id int, kind text, country text)",
        )
        with cur.copy("COPY bench_org FROM STDIN") as copy:
            for row in orgs:
                copy.write_row(row)
        cur.execute(
            "INSERT INTO auth_group (id, name) SELECT group_id, 'org:' || id FROM bench_org"
        )
        ex(
            cur,
            """INSERT INTO coordination_organisation (id, name, acronym, kind, mandate,
               areas_of_operation, website, contact_email, contact_phone, contact_address,
               emergency_phone, is_active, created_at, country_id, group_id, represents_country_id)
               SELECT id, initcap(replace(kind, '_', ' ')) || ' ' || country || ' ' || k,
                      'B' || k, kind, '', '', '', 'org' || k || '@bench.invalid', '', '', '',
                      true, now() - interval '6 years', country, group_id, NULL
               FROM bench_org""",
        )
        cur.execute("CREATE TEMP TABLE bench_kind_service (kind text, service text, pos int)")
        with cur.copy("COPY bench_kind_service FROM STDIN") as copy:
            for kind, codes in services.items():
                for pos, code in enumerate(codes):
                    copy.write_row((kind, code, pos))
        ex(
            cur,
            """INSERT INTO coordination_organisation_services (organisation_id, service_id)
               SELECT o.id, s.service FROM bench_org o JOIN bench_kind_service s USING (kind)""",
        )
    with timed("users, memberships, group rows", cur, "auth_user"):
        # User n belongs to organisation n % n_org; its role follows n // n_org (0-9 case
        # officers, 10-11 supervisors, 12 organisation admin, 13-14 coordinators, 15 auditor,
        # 16+ ministry officials in ministries, case officers elsewhere).
        ex(
            cur,
            f"""INSERT INTO auth_user (id, password, last_login, is_superuser, username,
                first_name, last_name, email, is_staff, is_active, date_joined)
                SELECT {USER_BASE} + n, %s, NULL, false, 'bench_u' || n, '', '',
                       'u' || n || '@bench.invalid', false, true, now() - interval '5 years'
                FROM generate_series(0, {n_user - 1}) n""",
            [password],
        )
        ex(
            cur,
            f"""INSERT INTO coordination_membership (role, can_sign_agreements, title, is_active,
                created_at, user_id, organisation_id)
                SELECT CASE
                         WHEN n / {n_org} < 10 THEN 'case_officer'
                         WHEN n / {n_org} < 12 THEN 'supervisor'
                         WHEN n / {n_org} = 12 THEN 'organisation_admin'
                         WHEN n / {n_org} < 15 THEN 'coordinator'
                         WHEN n / {n_org} = 15 THEN 'auditor'
                         WHEN o.kind = 'government_ministry' THEN 'ministry_official'
                         ELSE 'case_officer' END,
                       n / {n_org} = 11, '', true, now() - interval '5 years',
                       {USER_BASE} + n, o.id
                FROM generate_series(0, {n_user - 1}) n
                JOIN bench_org o ON o.k = mod(n, {n_org})""",
        )
        ex(
            cur,
            f"""INSERT INTO auth_user_groups (user_id, group_id)
                SELECT {USER_BASE} + n, o.group_id
                FROM generate_series(0, {n_user - 1}) n
                JOIN bench_org o ON o.k = mod(n, {n_org})""",
        )
        # Arrays the row generators index into: holders and receivers in a shuffled order (the
        # log-uniform pick then makes the first few very busy).
        ex(cur, "CREATE TEMP TABLE bench_pick (role text, pos int, k int, id bigint, group_id int)")
        holders = [o for o in orgs if o[3] in HOLDER_KINDS]
        receivers = [o for o in orgs if o[3] in RECEIVER_KINDS]
        rng.shuffle(holders)
        rng.shuffle(receivers)
        with cur.copy("COPY bench_pick FROM STDIN") as copy:
            for role, rows in (("holder", holders), ("receiver", receivers)):
                for pos, o in enumerate(rows, start=1):
                    copy.write_row((role, pos, o[0], o[1], o[2]))


def load_cases(cur: Any, n_case: int, enc: dict[str, list[str]]) -> None:
    cur.execute("SELECT count(*) FROM bench_pick WHERE role = 'holder'")
    n_holder = cur.fetchone()[0]
    forms = ["sexual_exploitation", "forced_labour", "domestic_servitude", "forced_begging",
             "debt_bondage", "forced_criminality", "forced_marriage", "other"]  # fmt: skip
    nationalities = [HOME] * 11 + ["MM"] * 4 + ["KH"] * 3 + ["LA"] * 2 + ["VN"] * 2 + ["MY"]
    with timed("cases (7 encrypted fields each, from the pool)", cur, "cases_case"):
        cur.execute(
            f"""CREATE TEMP TABLE bench_case_owner AS
                SELECT i, p.id AS owner_id, p.k FROM generate_series(1, {n_case}) i
                JOIN bench_pick p ON p.role = 'holder'
                 AND p.pos = 1 + floor(exp(pg_temp.u(i, 1) * ln({n_holder})))::int - 1 + 0"""
        )
        ex(
            cur,
            f"""INSERT INTO cases_case (id, reference, created_at, updated_at, given_names,
                family_name, aliases, date_of_birth, contacts, identity_documents, address, gender,
                age_group, age_band, minor_status, identified_on, exploitation_forms,
                methods_of_control, methods_of_recruitment, asylum_status, special_needs,
                preferred_language, interpreter_needed, identification_state, status, closed_at,
                anonymised_at, country_of_identification_id, created_by_id, nationality_id,
                owner_id)
            SELECT {CASE_BASE} + i,
                   'C-' || to_char(t.created, 'YYYY') || '-B' || lpad(i::text, 8, '0'),
                   t.created, t.created + interval '3 days',
                   (%(given)s::text[])[1 + mod(i, {POOL_SIZE})],
                   (%(family)s::text[])[1 + mod(i / 7, {POOL_SIZE})],
                   CASE WHEN pg_temp.u(i, 2) < 0.3 THEN (%(alias)s::text[])[1 + mod(i, {POOL_SIZE})]
                        ELSE '' END,
                   (%(dob)s::text[])[1 + mod(i / 3, {POOL_SIZE})],
                   CASE WHEN pg_temp.u(i, 3) < 0.6
                        THEN (%(contact)s::text[])[1 + mod(i / 5, {POOL_SIZE})] ELSE '' END,
                   CASE WHEN pg_temp.u(i, 4) < 0.5
                        THEN (%(doc)s::text[])[1 + mod(i / 11, {POOL_SIZE})] ELSE '' END,
                   CASE WHEN pg_temp.u(i, 5) < 0.4
                        THEN (%(address)s::text[])[1 + mod(i / 13, {POOL_SIZE})] ELSE '' END,
                   CASE WHEN g < 0.55 THEN 'Female' WHEN g < 0.95 THEN 'Male'
                        WHEN g < 0.97 THEN 'TransgenderNonConforming' ELSE 'Unknown' END,
                   CASE WHEN m < 0.15 THEN 'child' WHEN m < 0.20 THEN 'unknown' ELSE 'adult' END,
                   CASE WHEN m < 0.04 THEN '0-8' WHEN m < 0.15 THEN '9-17'
                        WHEN m < 0.20 THEN 'unknown' WHEN m < 0.35 THEN '18-20'
                        WHEN m < 0.50 THEN '21-23' WHEN m < 0.62 THEN '24-26'
                        WHEN m < 0.72 THEN '27-29' WHEN m < 0.85 THEN '30-38'
                        WHEN m < 0.95 THEN '39-47' ELSE '48+' END,
                   CASE WHEN m < 0.15 THEN 'known_child' WHEN m < 0.20 THEN 'presumed_child'
                        ELSE 'adult' END,
                   t.created::date,
                   CASE WHEN pg_temp.u(i, 7) < 0.25
                        THEN jsonb_build_array((%(forms)s::text[])[1 + mod(i, 8)],
                                               (%(forms)s::text[])[1 + mod(i + 3, 8)])
                        ELSE jsonb_build_array((%(forms)s::text[])[1 + mod(i / 3, 8)]) END,
                   '["Threats", "WithholdsDocuments"]'::jsonb, '["JobOffer"]'::jsonb,
                   CASE WHEN pg_temp.u(i, 8) < 0.04 THEN 'applied' ELSE 'none' END,
                   '[]'::jsonb, '', pg_temp.u(i, 9) < 0.4,
                   CASE WHEN s < 0.10 THEN 'first_contact' WHEN s < 0.45 THEN 'presumed_victim'
                        WHEN s < 0.80 THEN 'identified' WHEN s < 0.92 THEN 'confirmed'
                        ELSE 'not_identified' END,
                   CASE WHEN c < 0.40 THEN 'Active' WHEN c < 0.55 THEN 'FollowUp'
                        WHEN c < 0.90 THEN 'Closed' ELSE 'ClosedReferred' END,
                   CASE WHEN c >= 0.55 THEN t.created + interval '200 days' END,
                   NULL, o.country, {USER_BASE} + o.k + {N_ORG[0]} * mod(i, 10)::int,
                   CASE WHEN pg_temp.u(i, 10) < 0.02 THEN NULL
                        WHEN o.country <> '{HOME}' THEN o.country
                        ELSE (%(nat)s::text[])[1 + floor(pg_temp.u(i, 11) * 23)::int] END,
                   o.id
            FROM bench_case_owner b
            JOIN bench_org o ON o.id = b.owner_id,
            LATERAL (SELECT now() - pg_temp.u(i, 12) * interval '5 years' AS created,
                            pg_temp.u(i, 13) AS g, pg_temp.u(i, 14) AS m,
                            pg_temp.u(i, 15) AS s, pg_temp.u(i, 16) AS c) t""",
            {**enc, "forms": forms, "nat": nationalities},
        )
    with timed("consents (one per case; 70 % cover identifying details)", cur,
               "cases_consent"):  # fmt: skip
        ex(
            cur,
            f"""INSERT INTO cases_consent (categories, purposes, organisation_kinds, given_on,
                informed_orally, informed_in_writing, language, interpreter_used, recorded_at,
                withdrawn_at, case_id, recorded_by_id, withdrawn_by_id)
                SELECT CASE WHEN pg_temp.u(c.id, 17) < 0.7
                            THEN '["summary", "identifying_details"]'::jsonb
                            ELSE '["summary"]'::jsonb END,
                       '["assistance", "referral"]'::jsonb,
                       '["ngo", "social_services", "health", "child_protection",
                         "international_organisation", "prosecution_judiciary",
                         "law_enforcement"]'::jsonb,
                       c.identified_on, true, true, 'th', false, c.created_at, NULL, c.id,
                       c.created_by_id, NULL
                FROM cases_case c WHERE c.id > {CASE_BASE}""",
        )
    with timed("case events (register + identification path + close)", cur,
               "cases_caseevent"):  # fmt: skip
        path = [
            ("register", "", "first_contact", "true", "0"),
            ("presume", "first_contact", "presumed_victim",
             "identification_state <> 'first_contact'", "1"),
            ("identify", "presumed_victim", "identified",
             "identification_state IN ('identified', 'confirmed')", "2"),
            ("confirm", "identified", "confirmed", "identification_state = 'confirmed'", "3"),
            ("rule_out", "presumed_victim", "not_identified",
             "identification_state = 'not_identified'", "2"),
            ("close", "", "", "closed_at IS NOT NULL", "4"),
        ]  # fmt: skip
        for name, before, after, where, hours in path:
            payload = (
                "jsonb_build_object('minor_status', minor_status, 'exploitation_forms', "
                "exploitation_forms)"
                if name == "register"
                else "'{}'::jsonb"
            )
            when = "closed_at" if name == "close" else f"created_at + interval '{hours} days'"
            ex(
                cur,
                f"""INSERT INTO cases_caseevent (occurred_at, transition, from_state,
                    to_state, reason, payload, actor_id, case_id)
                    SELECT {when}, %s, %s, %s, '', {payload}, created_by_id, id
                    FROM cases_case WHERE {where}""",
                [name, before, after],
            )


REFERRAL_STATES = [  # (state, cumulative share)
    ("draft", 0.02),
    ("submitted", 0.10),
    ("information_requested", 0.12),
    ("accepted", 0.22),
    ("declined", 0.30),
    ("in_progress", 0.45),
    ("completed", 0.97),
    ("withdrawn", 1.0),
]
OPEN_STATES = ("draft", "submitted", "information_requested", "accepted", "in_progress")


def load_referrals(cur: Any, n_ref: int, n_case: int, perm: dict[str, int]) -> None:
    cur.execute("SELECT count(*) FROM bench_pick WHERE role = 'receiver'")
    n_recv = cur.fetchone()[0]
    state_case = " ".join(f"WHEN x.st < {share} THEN '{s}'" for s, share in REFERRAL_STATES)
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATES)
    with timed("referrals", cur, "referrals_referral"):
        cur.execute(
            f"""CREATE TEMP TABLE bench_ref AS
                SELECT j, {CASE_BASE} + 1 + floor(pg_temp.u(j, 21) * {n_case})::bigint AS case_id,
                       1 + floor(exp(pg_temp.u(j, 22) * ln({n_recv})))::int - 1 AS rpos,
                       CASE {state_case} END AS state,
                       pg_temp.u(j, 24) AS ur, pg_temp.u(j, 25) AS t1, pg_temp.u(j, 26) AS t2
                FROM generate_series(1, {n_ref}) j,
                LATERAL (SELECT pg_temp.u(j, 23) AS st) x"""
        )
        ex(
            cur,
            f"""INSERT INTO referrals_referral (id, created_at, urgency, needs, state,
                submitted_at, deadline, answered_at, completed_at, escalated_at, decline_reason,
                is_child_protection_referral, case_id, created_by_id, legal_basis_id, receiver_id,
                sender_id)
            SELECT {REFERRAL_BASE} + b.j, t.created, t.urgency,
                   'Needs shelter, medical care and legal aid.', b.state,
                   CASE WHEN b.state <> 'draft' THEN t.created + interval '1 hour' END,
                   CASE WHEN b.state <> 'draft' THEN t.created + interval '1 hour' + t.allowed END,
                   CASE WHEN b.state IN ('accepted', 'declined', 'in_progress', 'completed')
                        THEN t.created + interval '1 hour' + t.allowed * b.t2 * 1.5 END,
                   CASE WHEN b.state = 'completed' THEN t.created + interval '40 days' END,
                   CASE WHEN b.state = 'submitted' AND b.t2 < 0.05
                        THEN t.created + interval '1 hour' + t.allowed END,
                   CASE WHEN b.state = 'declined' THEN 'no_capacity' ELSE '' END,
                   t.child, c.id, c.created_by_id, NULL, r.id, c.owner_id
            FROM bench_ref b
            JOIN cases_case c ON c.id = b.case_id
            JOIN bench_pick r1 ON r1.role = 'receiver' AND r1.pos = b.rpos
            JOIN bench_pick r ON r.role = 'receiver'
             AND r.pos = CASE WHEN r1.id = c.owner_id THEN mod(b.rpos, {n_recv}) + 1
                              ELSE b.rpos END,
            LATERAL (
              SELECT greatest(c.created_at + interval '1 hour',
                              CASE WHEN b.state IN ({open_list})
                                   THEN now() - b.t1 * interval '60 days'
                                   ELSE least(c.created_at + b.t1 * interval '30 days',
                                              now() - interval '61 days') END) AS created,
                     CASE WHEN c.minor_status <> 'adult' AND b.ur < 0.5 THEN 'emergency'
                          WHEN b.ur < 0.10 THEN 'emergency' WHEN b.ur < 0.35 THEN 'urgent'
                          ELSE 'routine' END AS urgency,
                     CASE WHEN c.minor_status <> 'adult' AND b.ur < 0.5 OR b.ur < 0.10
                          THEN interval '4 hours' WHEN b.ur < 0.35 THEN interval '24 hours'
                          ELSE interval '120 hours' END AS allowed,
                     c.minor_status <> 'adult' AND b.ur < 0.5 AS child
            ) t""",
        )
    with timed("referral services (one the receiver offers)", cur,
               "referrals_referral_services"):  # fmt: skip
        ex(
            cur,
            """INSERT INTO referrals_referral_services (referral_id, service_id)
               SELECT r.id, s.service FROM referrals_referral r
               JOIN bench_org o ON o.id = r.receiver_id
               JOIN bench_kind_service s ON s.kind = o.kind AND s.pos = 0""",
        )
    with timed("referral events (every transition on the path)", cur,
               "referrals_referralevent"):  # fmt: skip
        path = [  # (transition, from, to, which referrals, when)
            ("create", "", "draft", "true", "created_at"),
            ("submit", "draft", "submitted", "state <> 'draft'", "submitted_at"),
            ("request_information", "submitted", "information_requested",
             "state = 'information_requested'", "submitted_at + interval '2 hours'"),
            ("accept", "submitted", "accepted",
             "state IN ('accepted', 'in_progress', 'completed')", "answered_at"),
            ("decline", "submitted", "declined", "state = 'declined'", "answered_at"),
            ("start", "accepted", "in_progress", "state IN ('in_progress', 'completed')",
             "answered_at + interval '1 day'"),
            ("complete", "in_progress", "completed", "state = 'completed'", "completed_at"),
            ("withdraw", "submitted", "withdrawn", "state = 'withdrawn'",
             "submitted_at + interval '3 hours'"),
            ("escalate", "submitted", "submitted", "escalated_at IS NOT NULL", "escalated_at"),
        ]  # fmt: skip
        for name, before, after, where, when in path:
            payload = {
                "create": "jsonb_build_object('receiver', receiver_id)",
                "submit": "jsonb_build_object('urgency', urgency, 'deadline', deadline)",
                "accept": "jsonb_build_object('details_shared', true)",
                "decline": "jsonb_build_object('decline_reason', decline_reason)",
            }.get(name, "'{}'::jsonb")
            ex(
                cur,
                f"""INSERT INTO referrals_referralevent (occurred_at, transition, from_state,
                    to_state, reason, payload, actor_id, referral_id)
                    SELECT {when}, %s, %s, %s, '', {payload},
                           CASE WHEN %s IN ('create', 'submit', 'withdraw') THEN created_by_id END,
                           id
                    FROM referrals_referral WHERE {where}""",
                [name, before, after, name],
            )
    with timed("referral visibility rows (outbox + inbox)", cur,
               "referrals_referralvisibility"):  # fmt: skip
        ex(
            cur,
            """INSERT INTO referrals_referralvisibility (box, sort_at, state, urgency,
               organisation_id, referral_id)
               SELECT 'outbox', coalesce(deadline, created_at), state, urgency, sender_id, id
               FROM referrals_referral""",
        )
        ex(
            cur,
            """INSERT INTO referrals_referralvisibility (box, sort_at, state, urgency,
               organisation_id, referral_id)
               SELECT 'inbox', coalesce(deadline, created_at), state, urgency, receiver_id, id
               FROM referrals_referral WHERE state <> 'draft'""",
        )
    with timed("referral grants (summary to both, act to a live receiver)", cur,
               "referrals_referralgroupobjectpermission"):  # fmt: skip
        summary, act = perm["view_referral_summary"], perm["act_on_referral"]
        ex(
            cur,
            f"""INSERT INTO referrals_referralgroupobjectpermission (content_object_id, group_id,
                permission_id)
                SELECT r.id, o.group_id, {summary} FROM referrals_referral r
                JOIN bench_org o ON o.id = r.sender_id
                UNION ALL
                SELECT r.id, o.group_id, p.perm FROM referrals_referral r
                JOIN bench_org o ON o.id = r.receiver_id
                CROSS JOIN (VALUES ({summary}), ({act})) p(perm)
                WHERE r.state <> 'draft'
                  AND (p.perm = {summary} OR r.state NOT IN ('declined', 'withdrawn'))""",
        )
    with timed("case grants (summary to live receivers, details once accepted + consent)", cur,
               "cases_casegroupobjectpermission"):  # fmt: skip
        ex(
            cur,
            f"""INSERT INTO cases_casegroupobjectpermission (content_object_id, group_id,
                permission_id)
                SELECT DISTINCT r.case_id, o.group_id, {perm["view_case_summary"]}
                FROM referrals_referral r JOIN bench_org o ON o.id = r.receiver_id
                WHERE r.state NOT IN ('draft', 'declined', 'withdrawn')
                  AND r.receiver_id <> r.sender_id
                UNION
                SELECT DISTINCT r.case_id, o.group_id, {perm["view_case_details"]}
                FROM referrals_referral r JOIN bench_org o ON o.id = r.receiver_id
                JOIN cases_consent c ON c.case_id = r.case_id
                WHERE r.state IN ('accepted', 'in_progress', 'completed')
                  AND r.receiver_id <> r.sender_id
                  AND c.categories ? 'identifying_details'""",
        )


RETURN_STATES = [  # (state, cumulative share, number of step rows)
    ("requested", 0.05, 1),
    ("risk_assessment", 0.13, 2),
    ("decision", 0.18, 3),
    ("preparation", 0.25, 4),
    ("travel", 0.27, 5),
    ("handed_over", 0.30, 6),
    ("monitoring", 0.45, 7),
    ("closed", 0.90, 7),
    ("alternative", 0.95, 3),
    ("cancelled", 1.0, 2),
]
STEPS = ["requested", "risk_assessment", "decision", "preparation", "travel", "handed_over",
         "monitoring"]  # fmt: skip
STEP_TRANSITION = ["request", "start_assessment", "submit_for_decision", "approve", "depart",
                   "hand_over", "start_monitoring"]  # fmt: skip


def load_returns(cur: Any, n_ret: int, perm: dict[str, int]) -> None:
    state_case = " ".join(f"WHEN x.r < {share} THEN '{s}'" for s, share, _n in RETURN_STATES)
    nsteps = " ".join(f"WHEN '{s}' THEN {n}" for s, _share, n in RETURN_STATES)
    with timed("return procedures (foreign nationals, home -> nationality)", cur,
               "returns_returnprocedure"):  # fmt: skip
        cur.execute(
            """CREATE TEMP TABLE bench_authority AS
               SELECT country, kind, min(id) AS id FROM bench_org
               WHERE kind IN ('government_ministry', 'immigration') GROUP BY country, kind"""
        )
        ex(
            cur,
            f"""INSERT INTO returns_returnprocedure (id, reference, state, requested_at,
                monitoring_months, departed_at, handed_over_at, closed_at, case_id,
                receiving_authority_id, receiving_country_id, requested_by_id,
                returning_authority_id, returning_country_id)
            SELECT {RETURN_BASE} + k, 'R-' || to_char(req, 'YYYY') || '-B' || lpad(k::text, 7, '0'),
                   st, req, '[1, 3, 6, 12]'::jsonb,
                   CASE WHEN n >= 5 AND st <> 'alternative' THEN req + interval '100 days' END,
                   CASE WHEN n >= 6 AND st <> 'alternative' THEN req + interval '102 days' END,
                   CASE WHEN st = 'closed' THEN req + interval '470 days' END,
                   c.case_id, ra.id, c.nationality_id, c.created_by_id, ta.id, c.country
            FROM (
              SELECT row_number() OVER (ORDER BY pg_temp.u(c.id, 31)) AS k, c.id AS case_id,
                     c.nationality_id, c.country_of_identification_id AS country, c.created_by_id,
                     c.created_at
              FROM cases_case c
              WHERE c.nationality_id IS NOT NULL
                AND c.nationality_id <> c.country_of_identification_id
              ORDER BY pg_temp.u(c.id, 31) LIMIT {n_ret}
            ) c
            CROSS JOIN LATERAL (SELECT pg_temp.u(c.k, 32) AS r) x
            CROSS JOIN LATERAL (SELECT CASE {state_case} END AS st) s
            CROSS JOIN LATERAL (SELECT CASE s.st {nsteps} END AS n,
                                       CASE WHEN s.st IN ('closed', 'monitoring', 'alternative',
                                                          'cancelled')
                                            THEN least(c.created_at + interval '30 days',
                                                       now() - interval '500 days')
                                            ELSE now() - pg_temp.u(c.k, 33) * interval '120 days'
                                       END AS req) t
            JOIN bench_authority ta ON ta.country = c.country AND ta.kind = 'government_ministry'
            JOIN bench_authority ra ON ra.country = c.nationality_id
             AND ra.kind = 'government_ministry'""",
        )
    with timed("return steps (closed ones timed, the current one due)", cur,
               "returns_returnstep"):  # fmt: skip
        steps = "ARRAY[" + ", ".join(f"'{s}'" for s in STEPS) + "]"
        ex(
            cur,
            f"""INSERT INTO returns_returnstep (state, entered_at, left_at, duration_seconds,
                due_on, overdue_alerted_at, procedure_id, receiving_organisation_id,
                returning_organisation_id)
            SELECT ({steps})[g], p.requested_at + (g - 1) * interval '15 days' + d.off,
                   CASE WHEN g < n OR p.state IN ('closed', 'alternative', 'cancelled')
                        THEN p.requested_at + g * interval '15 days' END,
                   CASE WHEN g < n OR p.state IN ('closed', 'alternative', 'cancelled')
                        THEN extract(epoch FROM interval '15 days' - d.off)::int END,
                   CASE WHEN g = n AND p.state NOT IN ('closed', 'alternative', 'cancelled')
                        THEN (p.requested_at + (g - 1) * interval '15 days')::date
                             + floor(pg_temp.u(p.id, 34) * 60)::int END,
                   NULL, p.id, p.receiving_authority_id, p.returning_authority_id
            FROM (SELECT p.*, CASE p.state {nsteps} END AS n FROM returns_returnprocedure p) p
            CROSS JOIN LATERAL generate_series(1, p.n) g
            CROSS JOIN LATERAL (SELECT pg_temp.u(p.id * 10 + g, 35) * interval '10 days'
                                AS off) d""",
        )
    with timed("return participants and grants", cur,
               "returns_returnproceduregroupobjectpermission"):  # fmt: skip
        ex(
            cur,
            """INSERT INTO returns_returnparticipant (side, added_at, organisation_id,
               procedure_id)
               SELECT DISTINCT ON (procedure_id, organisation_id) side, requested_at,
                      organisation_id, procedure_id
               FROM (SELECT p.id AS procedure_id, p.requested_at, c.owner_id AS organisation_id,
                            'returning' AS side, 1 AS o
                     FROM returns_returnprocedure p JOIN cases_case c ON c.id = p.case_id
                     UNION ALL
                     SELECT id, requested_at, returning_authority_id, 'returning', 2
                     FROM returns_returnprocedure
                     UNION ALL
                     SELECT id, requested_at, receiving_authority_id, 'receiving', 3
                     FROM returns_returnprocedure) x
               ORDER BY procedure_id, organisation_id, o""",
        )
        ex(
            cur,
            f"""INSERT INTO returns_returnproceduregroupobjectpermission (content_object_id,
                group_id, permission_id)
                SELECT rp.procedure_id, o.group_id, {perm["view_returnprocedure"]}
                FROM returns_returnparticipant rp
                JOIN coordination_organisation o ON o.id = rp.organisation_id""",
        )
    with timed("monitoring visits (after handover)", cur, "returns_monitoringvisit"):
        ex(
            cur,
            """INSERT INTO returns_monitoringvisit (months_after, due_on, visited_on, outcome,
               notes, recorded_at, missed_at, organisation_id, recorded_by_id, procedure_id)
               SELECT m, (p.handed_over_at + m * interval '1 month')::date,
                      CASE WHEN v.done THEN (p.handed_over_at + m * interval '1 month')::date END,
                      CASE WHEN v.done THEN
                        CASE WHEN v.r < 0.8 THEN 'safe' WHEN v.r < 0.9 THEN 'concerns'
                             ELSE 'lost_contact' END ELSE '' END,
                      '', CASE WHEN v.done THEN p.handed_over_at + m * interval '1 month' END,
                      CASE WHEN v.missed THEN p.handed_over_at + m * interval '1 month'
                                              + interval '20 days' END,
                      p.receiving_authority_id, NULL, p.id
               FROM returns_returnprocedure p
               CROSS JOIN unnest(ARRAY[1, 3, 6, 12]) m
               CROSS JOIN LATERAL (
                 SELECT pg_temp.u(p.id * 100 + m, 36) AS r,
                        p.handed_over_at + m * interval '1 month' < now()
                          AND pg_temp.u(p.id * 100 + m, 36) < 0.85 AS done,
                        p.handed_over_at + m * interval '1 month' < now() - interval '14 days'
                          AND pg_temp.u(p.id * 100 + m, 36) >= 0.95 AS missed) v
               WHERE p.handed_over_at IS NOT NULL""",
        )
    with timed("return events (one per step entered, and the final one)", cur,
               "returns_returnevent"):  # fmt: skip
        steps = "ARRAY[" + ", ".join(f"'{s}'" for s in STEPS) + "]"
        names = "ARRAY[" + ", ".join(f"'{s}'" for s in STEP_TRANSITION) + "]"
        ex(
            cur,
            f"""INSERT INTO returns_returnevent (occurred_at, transition, from_state, to_state,
                reason, payload, actor_id, procedure_id)
                SELECT s.entered_at, ({names})[array_position({steps}, s.state::text)],
                       coalesce(({steps})[array_position({steps}, s.state::text) - 1], ''),
                       s.state, '', '{{}}'::jsonb, NULL::int, s.procedure_id
                FROM returns_returnstep s
                UNION ALL
                SELECT coalesce(p.closed_at, p.requested_at + interval '45 days'),
                       CASE p.state WHEN 'closed' THEN 'close'
                            WHEN 'alternative' THEN 'grant_alternative' ELSE 'cancel' END,
                       CASE p.state WHEN 'closed' THEN 'monitoring' WHEN 'alternative'
                            THEN 'decision' ELSE 'risk_assessment' END, p.state, '',
                       '{{}}'::jsonb, NULL, p.id
                FROM returns_returnprocedure p
                WHERE p.state IN ('closed', 'alternative', 'cancelled')""",
        )


if __name__ == "__main__":
    main()
