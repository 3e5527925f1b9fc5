"""Reads for meetings, action items and plans. What a user may not see does not exist for them:
every read goes through a `*_visible_to(user=...)` selector (a body's seats decide)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from coordination.models import BodySeat, CoordinationBody, Seat
from coordination.permissions import organisation_ids_for
from coordination.work.models import (
    ACTION_ITEM_PENDING,
    ActionItem,
    ActionPlan,
    FrameworkRow,
    MeasureIndicator,
    Meeting,
    PlanMeasure,
    ProgressReport,
)

from .permissions import body_ids_readable_by


def bodies_visible_to(*, user: Any) -> QuerySet[CoordinationBody]:
    qs = CoordinationBody.objects.select_related("country", "national_coordinator")
    ids = body_ids_readable_by(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def meetings_visible_to(*, user: Any) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("body")
    ids = body_ids_readable_by(user)
    return qs if ids is None else qs.filter(body_id__in=ids)


def action_items_visible_to(*, user: Any) -> QuerySet[ActionItem]:
    """Items of the bodies the user holds a seat in, and items their organisation owns."""
    qs = ActionItem.objects.select_related(
        "body", "owner", "decision", "decision__meeting", "measure"
    )
    ids = body_ids_readable_by(user)
    if ids is None:
        return qs
    return qs.filter(Q(body_id__in=ids) | Q(owner_id__in=organisation_ids_for(user)))


def plans_visible_to(*, user: Any) -> QuerySet[ActionPlan]:
    qs = ActionPlan.objects.select_related("body")
    ids = body_ids_readable_by(user)
    return qs if ids is None else qs.filter(body_id__in=ids)


def meeting_detail(*, meeting: Meeting) -> Meeting:
    """The meeting with everything its page shows, in a fixed number of queries."""
    return (
        Meeting.objects.select_related("body")
        .prefetch_related(
            "agenda_items",
            "attendance__organisation",
            Prefetch(
                "decisions__action_items",
                queryset=ActionItem.objects.select_related("owner", "measure"),
            ),
            "events__actor",
        )
        .get(pk=meeting.pk)
    )


def body_member_seats(*, body: CoordinationBody) -> QuerySet[BodySeat]:
    return body.seats.select_related("organisation").order_by("seat", "organisation__name")


def action_item_recipient_organisations(item: ActionItem) -> list[int]:
    """Who is told about an item: its owner organisation and the body's secretariat."""
    ids = [item.owner_id]
    ids += list(
        BodySeat.objects.filter(body_id=item.body_id, seat=Seat.SECRETARIAT).values_list(
            "organisation_id", flat=True
        )
    )
    return list(dict.fromkeys(ids))


def action_board(*, body: CoordinationBody, user: Any) -> dict[str, list[ActionItem]]:
    """The body's items by column; overdue items first within a column (one query)."""
    items = action_items_visible_to(user=user).filter(body=body).order_by("due_on", "id")
    columns: dict[str, list[ActionItem]] = {
        "open": [],
        "in_progress": [],
        "done": [],
        "cancelled": [],
    }
    for item in items:
        columns[item.state].append(item)
    for key in ("open", "in_progress"):
        columns[key].sort(key=lambda i: (not i.is_overdue, i.due_on))
    return columns


# --- plan progress -------------------------------------------------------------------------------


@dataclass
class IndicatorProgress:
    indicator: MeasureIndicator
    latest_value: Decimal | None
    latest_on: date | None
    reports: int

    @property
    def achieved(self) -> bool:
        if self.latest_value is None:
            return False
        ind = self.indicator
        if ind.target_value >= ind.baseline:
            return self.latest_value >= ind.target_value
        return self.latest_value <= ind.target_value

    @property
    def percent(self) -> int:
        """Share of the way from baseline to target, 0-100."""
        ind = self.indicator
        if self.latest_value is None:
            return 0
        span = ind.target_value - ind.baseline
        if span == 0:
            return 100 if self.achieved else 0
        share = (self.latest_value - ind.baseline) / span * 100
        return int(max(Decimal(0), min(Decimal(100), share)))


@dataclass
class MeasureProgress:
    measure: PlanMeasure
    indicators: list[IndicatorProgress]
    items_total: int
    items_done: int
    items_overdue: int
    items: list[ActionItem] = field(default_factory=list)

    @property
    def percent(self) -> int:
        if not self.indicators:
            return 0
        return sum(i.percent for i in self.indicators) // len(self.indicators)

    @property
    def achieved(self) -> bool:
        return bool(self.indicators) and all(i.achieved for i in self.indicators)

    @property
    def is_late(self) -> bool:
        """Past its due date without reaching its targets, or with an overdue action item."""
        today = timezone.localdate()
        past_due = self.measure.due_on is not None and self.measure.due_on < today
        return (past_due and not self.achieved) or self.items_overdue > 0

    @property
    def status(self) -> str:
        if self.achieved:
            return "achieved"
        if self.is_late:
            return "late"
        if any(i.latest_value is not None for i in self.indicators) or self.items_done:
            return "in_progress"
        return "not_started"


@dataclass
class PillarProgress:
    table: int
    pillar: str
    rows: list[tuple[FrameworkRow, list[MeasureProgress]]]

    @property
    def measures(self) -> list[MeasureProgress]:
        return [m for _row, ms in self.rows for m in ms]

    @property
    def percent(self) -> int:
        ms = self.measures
        return sum(m.percent for m in ms) // len(ms) if ms else 0

    @property
    def late(self) -> int:
        return sum(1 for m in self.measures if m.is_late)


def plan_progress(*, plan: ActionPlan) -> list[PillarProgress]:
    """The plan's progress by pillar (Framework table), row and measure, in five queries whatever
    the number of measures, indicators and reports: latest values come from a subquery."""
    today = timezone.localdate()
    latest = ProgressReport.objects.filter(indicator=OuterRef("pk")).order_by("-reported_on", "-id")
    indicators = MeasureIndicator.objects.select_related("framework_indicator").annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_on=Subquery(latest.values("reported_on")[:1]),
        report_count=Count("reports"),
    )
    items = ActionItem.objects.select_related("owner", "decision__meeting").order_by("due_on")
    measures = (
        plan.measures.select_related("framework_row", "framework_measure", "owner")
        .prefetch_related(
            Prefetch("indicators", queryset=indicators),
            Prefetch("action_items", queryset=items),
        )
        .order_by("framework_row__position", "position", "id")
    )
    pillars: dict[int, PillarProgress] = {}
    for m in measures:
        row = m.framework_row
        inds = [
            IndicatorProgress(
                indicator=i,
                latest_value=getattr(i, "latest_value", None),
                latest_on=getattr(i, "latest_on", None),
                reports=getattr(i, "report_count", 0),
            )
            for i in m.indicators.all()
        ]
        its = list(m.action_items.all())
        mp = MeasureProgress(
            measure=m,
            indicators=inds,
            items_total=len(its),
            items_done=sum(1 for i in its if i.state == "done"),
            items_overdue=sum(
                1 for i in its if i.state in ACTION_ITEM_PENDING and i.due_on < today
            ),
            items=its,
        )
        pillar = pillars.setdefault(row.table, PillarProgress(row.table, row.pillar, []))
        if pillar.rows and pillar.rows[-1][0].pk == row.pk:
            pillar.rows[-1][1].append(mp)
        else:
            pillar.rows.append((row, [mp]))
    return [pillars[k] for k in sorted(pillars)]


def framework_rows() -> QuerySet[FrameworkRow]:
    return FrameworkRow.objects.prefetch_related("items").order_by("position")
