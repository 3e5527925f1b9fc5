"""Redis killed (kill -9) in the middle of a run of transitions and restarted.

A private redis-server (never the shared one) is the broker and the channel layer of this test
process and of a real celery worker with beat embedded (django-celery-beat's DatabaseScheduler,
the sweep every second). Referral transitions run before, during and after the outage:
- while Redis is down the transitions commit and their outbox rows wait (the publish fails, the
  circuit breaker skips the next ones);
- Redis comes back empty (no persistence: every queued message is lost, as in a crash), the
  worker reconnects (concord.celery.Consumer, on CELERY_BROKER_TRANSPORT_OPTIONS' schedule),
  beat's sweep sends the waiting rows and new transitions are delivered after commit;
- in the end every Delivery row is delivered, each e-mail was sent once, no notice is doubled,
  and the first delivery after the restart happened within 10 s of Redis answering again.
"""

from __future__ import annotations

import email
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from concord.schedules import sync_schedules
from notifications.models import Channel, Delivery, DeliveryStatus, Notification
from workflows.cases.tests.factories import make_case, make_consent
from workflows.referrals import services

from .factories import referral_world

# At least this long down, so that a worker on kombu's default reconnect schedule (2, 4, 6 ... 30
# s between attempts: the 4th attempt comes 20 s after the loss) would miss the 10 s promise.
OUTAGE_SECONDS = 14
RESUME_WITHIN_SECONDS = 10
TRANSITIONS = 120  # submissions and acceptances of 60 referrals
SWEEP_NAME = "notifications: sweep pending deliveries"
logger = logging.getLogger(__name__)


def _every_second_sweep() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    sync_schedules()
    second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name=SWEEP_NAME).update(interval=second, enabled=True)


def _sent_emails(directory: Path) -> list[email.message.Message]:
    """Every message the file backend wrote (one file per connection, a line of 79 dashes after
    each message)."""
    messages = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def _wait_until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)  # polling a real worker's progress against a deadline
    raise AssertionError(f"{what}: not within {seconds} s")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(600)  # a real worker, a 14 s outage and a drain, on a shared 2-core host
def test_redis_killed_mid_run_every_notice_delivered_once_and_delivery_resumes_within_10_s(
    private_redis, celery_worker_process, tmp_path, settings
):
    settings.CONCORD_NOTIFY_SWEEP_DELAY_SECONDS = 1
    _every_second_sweep()
    world = referral_world()
    cases = [world["case"]]
    for _ in range(TRANSITIONS // 2 - 1):
        case = make_case(world["sender"], country="TH", nationality="TH")
        make_consent(case, organisations=[world["shelter"]])
        cases.append(case)
    referrals = [
        services.referral_create(
            case=case, receiver=world["shelter"], actor=world["officer"], services=["shelter"]
        )
        for case in cases
    ]
    celery_worker_process(beat=True, CONCORD_NOTIFY_SWEEP_DELAY_SECONDS="1")

    def transitions() -> Any:
        """Submit each referral, then accept it: TRANSITIONS, each committing alone."""
        for referral in referrals:
            yield lambda r=referral: services.referral_submit(referral=r, actor=world["officer"])
        for referral in referrals:
            yield lambda r=referral: services.referral_accept(
                referral=r, actor=world["shelter_officer"]
            )

    run = transitions()
    before_outage = [next(run)() for _ in range(15)]
    # Mid-run: the worker has tasks in hand or queued when Redis dies with all its keys.
    private_redis.kill()
    killed_at = time.monotonic()
    during: list[Any] = []
    last_before = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # Transitions while Redis is down, for OUTAGE_SECONDS (never using up the last 15, kept
    # for after the restart: on a quiet host they go faster than on a loaded one).
    while (time.monotonic() - killed_at < OUTAGE_SECONDS or len(during) < 15) and len(
        before_outage
    ) + len(during) < TRANSITIONS - 15:
        during.append(next(run)())  # commits while the broker is gone
    waiting = Delivery.objects.filter(pk__gt=last_before)
    assert waiting.exists()
    assert set(waiting.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    outage_ids = set(waiting.values_list("pk", flat=True))

    private_redis.start()
    back_at = datetime.now(tz=UTC)
    after = [step() for step in run]
    assert len(before_outage) + len(during) + len(after) == TRANSITIONS

    deliveries = Delivery.objects.all()
    _wait_until(
        lambda: not deliveries.exclude(status=DeliveryStatus.DELIVERED).exists(),
        seconds=120,
        what="every delivery delivered after the restart",
    )
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert not deliveries.filter(channel=Channel.DIGEST).exists()

    # Each e-mail left once: as many messages as e-mail rows, none about the same notice twice.
    email_rows = deliveries.filter(channel=Channel.EMAIL)
    _wait_until(
        lambda: len(_sent_emails(tmp_path / "mail")) >= email_rows.count(),
        seconds=10,
        what="the e-mail files written",
    )
    sent = _sent_emails(tmp_path / "mail")
    # One per submission, to the shelter's officer.
    assert len(sent) == email_rows.count() == TRANSITIONS // 2
    assert len({(m["To"], m["Subject"]) for m in sent}) == len(sent)

    # One notice per event and recipient, one event per transition.
    notices = Notification.objects.all()
    assert notices.count() == len({(n.event_key, n.recipient_id) for n in notices})
    assert notices.values("event_key").distinct().count() == TRANSITIONS

    # Delivery resumed within 10 s of Redis answering again, for the backlog as for new events.
    delivered_after = sorted(
        at
        for at in deliveries.filter(delivered_at__gte=back_at).values_list(
            "delivered_at", flat=True
        )
        if at is not None
    )
    resumed = (delivered_after[0] - back_at).total_seconds()
    backlog = [
        at
        for at in deliveries.filter(pk__in=outage_ids).values_list("delivered_at", flat=True)
        if at is not None
    ]
    backlog_done = (max(backlog) - back_at).total_seconds()
    figures = (
        f"outage {OUTAGE_SECONDS}+ s, {len(during)} transitions while down; first delivery "
        f"{resumed:.2f} s after Redis was back; the {len(outage_ids)} rows recorded while down "
        f"all delivered {backlog_done:.2f} s after"
    )
    logger.info(figures)  # shown with --log-cli-level=INFO
    assert resumed <= RESUME_WITHIN_SECONDS, figures
    assert backlog_done <= RESUME_WITHIN_SECONDS + 5, figures
