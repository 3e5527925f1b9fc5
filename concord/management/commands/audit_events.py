"""Verify that every state in the database is explained by its event rows.

    manage.py audit_events [--limit 20]

Every concrete subclass of concord.events.Event is found, and with it the model its foreign key
points at and that model's state machine field (a django-fsm FSMField). For each such pair, every
object must satisfy:
- its latest *state event* has `to_state` equal to the object's current state, and
- an object without any state event is still in the field's initial state (the default).

A state event is an event row whose `to_state` is one of the field's states and whose
`from_state` is empty (creation) or one of them too. That leaves out the rows of one Event table
that record another column (CaseEvent also records minor status, case status, residence and
family tracing; their values are not identification states). "Latest" is the highest id: a
service locks the object's row before it writes the event, so ids follow the order of one
object's transitions even where clocks or `occurred_at` values do not.

Each model costs one aggregate query (a correlated subquery on the event table's foreign-key
index, counted in the database) plus one query listing at most --limit mismatches where there are
any: never a query per object. Output names models, ids and states only, never a person's detail.
Exit status 1 when any object is unexplained (a state changed behind the services' back, e.g. by
`QuerySet.update()` or by hand in SQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django_fsm import FSMFieldMixin

from concord.events import Event

LAST_STATE = "_audit_last_state"


@dataclass(frozen=True)
class AuditTarget:
    event_model: type[Event]
    subject_fk: models.Field
    model: type[models.Model]
    state_field: models.Field

    @property
    def states(self) -> list[str]:
        return [str(value) for value, _label in (self.state_field.choices or [])]

    @property
    def initial_state(self) -> str:
        return str(self.state_field.get_default())


def audit_targets() -> tuple[list[AuditTarget], list[tuple[str, str]]]:
    """The (event model, subject, state field) triples, and the Event models skipped with why."""
    targets: list[AuditTarget] = []
    skipped: list[tuple[str, str]] = []
    for event_model in apps.get_models():
        if not issubclass(event_model, Event) or event_model._meta.proxy:
            continue
        candidates = []
        for fk in event_model._meta.concrete_fields:
            if not (fk.many_to_one and fk.name != "actor"):
                continue
            target = fk.related_model
            assert isinstance(target, type)
            fsm_fields = [f for f in target._meta.concrete_fields if isinstance(f, FSMFieldMixin)]
            if fsm_fields:
                candidates.append((fk, target, fsm_fields))
        if not candidates:
            skipped.append((event_model._meta.label, "its subject has no state machine"))
            continue
        if len(candidates) > 1 or len(candidates[0][2]) > 1:
            skipped.append((event_model._meta.label, "more than one state machine: ambiguous"))
            continue
        fk, target, (field,) = candidates[0]
        targets.append(AuditTarget(event_model, fk, target, field))
    targets.sort(key=lambda t: t.model._meta.label)
    return targets, skipped


def state_events(target: AuditTarget) -> Any:
    rows = target.event_model._base_manager.exclude(to_state="")
    states = target.states
    if states:
        rows = rows.filter(to_state__in=states).filter(Q(from_state="") | Q(from_state__in=states))
    return rows


def annotated(target: AuditTarget) -> tuple[Any, Q]:
    """The subject's rows with their latest state event's to_state, and the mismatch condition."""
    latest = (
        state_events(target)
        .filter(**{target.subject_fk.name: OuterRef("pk")})
        .order_by("-pk")
        .values("to_state")[:1]
    )
    rows = target.model._base_manager.order_by().annotate(
        **{LAST_STATE: Subquery(latest, output_field=models.CharField())}
    )
    state = target.state_field.attname
    unexplained = (Q(**{f"{LAST_STATE}__isnull": True}) & ~Q(**{state: target.initial_state})) | (
        Q(**{f"{LAST_STATE}__isnull": False}) & ~Q(**{LAST_STATE: F(state)})
    )
    return rows, unexplained


class Command(BaseCommand):
    help = "Check that each object's state equals its latest event's to_state; exit 1 if not."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--limit", type=int, default=20, help="Mismatches listed per model (default 20)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        targets, skipped = audit_targets()
        total_bad = 0
        for target in targets:
            rows, unexplained = annotated(target)
            counts = rows.aggregate(
                objects=Count("pk"), unexplained=Count("pk", filter=unexplained)
            )
            label = (
                f"{target.model._meta.label}.{target.state_field.name} "
                f"(events: {target.event_model._meta.label})"
            )
            bad = counts["unexplained"]
            total_bad += bad
            line = f"{label}: {counts['objects']} object(s), {bad} unexplained"
            self.stdout.write(self.style.ERROR(line) if bad else line)
            if bad:
                state = target.state_field.attname
                listed = rows.filter(unexplained).order_by("pk")
                for pk, current, last in listed.values_list("pk", state, LAST_STATE)[
                    : options["limit"]
                ]:
                    self.stdout.write(
                        f"  id={pk}: state {current!r}, latest event says "
                        + (repr(last) if last is not None else "nothing (no state event)")
                    )
                if bad > options["limit"]:
                    self.stdout.write(f"  ... and {bad - options['limit']} more")
        for label, reason in skipped:
            self.stdout.write(f"{label}: not audited ({reason})")
        if total_bad:
            raise CommandError(
                f"{total_bad} object(s) in a state their events do not explain.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS("Every state is explained by its events."))
