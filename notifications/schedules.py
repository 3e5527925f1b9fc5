from datetime import timedelta

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="notifications: sweep pending deliveries",
        task="notifications.tasks.sweep_pending",
        every=timedelta(seconds=5),
        description=(
            "Sends notices and webhooks still pending (recorded while the broker or a worker was "
            "down, or failed and due for another attempt)."
        ),
    ),
    Schedule(
        name="notifications: daily digest",
        task="notifications.tasks.send_daily_digests",
        crontab={"minute": "0", "hour": "6"},
        description="One e-mail per person who chose the daily digest for some kinds.",
    ),
]
