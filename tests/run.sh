#!/usr/bin/env bash
# The test suite, as `make test` runs it.
# With CI=true it runs on PostgreSQL and Redis and fails if either is missing.
# Without CI it uses them when reachable and says plainly what it skipped.
# Then it runs the same suite (browser tests aside) once more on the embedded default (SQLite,
# in-memory channel layer, eager celery), so that both configurations stay green.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONDONTWRITEBYTECODE=1

: "${PG_URL:=postgres://postgres@127.0.0.1:5432/concord}"
: "${REDIS_TEST_URL:=redis://127.0.0.1:6379/0}"
# One pytest process per core (pytest-xdist; CONCORD_TEST_PROCESSES=0 runs in this process only).
# Each process has its own test database and its own Redis database (concord/settings.py).
XDIST=(-n "${CONCORD_TEST_PROCESSES:-auto}" --dist worksteal)

pg_ok=0; redis_ok=0
$PY - "$PG_URL" <<'PYEOF' && pg_ok=1
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3, dbname="postgres").close()
except Exception as exc:  # noqa: BLE001 - report any failure to reach the server
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr); sys.exit(1)
PYEOF
$PY - "$REDIS_TEST_URL" <<'PYEOF' && redis_ok=1
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
except Exception as exc:  # noqa: BLE001
    print(f"Redis unreachable: {exc}", file=sys.stderr); sys.exit(1)
PYEOF

if [ "${CI:-}" = "true" ]; then
  if [ $pg_ok = 0 ] || [ $redis_ok = 0 ]; then
    echo "CI needs PostgreSQL at $PG_URL and Redis at $REDIS_TEST_URL; see the messages above." >&2
    exit 1
  fi
fi

status=0
if [ $pg_ok = 1 ] && [ $redis_ok = 1 ]; then
  echo "== Suite on PostgreSQL ($PG_URL) and Redis ($REDIS_TEST_URL)"
  DATABASE_URL="${DATABASE_URL:-$PG_URL}" REDIS_URL="${REDIS_URL:-$REDIS_TEST_URL}" CONCORD_TEST_BACKENDS=real \
    $PY -m pytest "${XDIST[@]}" "$@" || status=$?
  echo "== Suite on the embedded default (SQLite, in-memory channel layer, eager celery), browser tests aside"
  env -u DATABASE_URL -u REDIS_URL CONCORD_TEST_BACKENDS=embedded \
    $PY -m pytest "${XDIST[@]}" -m "not browser" "$@" || { s=$?; [ $status = 0 ] && status=$s; }
else
  [ $pg_ok = 0 ] && echo "SKIPPED: PostgreSQL is unreachable, so the PostgreSQL-only tests (triggers, row-lock races) are skipped."
  [ $redis_ok = 0 ] && echo "SKIPPED: Redis is unreachable, so the Redis channel layer and real celery worker tests are skipped."
  echo "== Suite on the embedded default (SQLite, in-memory channel layer, eager celery)"
  env -u DATABASE_URL -u REDIS_URL CONCORD_TEST_BACKENDS=embedded $PY -m pytest "${XDIST[@]}" "$@" || status=$?
fi
exit $status
