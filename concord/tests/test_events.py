"""Event rows are append-only: in Python everywhere, and by a trigger on PostgreSQL."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import DatabaseError

from concord.errors import ApplicationError
from concord.events import APPEND_ONLY_TRIGGER, Event, record_event
from coordination.models import MembershipEvent
from coordination.services import membership_add


def _event_models() -> list[type[Event]]:
    return [m for m in apps.get_models() if issubclass(m, Event)]


def test_every_event_model_carries_the_append_only_trigger():
    models = _event_models()
    assert MembershipEvent in models
    for model in models:
        names = [t.name for t in getattr(model._meta, "triggers", [])]
        assert APPEND_ONLY_TRIGGER in names, model


@pytest.fixture
def event(make_org, make_member):
    org = make_org()
    user = make_member(None)
    membership = membership_add(organisation=org, user=user, role="coordinator", actor=None)
    return MembershipEvent.objects.get(membership=membership)


@pytest.mark.django_db
def test_python_refuses_to_change_or_delete_an_event(event):
    event.reason = "rewritten"
    with pytest.raises(ApplicationError):
        event.save()
    with pytest.raises(ApplicationError):
        event.delete()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_trigger_is_installed_on_every_event_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE %s",
            [f"pgtrigger_{APPEND_ONLY_TRIGGER}_%"],
        )
        tables = {row[0] for row in cursor.fetchall()}
    for model in _event_models():
        assert model._meta.db_table in tables, model


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_update_and_delete_of_an_event_row(event):
    table = MembershipEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET reason = 'rewritten' WHERE id = %s",  # noqa: S608 - our table name
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        MembershipEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    event.refresh_from_db()
    assert event.reason == ""


@pytest.mark.django_db
def test_record_event_ignores_anonymous_actor(make_org, make_member):
    org = make_org()
    membership = membership_add(
        organisation=org, user=make_member(None), role="auditor", actor=None
    )
    row = record_event(
        MembershipEvent,
        actor=None,
        transition="note",
        membership=membership,
        organisation=org,
    )
    assert row.actor is None
    assert row.pk is not None
