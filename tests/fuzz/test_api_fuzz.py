"""The whole API fuzzed from its own OpenAPI schema (Schemathesis), as several roles.

Every operation of `/api/schema/` is called in-process (WSGI, the test transaction) with data
Schemathesis derives from the schema: valid and deliberately invalid bodies, query strings and
path parameters, NUL bytes included. Each response must

- not be a server error (`not_a_server_error`): no input may produce a 500;
- have a status code the schema documents for that operation (`status_code_conformance`), so the
  schema names every error response the API really returns (`concord.api.error_responses`);
- have the documented content type and a body that conforms to the documented schema
  (`content_type_conformance`, `response_schema_conformance`).

The world is the demo scenario (two countries, cases, referrals, returns, agreements, a body's
work) plus one service account per role with an API token (`issue_api_token`'s services), each
with notices of its own and its organisation's webhook subscription (with deliveries). Path
parameters are mostly mapped onto real objects of the right kind (some visible to the role, some
not; a nested key onto a child of the parent chosen; a notice or a subscription onto the acting
role's own), so that bodies reach the serializers and services instead of stopping at a 404.
Each call runs in a savepoint that is rolled back, so every example sees the same world and a
failure replays exactly.

Bounded for CI (2 cores): a few examples per operation and mode, derandomized; about a minute in
all. `CONCORD_FUZZ_EXAMPLES=50` explores further locally.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.postgres

EXAMPLES = int(os.environ.get("CONCORD_FUZZ_EXAMPLES", "3"))

# (role key, country, organisation handle in the demo, membership role)
ROLES = {
    # A case officer of the NGO shelter that receives the demo's emergency referral.
    "receiving_case_officer": ("TH", "shelter_ngo", "case_officer"),
    # A case officer of the police, which holds the demo cases (identifying details visible).
    "owning_case_officer": ("TH", "police", "case_officer"),
    "coordinator": ("TH", "secretariat", "coordinator"),
    "ministry_official": ("KH", "ministry", "ministry_official"),
    "auditor": ("TH", "secretariat", "auditor"),
}


@dataclass
class World:
    schema: dict[str, Any]
    tokens: dict[str, str]
    # (path prefix, parameter name) -> existing keys of that kind, sorted
    pools: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    # (path prefix, parameter name) -> parent key -> keys of its children, sorted; the parent is
    # the path's `id`
    children: dict[tuple[str, str], dict[Any, list[Any]]] = field(default_factory=dict)
    # role -> (path prefix, parameter name) -> keys of the role's own objects, sorted
    own: dict[str, dict[tuple[str, str], list[Any]]] = field(default_factory=dict)


_WORLD: World | None = None


def _pools() -> dict[tuple[str, str], list[Any]]:
    from agreements.models import Agreement, Template
    from coordination.models import CoordinationBody, Country, Membership, Organisation, Service
    from coordination.work.models import (
        ActionItem,
        ActionPlan,
        FrameworkRow,
        MeasureIndicator,
        Meeting,
        PlanMeasure,
    )
    from workflows.cases.models import Case
    from workflows.referrals.models import Referral
    from workflows.returns.models import ReturnProcedure

    def ids(qs: Any, key: str = "pk") -> list[Any]:
        return sorted(qs.values_list(key, flat=True))

    return {
        ("/api/cases/", "id"): ids(Case.objects.all()),
        ("/api/referrals/", "id"): ids(Referral.objects.all()),
        ("/api/returns/", "id"): ids(ReturnProcedure.objects.all()),
        ("/api/agreements/", "id"): ids(Agreement.objects.all()),
        ("/api/agreement-templates/", "code"): ids(Template.objects.all(), "code"),
        ("/api/organisations/", "id"): ids(Organisation.objects.all()),
        ("/api/memberships/", "id"): ids(Membership.objects.all()),
        ("/api/coordination-bodies/", "id"): ids(CoordinationBody.objects.all()),
        ("/api/bodies/", "body_pk"): ids(CoordinationBody.objects.all()),
        ("/api/countries/", "code"): ids(Country.objects.all(), "code"),
        ("/api/services/", "code"): ids(Service.objects.all(), "code"),
        ("/api/meetings/", "id"): ids(Meeting.objects.all()),
        ("/api/action-items/", "id"): ids(ActionItem.objects.all()),
        ("/api/action-plans/", "id"): ids(ActionPlan.objects.all()),
        ("/api/plan-measures/", "id"): ids(PlanMeasure.objects.all()),
        ("/api/measure-indicators/", "id"): ids(MeasureIndicator.objects.all()),
        ("/api/framework-rows/", "code"): ids(FrameworkRow.objects.all(), "code"),
        ("/api/bodies/", "year"): list(
            range(timezone.localdate().year - 2, timezone.localdate().year + 1)
        ),
    }


def _children() -> dict[tuple[str, str], dict[Any, list[Any]]]:
    from agreements.models import AgreementPartner, AgreementVersion, Comment
    from coordination.work.models import AgendaItem

    def by_parent(qs: Any, parent: str, key: str = "pk") -> dict[Any, list[Any]]:
        grouped: dict[Any, list[Any]] = {}
        for parent_key, child_key in qs.order_by(parent, key).values_list(parent, key):
            grouped.setdefault(parent_key, []).append(child_key)
        return grouped

    return {
        ("/api/agreements/", "partner_id"): by_parent(AgreementPartner.objects, "agreement_id"),
        ("/api/agreements/", "comment_id"): by_parent(Comment.objects, "agreement_id"),
        ("/api/agreements/", "number"): by_parent(
            AgreementVersion.objects, "agreement_id", "number"
        ),
        ("/api/meetings/", "item_pk"): by_parent(AgendaItem.objects, "meeting_id"),
    }


def _own_objects(users: dict[str, Any]) -> dict[str, dict[tuple[str, str], list[Any]]]:
    """Give each role's account notices and its organisation a webhook subscription with
    deliveries, and return the keys of what each role owns: its notices, and the subscriptions of
    its organisation (its to manage for a coordinator; hidden, so 404, for the other roles)."""
    from coordination.models import Membership
    from notifications.models import Kind, Notification, WebhookDelivery, WebhookSubscription
    from notifications.selectors import WEBHOOK_ROLES
    from notifications.services import webhook_subscription_create

    own: dict[str, dict[tuple[str, str], list[Any]]] = {}
    for role, user in users.items():
        membership = Membership.objects.get(user=user)
        organisation = membership.organisation
        # The notices the organisation's people received in the demo (any notices where they
        # received none), addressed to the account too: as if it had been a recipient then.
        colleagues = Notification.objects.filter(organisation=organisation).exclude(recipient=user)
        if not colleagues.exists():
            colleagues = Notification.objects.exclude(recipient=user)
        copies = [
            Notification(
                recipient=user,
                organisation=organisation,
                kind=n.kind,
                event_key=n.event_key,
                object_type=n.object_type,
                object_id=n.object_id,
                reference=n.reference,
                state=n.state,
                title=n.title,
                body=n.body,
                url=n.url,
            )
            for n in colleagues.order_by("event_key", "id").distinct("event_key")[:5]
        ]
        Notification.objects.bulk_create(copies, ignore_conflicts=True)
        if not WebhookSubscription.objects.filter(organisation=organisation).exists():
            manager = (
                user
                if membership.role in WEBHOOK_ROLES
                else Membership.objects.filter(
                    organisation=organisation, role__in=WEBHOOK_ROLES, is_active=True
                )
                .order_by("pk")
                .first()
                .user
            )
            subscription = webhook_subscription_create(
                organisation=organisation,
                actor=manager,
                name=f"{organisation.name} case system"[:100],
                url="https://hooks.example.org/concord",
                kinds=[Kind.REFERRAL_SUBMITTED, Kind.REFERRAL_ACCEPTED],
            )
            WebhookDelivery.objects.bulk_create(
                WebhookDelivery(
                    subscription=subscription,
                    event_key=f"fuzz:{subscription.pk}:{n}",
                    kind=Kind.REFERRAL_SUBMITTED,
                    payload={"reference": f"R-FUZZ-{n}"},
                    status=status,
                )
                for n, status in enumerate(["delivered", "failed", "pending"])
            )
        own[role] = {
            ("/api/notifications/webhooks/", "id"): sorted(
                WebhookSubscription.objects.filter(organisation=organisation).values_list(
                    "pk", flat=True
                )
            ),
            ("/api/notifications/", "id"): sorted(
                Notification.objects.filter(recipient=user).values_list("pk", flat=True)
            ),
        }
    return own


def _pick(pool: list[Any], value: Any) -> Any:
    """Four in five generated keys become one of `pool` (chosen by the generated value, so a run
    replays); the fifth stays as generated, so unknown and malformed keys are tried too."""
    try:
        n = int(value) if not isinstance(value, str) else sum(value.encode())
    except (TypeError, ValueError):
        return value
    return pool[n % len(pool)] if pool and n % 5 else value


@schemathesis.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    """Four in five generated keys become a real object's key of the right kind (visible to the
    role or not); the fifth stays as generated, so unknown and malformed keys are tried too."""
    if _WORLD is None or context.operation is None or not path_parameters:
        return path_parameters
    path = context.operation.path
    mapped = dict(path_parameters)
    for name, value in path_parameters.items():
        pool = next(
            (
                p
                for (prefix, param), p in _WORLD.pools.items()
                if param == name and path.startswith(prefix)
            ),
            None,
        )
        if pool:
            mapped[name] = _pick(pool, value)
    for name, value in path_parameters.items():
        by_parent = next(
            (
                c
                for (prefix, param), c in _WORLD.children.items()
                if param == name and path.startswith(prefix)
            ),
            None,
        )
        if by_parent is not None:
            mapped[name] = _pick(by_parent.get(mapped.get("id"), []), value)
    return mapped


def _map_own_objects(case: Any, role: str) -> None:
    """A notice or a webhook subscription in the path becomes one of the acting role's own (four
    in five times): the path hook runs before the role is drawn, so this runs in the test."""
    if _WORLD is None or not case.path_parameters:
        return
    # Longest prefix first: /api/notifications/webhooks/ before /api/notifications/.
    for (prefix, param), pool in sorted(
        _WORLD.own[role].items(), key=lambda item: -len(item[0][0])
    ):
        if case.path.startswith(prefix) and param in case.path_parameters:
            case.path_parameters[param] = _pick(pool, case.path_parameters[param])
            return


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The demo scenario and one token per role, loaded once for the module and rolled back."""
    global _WORLD
    from coordination.demo import demo_org
    from coordination.services import api_token_issue, service_account_create

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            tokens = {}
            users = {}
            for key, (country, handle, role) in ROLES.items():
                membership = service_account_create(
                    organisation=demo_org(country, handle),
                    name=f"fuzz-{key}".replace("_", "-"),
                    role=role,
                    actor=None,
                )
                users[key] = membership.user
                tokens[key] = api_token_issue(user=membership.user, actor=None)
            own = _own_objects(users)
            from django.test import Client

            response = Client().get("/api/schema/", {"format": "json"})
            assert response.status_code == 200
            _WORLD = World(
                schema=json.loads(response.content),
                tokens=tokens,
                pools=_pools(),
                children=_children(),
                own=own,
            )
            yield _WORLD
        finally:
            print(f"fuzz: {_InTestTransaction.calls} requests")  # noqa: T201 - seen with -s
            _WORLD = None
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


