"""Fixtures every app's tests share. App-specific factories live in <app>/tests/factories.py."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() == "true"
REAL_BACKENDS = os.environ.get("CONCORD_TEST_BACKENDS") == "real"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Skip tests whose backing service this run lacks, and say which and why.

    In CI's real-backends phase nothing may be skipped for a missing service: such a test fails.
    """
    on_postgres = settings.USING_POSTGRES
    on_redis = bool(settings.REDIS_URL)
    if IN_CI and REAL_BACKENDS and not (on_postgres and on_redis):
        raise pytest.UsageError("CI's real-backends phase must run on PostgreSQL and Redis")
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: this run is on SQLite (the embedded default)"
    )
    skip_redis = pytest.mark.skip(
        reason="needs Redis: this run uses the in-memory layer and eager celery"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if ("redis" in item.keywords or "worker" in item.keywords) and not on_redis:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True


@pytest.fixture
def make_org(db: Any):
    """make_org(kind="ngo", country="AT", name=..., services=[...]) -> Organisation."""
    from coordination.tests.factories import make_organisation

    return make_organisation


@pytest.fixture
def make_member(db: Any):
    """make_member(org, role="case_officer", username=None, can_sign=False) -> User."""
    from coordination.tests.factories import make_member_user

    return make_member_user


@pytest.fixture
def login(client: Any):
    """login(user) signs `client` in with a verified second factor, as after a real sign-in."""
    from coordination.tests.factories import login_verified

    def _login(user: Any, c: Any = None) -> Any:
        target = c or client
        login_verified(target, user)
        return target

    return _login
