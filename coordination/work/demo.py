"""Demo of the working side: a year of meetings of Thailand's national committee with decisions
and action items in every state, and a national action plan with measures from Framework tables
2, 4 and 5 in several states of progress. Called from coordination.demo.load after the
organisations, bodies and users exist. Idempotent: a meeting is found by (body, title), the plan
by (body, title); what exists is left as it is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from coordination.models import Seat

from . import services
from .models import ActionPlan, FrameworkItem, FrameworkRow, Meeting

PLAN_TITLE = "National Plan of Action against Trafficking in Persons"


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _meetings(body: Any, actor: Any, orgs: dict[str, Any], measures: dict[str, Any]) -> int:
    today = timezone.localdate()
    members = [
        s.organisation for s in body.seats.select_related("organisation") if s.seat != Seat.OBSERVER
    ]
    # (days ago, title, agenda, decisions: (text, [(owner handle, description, due in days from
    #  the meeting, final state, measure key)]))
    plan: list[tuple[Any, ...]] = [
        (
            330,
            "First quarterly meeting",
            ["Adoption of the agenda", "Draft national plan of action", "Data collection"],
            [
                (
                    "The secretariat circulates the draft national plan of action for comments.",
                    [
                        (
                            "secretariat",
                            "Circulate the draft plan to all members",
                            30,
                            "done",
                            "plan",
                        )
                    ],
                ),
                (
                    "Members agree a common data set for statistics (seed 001 footnote 19).",
                    [
                        (
                            "police",
                            "Propose the common data set for identified victims",
                            60,
                            "done",
                            "data",
                        )
                    ],
                ),
            ],
        ),
        (
            240,
            "Second quarterly meeting",
            ["Follow-up of action items", "Identification guidelines", "Referral SOP"],
            [
                (
                    "Draft identification guidelines with the labour inspectorate and NGOs.",
                    [("labour", "Draft identification guidelines", 90, "done", "identification")],
                ),
                (
                    "Map shelters and services for the referral directory.",
                    [
                        (
                            "shelter_ngo",
                            "Map shelters and services by province",
                            120,
                            "in_progress",
                            "referral",
                        )
                    ],
                ),
            ],
        ),
        (
            150,
            "Third quarterly meeting",
            ["Return procedures with Cambodia", "Budget"],
            [
                (
                    "Prepare the return risk-assessment form with the child protection authority.",
                    [
                        (
                            "child_protection",
                            "Draft the return risk-assessment form",
                            45,
                            "open",
                            "return",
                        ),
                        (
                            "immigration",
                            "Nominate a focal point for returns",
                            30,
                            "cancelled",
                            None,
                        ),
                    ],
                ),
            ],
        ),
        (
            60,
            "Fourth quarterly meeting",
            ["Progress of the plan", "Annual report"],
            [
                (
                    "The secretariat drafts the annual report for the minister.",
                    [("secretariat", "Draft the annual report", 80, "open", "report")],
                ),
            ],
        ),
    ]
    created = 0
    for days_ago, title, agenda, decisions in plan:
        if Meeting.objects.filter(body=body, title=title).exists():
            continue
        day = today - timedelta(days=days_ago)
        meeting = services.meeting_schedule(
            body=body,
            title=title,
            starts_at=_at(day),
            place="Government House, Bangkok",
            agenda=agenda,
            actor=actor,
        )
        for i, org in enumerate(members):
            services.attendance_record(
                meeting=meeting,
                organisation=org,
                status="present" if i % 5 else "excused",
                actor=actor,
            )
        services.meeting_hold(meeting=meeting, actor=actor)
        for text, items in decisions:
            specs = [
                {
                    "owner": orgs[handle],
                    "description": description,
                    "due_on": day + timedelta(days=due),
                    "measure": measures.get(key) if key else None,
                }
                for handle, description, due, _state, key in items
            ]
            decision = services.decision_record(
                meeting=meeting, text=text, action_items=specs, actor=actor
            )
            for item, (_h, _d, _due, state, _k) in zip(
                decision.action_items.order_by("id"), items, strict=True
            ):
                if state in ("in_progress", "done"):
                    services.action_item_start(item=item, actor=actor)
                if state == "done":
                    services.action_item_complete(
                        item=item,
                        evidence_link="https://example.org/concord-demo/evidence",
                        actor=actor,
                    )
                if state == "cancelled":
                    services.action_item_cancel(
                        item=item,
                        grounds="The immigration bureau already has a returns desk.",
                        actor=actor,
                    )
        services.minutes_save(
            meeting=meeting,
            minutes=f"{title}: the members reviewed the agenda items and took the decisions below.",
            actor=actor,
        )
        if days_ago > 90:
            services.meeting_approve_minutes(meeting=meeting, actor=actor)
        created += 1
    if not Meeting.objects.filter(body=body, title="Next quarterly meeting").exists():
        services.meeting_schedule(
            body=body,
            title="Next quarterly meeting",
            starts_at=_at(today + timedelta(days=30)),
            call_link="https://meet.example.org/concord-demo",
            agenda=["Mid-term review of the plan"],
            actor=actor,
        )
        created += 1
    return created


def _plan(body: Any, actor: Any, orgs: dict[str, Any]) -> tuple[ActionPlan, dict[str, Any], bool]:
    existing = ActionPlan.objects.filter(body=body, title=PLAN_TITLE).order_by("-version").first()
    if existing is not None:
        measures = {m.budget_line.split(" ", 1)[0]: m for m in existing.measures.all()}
        return existing, measures, False
    today = timezone.localdate()
    plan = services.action_plan_create(
        body=body,
        title=PLAN_TITLE,
        period_start=date(today.year - 1, 1, 1),
        period_end=date(today.year + 1, 12, 31),
        funding_requirements=(
            "THB 48 million over three years (coordination, identification, shelters, returns)."
        ),
        funding_sources="State budget (ministries' lines); IOM and UNICEF project funds.",
        actor=actor,
    )
    row = {r.code: r for r in FrameworkRow.objects.all()}
    item = {i.code: i for i in FrameworkItem.objects.all()}
    # key, row, framework measure, title, owner, target, due (days from today), indicators
    # (name, framework indicator, baseline, target, [values reported, oldest first])
    specs: list[tuple[Any, ...]] = [
        (
            "plan",
            "T4-R1",
            "T4-R1-M2",
            "Adopt and publish the national plan of action",
            "secretariat",
            "Plan adopted by the committee",
            -200,
            [("Plan adopted (0/1)", "T4-R1-I8", 0, 1, [1])],
        ),
        (
            "meet",
            "T4-R1",
            "T4-R1-M3",
            "Committee meets every quarter",
            "secretariat",
            "4 meetings a year",
            300,
            [("Meetings held this year", "T4-R1-I4", 0, 4, [1, 2, 3])],
        ),
        (
            "data",
            "T4-R1",
            "T4-R1-M4",
            "Centralised data collection on identified victims",
            "police",
            "Common data set used by all identifying agencies",
            -20,
            [("Agencies reporting with the common data set", "T4-R1-I5", 0, 6, [2])],
        ),
        (
            "report",
            "T4-R1",
            "T4-R1-M5",
            "Annual report to the minister",
            "secretariat",
            "One annual report a year",
            90,
            [("Annual reports produced", "T4-R1-I7", 0, 1, [])],
        ),
        (
            "ngo",
            "T4-R2",
            "T4-R2-M2",
            "Cooperation agreements with NGOs running shelters",
            "ministry",
            "Agreements with the 5 shelter NGOs",
            200,
            [("NGO agreements signed", "T4-R2-I1", 1, 5, [2, 3])],
        ),
        (
            "kh",
            "T5-R1",
            "T5-R1-M2",
            "Cooperation agreement with Cambodia on referral and return",
            "ministry",
            "Bilateral MOU signed",
            150,
            [("Agreement on cooperation in place (0/1)", "T5-R1-I1", 0, 1, [1])],
        ),
        (
            "identification",
            "T2-R1",
            "T2-R1-M2",
            "National identification guidelines",
            "labour",
            "Guidelines issued to all first responders",
            -60,
            [("First responders trained", "T2-R1-I12", 0, 400, [120, 180])],
        ),
        (
            "referral",
            "T2-R1",
            "T2-R1-M10",
            "Mutual referral between protection systems",
            "social_services",
            "Referral directory online in all provinces",
            240,
            [("Provinces covered by the referral directory", "T2-R1-I5", 10, 77, [25])],
        ),
        (
            "return",
            "T2-R11",
            "T2-R11-M4",
            "Risk assessment before every return",
            "child_protection",
            "Every return preceded by a risk assessment",
            120,
            [("Returns with a prior risk assessment (%)", "T2-R11-I3", 40, 100, [])],
        ),
    ]
    created: dict[str, tuple[Any, Any]] = {}
    for key, row_code, fm, title, owner, target, due, indicators in specs:
        m = services.plan_measure_add(
            plan=plan,
            framework_row=row[row_code],
            framework_measure=item[fm],
            title=title,
            owner=orgs[owner],
            target=target,
            due_on=today + timedelta(days=due),
            budget_line=f"{key} — ministry budget line {row_code}",
            budget_amount=Decimal("1500000"),
            actor=actor,
        )
        created[key] = (m, indicators)
    for _key, (m, indicators) in created.items():
        for name, fi, base, tgt, _values in indicators:
            services.measure_indicator_add(
                measure=m,
                name=name,
                framework_indicator=item[fi],
                baseline=Decimal(base),
                target_value=Decimal(tgt),
                actor=actor,
            )
    services.action_plan_adopt(plan=plan, actor=actor)
    services.action_plan_start_implementation(plan=plan, actor=actor)
    for _key, (m, indicators) in created.items():
        for ind, (_n, _fi, _b, _t, values) in zip(
            m.indicators.order_by("id"), indicators, strict=True
        ):
            for i, value in enumerate(values):
                services.progress_report_add(
                    indicator=ind,
                    value=Decimal(value),
                    reported_on=today - timedelta(days=30 * (len(values) - i)),
                    narrative="Reported at the quarterly meeting.",
                    evidence_link="https://example.org/concord-demo/progress",
                    actor=actor,
                )
    return plan, {k: m for k, (m, _i) in created.items()}, True


@transaction.atomic
def load(*, stdout: Any) -> None:
    from coordination.demo import ORGS, demo_body, demo_org, demo_user

    body = demo_body("TH")
    actor = demo_user("th_coordinator")
    orgs = {spec.handle: demo_org("TH", spec.handle) for spec in ORGS}
    plan, measures, new_plan = _plan(body, actor, orgs)
    meetings = _meetings(body, actor, orgs, measures)
    stdout.write(
        f"coordination work: {meetings} new meeting(s) of {body.name}; "
        f"action plan {'created' if new_plan else 'kept'} ({plan.measures.count()} measures)"
    )