class _InTestTransaction(WSGIHandler):
    """Django's WSGI handler without the per-request `close_old_connections`, which would close the
    test's connection (as django.test.Client's handler does), and with each request in a savepoint
    that is rolled back, so every generated example sees the same world."""

    calls = 0

    def __call__(self, environ: Any, start_response: Any) -> Any:
        type(self).calls += 1
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            with transaction.atomic():
                response = super().__call__(environ, start_response)
                body = b"".join(response)  # render streaming bodies inside the savepoint
                response.close()
                transaction.set_rollback(True)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


def _served_schema() -> dict[str, Any]:
    """The document `/api/schema/` serves (drf-spectacular's generator, the same settings), built
    at collection time, when no database is open yet; a test below checks it is the served one."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(
    _served_schema(),
    config=SchemathesisConfig.from_dict(
        {
            "seed": 20261128,
            "generation": {
                "mode": "all",  # valid and invalid input
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                "allow-x00": True,  # PostgreSQL refuses NUL in text: must be a 400, never a 500
                "no-shrink": os.environ.get("CONCORD_FUZZ_SHRINK", "1") == "0",
            },
            "phases": {
                "examples": {"enabled": True},
                "fuzzing": {"enabled": True},
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
        }
    ),
)
schema.app = _InTestTransaction()
if os.environ.get("CONCORD_FUZZ_PATHS"):  # a regex, to replay some operations while working
    schema = schema.include(path_regex=os.environ["CONCORD_FUZZ_PATHS"])
load_all_checks()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def tokens(fuzz_world: World, db: Any) -> dict[str, str]:
    return fuzz_world.tokens


@schema.parametrize()
# The role is part of each generated example (and shrinks like the rest), so every operation is
# called as several roles within one bounded budget, instead of once per role.
@schema.given(role=st.sampled_from(sorted(ROLES)))
# The `tokens` fixture (and the database under it) lives for all the examples of one operation;
# that is safe because every request runs in its own savepoint that is rolled back.
# too_slow measures wall time, which on a CI machine shared with other work says nothing about
# the code; the bound here is the number of examples.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_conforms_to_its_schema(case: Any, role: str, tokens: dict[str, str]) -> None:
    _map_own_objects(case, role)
    case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"}, checks=CHECKS)


def test_fuzzed_schema_is_the_served_one(fuzz_world: World, db: Any) -> None:
    assert fuzz_world.schema == _served_schema()
