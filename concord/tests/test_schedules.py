from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from concord.schedules import Schedule, collect_schedules, sync_schedules

EVERY_5 = Schedule(
    name="test: every five minutes",
    task="concord.tests.noop",
    every=timedelta(minutes=5),
    description="A test task.",
)
DAILY = Schedule(
    name="test: daily at six",
    task="concord.tests.noop_daily",
    crontab={"minute": "0", "hour": "6"},
    kwargs={"limit": 10},
)


def test_schedule_needs_exactly_one_timing():
    with pytest.raises(ValueError, match="exactly one"):
        Schedule(name="x", task="t")
    with pytest.raises(ValueError, match="exactly one"):
        Schedule(name="x", task="t", every=timedelta(minutes=1), crontab={"minute": "0"})
    with pytest.raises(ValueError, match="unknown crontab"):
        Schedule(name="x", task="t", crontab={"minutes": "0"})


@pytest.mark.django_db
def test_sync_creates_then_leaves_rows_unchanged():
    report = sync_schedules([EVERY_5, DAILY])
    assert sorted(report["created"]) == sorted([EVERY_5.name, DAILY.name])
    row = PeriodicTask.objects.get(name=EVERY_5.name)
    assert row.interval.every == 5
    assert row.interval.period == IntervalSchedule.MINUTES
    assert row.description == "A test task."
    daily = PeriodicTask.objects.get(name=DAILY.name)
    assert (daily.crontab.minute, daily.crontab.hour) == ("0", "6")
    assert json.loads(daily.kwargs) == {"limit": 10}
    again = sync_schedules([EVERY_5, DAILY])
    assert again["created"] == []
    assert again["updated"] == []
    assert PeriodicTask.objects.filter(name__startswith="test:").count() == 2


@pytest.mark.django_db
def test_sync_updates_timing_but_keeps_an_admin_pause():
    sync_schedules([EVERY_5])
    PeriodicTask.objects.filter(name=EVERY_5.name).update(enabled=False)
    faster = Schedule(name=EVERY_5.name, task=EVERY_5.task, every=timedelta(seconds=90))
    report = sync_schedules([faster])
    assert report["updated"] == [EVERY_5.name]
    row = PeriodicTask.objects.get(name=EVERY_5.name)
    assert (row.interval.every, row.interval.period) == (90, IntervalSchedule.SECONDS)
    assert row.enabled is False


@pytest.mark.django_db
def test_sync_reports_rows_no_app_declares():
    PeriodicTask.objects.create(
        name="old task",
        task="gone.tasks.x",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS),
    )
    assert sync_schedules([EVERY_5])["stale"] == ["old task"]


@pytest.mark.django_db
def test_sync_schedules_command_collects_every_app():
    out = io.StringIO()
    call_command("sync_schedules", stdout=out)
    assert "Periodic tasks:" in out.getvalue()
    declared = collect_schedules()
    assert PeriodicTask.objects.filter(name__in=[s.name for s in declared]).count() == len(declared)
