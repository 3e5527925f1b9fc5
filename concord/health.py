"""Liveness and readiness for load balancers and `make prod`.

`/healthz` is liveness: it answers 200 while the process can serve a request, and touches no
dependency, so a database or Redis outage never makes an orchestrator restart every web process
at once (a restart cannot cure an outage elsewhere). Dependencies are readiness's business.

`/readyz` is readiness: it checks, each with a short timeout,
- the database (`SELECT 1` on the default connection),
- Redis as the channel layer and cache use it (`PING` on REDIS_URL),
- the celery broker, through celery's own connection to CELERY_BROKER_URL (so a broker that is
  not REDIS_URL, or another Redis database, is checked as the workers will reach it).
It answers 200 when all are usable and 503 otherwise; the body names each check and, on failure,
only the exception's class (never a connection string, which may hold a password).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

CHECK_TIMEOUT_SECONDS = 2


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _down(exc: BaseException) -> str:
    return f"down: {type(exc).__name__}"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - readiness reports every failure as "down"
        return _down(exc)
    return "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "embedded"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
            socket_timeout=CHECK_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return _down(exc)
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory://"):
        return "embedded (eager)"
    from concord.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=CHECK_TIMEOUT_SECONDS
            )
            # The connection is lazy until a channel exists: open one, as a publisher would.
            conn.default_channel  # noqa: B018 - opening the channel is the check
    except Exception as exc:  # noqa: BLE001
        return _down(exc)
    return "ok"


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "redis": check_redis(), "broker": check_broker()}
    ready = all(not value.startswith("down") for value in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )
