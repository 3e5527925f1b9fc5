"""Periodic tasks of workflows (cases part; referrals and returns add theirs to SCHEDULES)."""

from __future__ import annotations

from datetime import timedelta

from concord.schedules import Schedule

SCHEDULES = [
    Schedule(
        name="cases: anonymise closed cases past retention",
        task="workflows.tasks.anonymise_expired_cases",
        crontab={"minute": "30", "hour": "2"},
        description=(
            "Erases the identifying details of closed cases whose country's retention period "
            "has passed; statistics and the event history are kept."
        ),
    ),
    Schedule(
        name="cases: end reflection periods that ran out",
        task="workflows.tasks.expire_reflection_periods",
        crontab={"minute": "15", "hour": "0"},
        description="Marks reflection periods whose time ran out as ended (an event per case).",
    ),
    # --- returns ---
    Schedule(
        name="returns: monitoring visits missed",
        task="workflows.tasks.return_monitoring_sweep",
        every=timedelta(hours=1),
        description="Marks post-return monitoring visits missed when no outcome was recorded "
        "within the grace period, and alerts both States (seed 004:355).",
    ),
    Schedule(
        name="returns: steps overdue",
        task="workflows.tasks.return_steps_overdue_sweep",
        every=timedelta(hours=1),
        description="Alerts both States once when a return procedure's step passes its due date.",
    ),
    Schedule(
        name="referrals: escalate unanswered referrals",
        task="workflows.tasks.escalate_overdue_referrals",
        every=timedelta(minutes=5),
        description=(
            "A referral not answered by its deadline escalates to the sending organisation's "
            "supervisors and the national coordination body (once per referral)."
        ),
    ),
]
