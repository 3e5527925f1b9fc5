"""The post-return monitoring schedule (seed 004:355 "Victims returned to their place of origin ...
should be monitored to ensure that they do not face any retaliation from traffickers or being
re-trafficked"; seed 001:483 OPI "monitoring tools to measure sustainability of reintegration").

A schedule is a list of months after handover (default 1, 3, 6 and 12, editable per case and per
country). A visit is *missed* when no outcome is recorded `grace_days` after its due date; an
outcome of concerns, re-trafficking risk or lost contact is *alarming*. Both alert the two States.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext_lazy as _

DEFAULT_MONTHS: tuple[int, ...] = (1, 3, 6, 12)
DEFAULT_GRACE_DAYS = 14
MAX_MONTHS = 60

OUTCOME_SAFE = "safe"
OUTCOME_CONCERNS = "concerns"
OUTCOME_RE_TRAFFICKING_RISK = "re_trafficking_risk"
OUTCOME_LOST_CONTACT = "lost_contact"
OUTCOME_CHOICES = [
    (OUTCOME_SAFE, _("Safe")),
    (OUTCOME_CONCERNS, _("Concerns")),
    (OUTCOME_RE_TRAFFICKING_RISK, _("Re-trafficking risk")),
    (OUTCOME_LOST_CONTACT, _("Lost contact")),
]
ALARMING_OUTCOMES = frozenset({OUTCOME_CONCERNS, OUTCOME_RE_TRAFFICKING_RISK, OUTCOME_LOST_CONTACT})


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def clean_months(months: Iterable[int]) -> tuple[int, ...]:
    """Sorted, distinct, positive month offsets; raises ValueError naming the rule otherwise."""
    values = sorted({int(m) for m in months})
    if not values:
        raise ValueError("A monitoring schedule needs at least one visit.")
    if values[0] < 1 or values[-1] > MAX_MONTHS:
        raise ValueError(f"Visits are between 1 and {MAX_MONTHS} months after handover.")
    return tuple(values)


def visit_due_dates(handed_over_on: date, months: Iterable[int]) -> list[tuple[int, date]]:
    """(months after handover, due date) for each visit of the schedule."""
    return [(m, add_months(handed_over_on, m)) for m in clean_months(months)]


def is_missed(*, due_on: date, outcome: str, today: date, grace_days: int) -> bool:
    return not outcome and (today - due_on).days > grace_days
