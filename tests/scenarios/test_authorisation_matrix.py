"""One authorisation matrix over every endpoint and page of the apps: each row of
authorisation_rows.py x every role x own, partner and unrelated organisation (and anonymous),
asserting the exact status, and that the identifying details of a person (the encrypted fields of
cases, holding unique markers) appear in a response only where need-to-know allows.

The world (authorisation_world.py) is built once for the module through the services; every
request runs in a savepoint that is rolled back, so each row starts from the same world.
A route without a row fails test_every_route_has_a_row.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from tests.scenarios.authorisation_rows import ALLOWED_WITHOUT_ROW, ROWS, Row
from tests.scenarios.authorisation_world import (
    PARTNER_STATE_SUBJECTS,
    RELATIONS,
    ROLES,
    World,
    build_world,
)

PRINCIPALS = [("anonymous", "")] + [(rel, role) for rel in RELATIONS for role in ROLES]


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[World, dict]]:
    from coordination.tests.factories import login_verified

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                w = build_world()
                clients: dict[Any, Client] = {}
                for key, user in w.users.items():
                    c = Client(raise_request_exception=False)
                    login_verified(c, user)
                    clients[key] = c
                clients["anonymous"] = Client(raise_request_exception=False)
            yield w, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _ids(w: World) -> dict[str, Any]:
    return {
        **w.ids,
        **{f"{k}_org": o.pk for k, o in w.orgs.items()},
    }


def _request(client: Client, row: Row, ids: dict[str, Any]) -> Any:
    path = _fill(row.path, ids) + row.query
    data = _fill(dict(row.data or {}), ids)
    for key, value in list(data.items()):  # ids in JSON bodies are numbers
        if isinstance(value, str) and value.isdigit() and not row.form:
            data[key] = int(value)
    call = getattr(client, row.method)
    with transaction.atomic():
        if row.method == "get":
            response = call(path)
        elif row.form:
            response = call(path, data)
        else:
            response = call(path, json.dumps(data), content_type="application/json")
        transaction.set_rollback(True)
    return response


def _client_for(clients: dict, w: World, relation: str, role: str, subject: str) -> Client:
    if relation == "anonymous":
        return clients["anonymous"]
    org_key = relation
    if relation == "partner" and subject in PARTNER_STATE_SUBJECTS:
        org_key = "partner_state"
    return clients[(org_key, role)]


def _principal(relation: str, role: str) -> str:
    return f"{relation}:{role}" if role else relation


def _expected(row: Row) -> dict[str, int]:
    assert row.expect is not None, row.id
    return {
        _principal(rel, role): (
            row.expect.anonymous if rel == "anonymous" else row.expect.status(rel, role)
        )
        for rel, role in PRINCIPALS
    }


def _may_see(row: Row, relation: str, role: str) -> set[str]:
    """The cases whose identifying markers this principal must see in the response (and no
    other case's)."""
    if row.reveals is None or relation == "anonymous":
        return set()
    tag, allowed = row.reveals
    return {tag} if allowed(relation, role) else set()


@pytest.mark.django_db
@pytest.mark.timeout(900)  # the first row also builds the world (minutes on a busy machine)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_matrix(row: Row, world: tuple[World, dict], caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    w, clients = world
    ids = _ids(w)
    got: dict[str, int] = {}
    shown: dict[str, set[str]] = {}
    want_shown: dict[str, set[str]] = {}
    samples: dict[int, str] = {}
    for relation, role in PRINCIPALS:
        response = _request(_client_for(clients, w, relation, role, row.subject), row, ids)
        key = _principal(relation, role)
        got[key] = response.status_code
        if response.status_code >= 400:
            samples.setdefault(response.status_code, f"{key}: {response.content[:200]!r}")
        body = response.content.decode("utf-8", "replace")
        shown[key] = {tag for tag, values in w.markers.items() if any(m in body for m in values)}
        want_shown[key] = _may_see(row, relation, role) if response.status_code == 200 else set()
    probe = os.environ.get("MATRIX_PROBE")
    if probe:  # MATRIX_PROBE=/tmp/out.jsonl records what each row answers, to write a new row
        with open(probe, "a") as fh:
            fh.write(json.dumps({"row": row.id, "got": got, "samples": samples}) + "\n")
    want = _expected(row)
    wrong = {k: f"{got[k]} (want {want[k]})" for k in want if got[k] != want[k]}
    assert not wrong, f"{row.method.upper()} {row.path}: {wrong}; samples: {samples}"
    assert shown == want_shown, "identifying details shown beyond need-to-know (or missing)"
    leaked = [m for values in w.markers.values() for m in values if m in caplog.text]
    assert not leaked, "identifying details in a log line"


def _normal(route: str) -> str:
    """A route as ResolverMatch.route and the resolver tree both spell it (without the regex
    anchors Django strips when it joins a prefix and a regex route)."""
    return re.sub(r"(^|/)\^", r"\1", route)


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """Every URL pattern, with its full route, walking includes (and DRF routers' routes,
    including their extra actions) recursively."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield _normal(prefix + str(p.pattern)), p


def _methods(pattern: URLPattern) -> set[str]:
    """The HTTP methods a DRF viewset route maps to actions (HEAD and OPTIONS answer as GET and
    the schema do); a plain view counts as one."""
    actions = getattr(pattern.callback, "actions", None)
    return set(actions) - {"head", "options"} if actions else {"any"}


class _AnyId(dict):  # fills every {placeholder} of a row's path with a plausible id
    def __missing__(self, key: str) -> str:
        return "1"


def test_every_route_has_a_row() -> None:
    """A new endpoint without a row in the matrix fails here: add its row to
    authorisation_rows.py (or, if it serves no organisation's data, to ALLOWED_WITHOUT_ROW with
    the reason)."""
    covered: dict[str, set[str]] = {}
    for row in ROWS:
        path = row.path.format_map(_AnyId(template="bilateral-mou-states"))
        try:
            match = resolve(path)
        except Resolver404:
            pytest.fail(f"row {row.id}: {path} matches no route")
        covered.setdefault(_normal(match.route), set()).update({row.method, "any"})
    missing = []
    for route, pattern in _routes(get_resolver().url_patterns):
        if any(route.startswith(prefix) for prefix in ALLOWED_WITHOUT_ROW):
            continue
        # DefaultRouter's format-suffix twins (meetings.json) run the same view as the route
        # they double, whose row covers them.
        if "(?P<format>" in route:
            continue
        lacking = _methods(pattern) - covered.get(route, set())
        if lacking:
            missing.append(f"{route} {sorted(lacking)}")
    assert not missing, "routes without a row in the authorisation matrix:\n" + "\n".join(missing)


def test_rows_are_unique_and_complete() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS)
    assert all(row.expect is not None for row in ROWS)
