"""`manage.py serve` on the embedded default runs the periodic tasks in-process: celery beat's
DatabaseScheduler, ticked, runs each due task eagerly: a newcomer without Redis still sees
reminders fire."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from concord.embedded_scheduler import EmbeddedScheduler, embedded_mode
from concord.schedules import sync_schedules

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _only_embedded():
    if not embedded_mode():
        pytest.skip("with a broker, celery beat and a worker run the schedules, not `serve`")


def test_ticks_run_the_due_periodic_tasks_in_process():
    from notifications.models import Delivery, DeliveryStatus
    from notifications.tests.factories import referral_world, submit_referral

    sync_schedules()
    world = referral_world()
    submit_referral(world)
    # As if the after-commit hand-off had been lost (the process died before it ran):
    Delivery.objects.update(status=DeliveryStatus.PENDING, delivered_at=None)

    scheduler = EmbeddedScheduler()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        scheduler.tick()
        for _ in range(3):
            clock.shift(timedelta(seconds=30))
            scheduler.tick()
    scheduler.close()
    sweep = PeriodicTask.objects.get(name="notifications: sweep pending deliveries")
    assert sweep.total_run_count >= 1
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 0
