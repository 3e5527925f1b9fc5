"""Periodic tasks, declared in code and kept as django-celery-beat rows (editable in the admin).

Each app lists its tasks in `<app>/schedules.py`::

    from datetime import timedelta
    from concord.schedules import Schedule

    SCHEDULES = [
        Schedule(
            name="referrals: escalate overdue",
            task="workflows.referrals.tasks.escalate_overdue_referrals",
            every=timedelta(minutes=5),
            description="Escalates referrals not answered by their deadline.",
        ),
        Schedule(
            name="agreements: review reminders",
            task="agreements.tasks.remind_reviews",
            crontab={"minute": "0", "hour": "6"},
        ),
    ]

`manage.py sync_schedules` (run by `make run`, and to be run on every deploy) creates or updates
one PeriodicTask per Schedule, matched by `name`: the code decides the task, its timing, its
arguments and its description; `enabled` is left as an administrator set it (so a task paused
in the admin stays paused). Rows that no app declares any more are reported, not deleted.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import transaction

CRONTAB_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every: timedelta | None = None
    crontab: dict[str, str] | None = None
    description: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True  # only for a new row; afterwards the admin decides

    def __post_init__(self) -> None:
        if (self.every is None) == (self.crontab is None):
            raise ValueError(f"Schedule {self.name!r}: give exactly one of `every` or `crontab`.")
        if self.every is not None and self.every.total_seconds() < 1:
            raise ValueError(f"Schedule {self.name!r}: `every` must be at least one second.")
        if self.crontab is not None:
            unknown = set(self.crontab) - set(CRONTAB_FIELDS)
            if unknown:
                raise ValueError(f"Schedule {self.name!r}: unknown crontab fields {unknown}.")


def collect_schedules() -> list[Schedule]:
    """Every installed app's `schedules.SCHEDULES`, in app order; names must be unique."""
    found: list[Schedule] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.schedules"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found.extend(getattr(module, "SCHEDULES", []))
    names = [s.name for s in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"Periodic task names declared twice: {sorted(duplicates)}")
    return found


def _interval(every: timedelta) -> Any:
    from django_celery_beat.models import IntervalSchedule

    seconds = int(every.total_seconds())
    for period, size in (
        (IntervalSchedule.DAYS, 86400),
        (IntervalSchedule.HOURS, 3600),
        (IntervalSchedule.MINUTES, 60),
    ):
        if seconds % size == 0:
            return IntervalSchedule.objects.get_or_create(every=seconds // size, period=period)[0]
    return IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)[0]


def _crontab(spec: dict[str, str]) -> Any:
    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule

    values = {name: str(spec.get(name, "*")) for name in CRONTAB_FIELDS}
    return CrontabSchedule.objects.get_or_create(timezone=settings.CELERY_TIMEZONE, **values)[0]


@transaction.atomic
def sync_schedules(
    schedules: list[Schedule] | None = None, *, stdout: Any = None
) -> dict[str, list[str]]:
    """Create or update the PeriodicTask rows; returns the names created, updated, unchanged,
    and declared nowhere (stale). Safe to run any number of times."""
    from django_celery_beat.models import PeriodicTask

    schedules = collect_schedules() if schedules is None else schedules
    report: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": [], "stale": []}
    for schedule in schedules:
        wanted: dict[str, Any] = {
            "task": schedule.task,
            "interval": _interval(schedule.every) if schedule.every else None,
            "crontab": _crontab(schedule.crontab) if schedule.crontab else None,
            "kwargs": json.dumps(schedule.kwargs, sort_keys=True),
            "description": schedule.description,
        }
        row = PeriodicTask.objects.select_for_update().filter(name=schedule.name).first()
        if row is None:
            PeriodicTask.objects.create(name=schedule.name, enabled=schedule.enabled, **wanted)
            report["created"].append(schedule.name)
            continue
        changed = [key for key, value in wanted.items() if getattr(row, key) != value]
        if changed:
            for key in changed:
                setattr(row, key, wanted[key])
            row.save()
            report["updated"].append(schedule.name)
        else:
            report["unchanged"].append(schedule.name)
    declared = {s.name for s in schedules}
    report["stale"] = sorted(
        PeriodicTask.objects.exclude(name__in=declared)
        .exclude(name__startswith="celery.")
        .values_list("name", flat=True)
    )
    if stdout is not None:
        stdout.write(
            f"Periodic tasks: {len(report['created'])} created, {len(report['updated'])} updated, "
            f"{len(report['unchanged'])} unchanged"
            + (f"; declared by no app: {', '.join(report['stale'])}" if report["stale"] else "")
            + "\n"
        )
    return report
