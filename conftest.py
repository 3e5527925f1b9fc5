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
        _keep_reference_data(item)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if ("redis" in item.keywords or "worker" in item.keywords) and not on_redis:
            item.add_marker(skip_redis)


def _keep_reference_data(item: Any) -> None:
    """A transactional test (transactional_db, live_server, django_db(transaction=True)) ends with
    a flush of every table, which would also wipe the rows data migrations ship (countries,
    services, the ICAT organisations, other apps' reference data) for the tests after it. Such a
    test therefore gets serialized_rollback: the database content is serialised once at setup and
    restored around it."""
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & fixtures) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if not transactional:
        return
    kwargs = dict(marker.kwargs) if marker else {}
    kwargs.update(transaction=True, serialized_rollback=True)
    # Prepended, so that it is the closest django_db marker even where the test's own marker is
    # a decorator on the function (get_closest_marker returns the first of the item's own).
    item.add_marker(pytest.mark.django_db(**kwargs), append=False)


_SERIALIZED: dict[str, str] = {}
_DB_BLOCKER: list[Any] = []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Keep the serialised reference data (see _keep_reference_data) where every context finds it.

    Django keeps it on the connection object, but a test that runs Playwright's sync API (an event
    loop in this thread) sees other connection objects (asgiref's context-local storage), so
    Django's own restore does not happen there; `_restore_reference_data` below does it.
    """
    from django.db import connections

    _DB_BLOCKER.append(django_db_blocker)
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            _SERIALIZED[alias] = contents


def _flushes(item: Any) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Any:
    """A transactional test ends by flushing every table. pytest-django runs such tests after the
    others, but under pytest-xdist (`make test` runs several processes) a process may be handed
    plain database tests after one; those run inside a transaction on whatever the database holds,
    so the reference data is put back here, committed, once, before the next such test."""
    result = yield
    if _flushes(item) and nextitem is not None and not _flushes(nextitem) and _SERIALIZED:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connections

        with _DB_BLOCKER[0].unblock():
            for alias, contents in _SERIALIZED.items():
                if not ContentType.objects.using(alias).exists():
                    connections[alias].creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(autouse=True)
def _restore_reference_data(request: Any) -> None:
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("serialized_rollback")):
        return
    request.getfixturevalue("_django_db_helper")
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    for alias, contents in _SERIALIZED.items():
        connection = connections[alias]
        if not hasattr(connection, "_test_serialized_contents"):
            setattr(connection, "_test_serialized_contents", contents)  # noqa: B010 - private attr
        # Content types exist whenever migrations ran; none means the last flush left the
        # database empty and Django's own restore did not reach this connection.
        if not ContentType.objects.using(alias).exists():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fast hasher: PBKDF2's cost is for attackers, not for the hundreds of test sign-ins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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


@pytest.fixture
def make_case(db: Any):
    """make_case(owner=None, state="presumed_victim", minor_status="adult", ...) -> Case."""
    from workflows.cases.tests.factories import make_case as factory

    return factory
