"""Liveness and readiness: /readyz checks the database, Redis and the celery broker."""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when this returns: nothing listens


def test_healthz_answers_without_touching_dependencies(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    if settings.REDIS_URL:
        assert checks == {"database": "ok", "redis": "ok", "broker": "ok"}
    else:
        assert checks == {"database": "ok", "redis": "embedded", "broker": "embedded (eager)"}


@pytest.mark.redis
def test_readyz_is_503_naming_redis_and_broker_when_they_are_down(client, settings):
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.REDIS_URL = down
    settings.CELERY_BROKER_URL = down
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("down: ")
    assert body["checks"]["broker"].startswith("down: ")
    assert "127.0.0.1" not in response.content.decode()  # never the URL


@pytest.mark.redis
def test_readyz_checks_the_broker_on_its_own_url(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "ok"
    assert response.json()["checks"]["broker"].startswith("down: ")
