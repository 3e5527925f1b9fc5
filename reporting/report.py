"""The annual report of a coordination body as a PDF (reportlab).

seed 001:513 OPI "Production of annual reports or thematic reports". It holds the year's
meetings and decisions with their action items, the action plan's progress against the
Framework indicators, the statistics (suppressed as on the page) and the agreements in force.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from agreements.models import Agreement
from agreements.selectors import in_force_on
from coordination.models import CoordinationBody
from coordination.work.models import ActionItem, ActionPlan, Meeting, MeetingState, PlanState
from coordination.work.selectors import plan_progress

from .statistics import StatsFilter, statistics_for


def body_countries(body: CoordinationBody) -> set[str]:
    codes = set(body.countries.values_list("code", flat=True))
    if body.country_id:
        codes.add(body.country_id)
    return codes


def agreements_in_force(*, body: CoordinationBody, on: date) -> list[str]:
    """Titles of the agreements in force on `on` to which an organisation of the body's
    countries (or a State among them) is a partner (agreements' selector `in_force_on`)."""
    codes = body_countries(body)
    partners = Q(partners__country_id__in=codes) | Q(partners__organisation__country_id__in=codes)
    qs = Agreement.objects.filter(in_force_on(on)).filter(partners).distinct().order_by("title")
    return [f"{a.title} ({a.get_kind_display()})" for a in qs]


# The PDF's standard fonts have no glyph for these: write them in ASCII.
_PDF_ASCII = str.maketrans({"≥": ">=", "→": "->"})


def _ascii(text: Any) -> str:
    return str(text).translate(_PDF_ASCII)


def _p(text: Any, style: Any) -> Paragraph:
    return Paragraph(escape(_ascii(text)), style)


def _table(data: list[list[Any]], widths: list[float] | None = None) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def annual_report_pdf(*, body: CoordinationBody, year: int) -> bytes:
    styles = getSampleStyleSheet()
    h1, h2, h3, normal = styles["Title"], styles["Heading2"], styles["Heading3"], styles["BodyText"]
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    start, end = date(year, 1, 1), date(year, 12, 31)
    story: list[Any] = [
        _p(_("%(body)s — annual report %(year)s") % {"body": body.name, "year": year}, h1),
        _p(
            _('Seed 001 table 4 (line 513): "Production of annual reports or thematic reports".'),
            small,
        ),
        Spacer(1, 4 * mm),
    ]

    # Meetings and decisions
    story.append(_p(_("Meetings and decisions"), h2))
    meetings = list(
        Meeting.objects.filter(body=body, starts_at__date__gte=start, starts_at__date__lte=end)
        .prefetch_related(
            "attendance",
            Prefetch(
                "decisions__action_items", queryset=ActionItem.objects.select_related("owner")
            ),
        )
        .order_by("starts_at")
    )
    held = [m for m in meetings if m.state in (MeetingState.HELD, MeetingState.MINUTES_APPROVED)]
    story.append(
        _p(
            _("%(held)s meeting(s) held in %(year)s (%(all)s scheduled).")
            % {"held": len(held), "year": year, "all": len(meetings)},
            normal,
        )
    )
    for m in meetings:
        present = sum(1 for a in m.attendance.all() if a.status == "present")
        story.append(
            _p(
                f"{m.starts_at:%Y-%m-%d} — {m.title} ({m.get_state_display()}; "
                + _("%(n)s organisation(s) present") % {"n": present}
                + ")",
                h3,
            )
        )
        decisions = list(m.decisions.all())
        if not decisions:
            story.append(_p(_("No decision recorded."), small))
        rows: list[list[Any]] = [[_("No."), _("Decision"), _("Action items (owner, due, status)")]]
        for d in decisions:
            items = "; ".join(
                f"{i.description} — {i.owner} — {i.due_on:%Y-%m-%d} — {i.get_state_display()}"
                for i in d.action_items.all()
            )
            rows.append([str(d.number), _p(d.text, small), _p(items or "—", small)])
        if decisions:
            story.append(_table(rows, [12 * mm, 75 * mm, 88 * mm]))

    # Action plan progress
    story.append(_p(_("National action plan: progress against the Framework indicators"), h2))
    plans = list(
        ActionPlan.objects.filter(body=body)
        .exclude(state=PlanState.DRAFT)
        .filter(period_start__lte=end, period_end__gte=start)
        .order_by("-version")
    )
    if not plans:
        story.append(_p(_("No adopted plan covers this year."), normal))
    for plan in plans:
        story.append(
            _p(
                f"{plan.title} v{plan.version} ({plan.period_start} to {plan.period_end}; "
                f"{plan.get_state_display()})",
                h3,
            )
        )
        for pillar in plan_progress(plan=plan):
            story.append(
                _p(
                    _("Table %(t)s — %(p)s: %(pct)s%% on average, %(late)s late measure(s)")
                    % {
                        "t": pillar.table,
                        "p": pillar.pillar,
                        "pct": pillar.percent,
                        "late": pillar.late,
                    },
                    normal,
                )
            )
            rows = [
                [
                    _("Framework"),
                    _("Measure (owner)"),
                    _("Indicator: baseline → latest → target"),
                    _("Status"),
                ]
            ]
            for row, measures in pillar.rows:
                for mp in measures:
                    inds = "; ".join(
                        f"{ip.indicator.name}"
                        + (
                            f" [{ip.indicator.framework_indicator_id}]"
                            if ip.indicator.framework_indicator_id
                            else ""
                        )
                        + f": {ip.indicator.baseline} → "
                        + (str(ip.latest_value) if ip.latest_value is not None else "—")
                        + f" → {ip.indicator.target_value}"
                        for ip in mp.indicators
                    )
                    done_items = "; ".join(
                        f"{i.description} ({i.get_state_display()})" for i in mp.items
                    )
                    status = {
                        "achieved": _("achieved"),
                        "late": _("LATE"),
                        "in_progress": _("in progress"),
                        "not_started": _("not started"),
                    }[mp.status]
                    rows.append(
                        [
                            _p(
                                f"{row.code}"
                                + (
                                    f" / {mp.measure.framework_measure_id}"
                                    if mp.measure.framework_measure_id
                                    else ""
                                ),
                                small,
                            ),
                            _p(f"{mp.measure.title} ({mp.measure.owner})", small),
                            _p(
                                inds + (f" | {_('Items')}: {done_items}" if done_items else ""),
                                small,
                            ),
                            _p(f"{status} {mp.percent}%", small),
                        ]
                    )
            story.append(_table(rows, [24 * mm, 55 * mm, 76 * mm, 20 * mm]))

    # Statistics
    story.append(
        _p(
            _("Statistics (counts of 1 to 4 shown as <5; ≥5 hides a cell that would reveal one)"),
            h2,
        )
    )
    results = statistics_for(
        StatsFilter(date_from=start, date_to=end, countries=body_countries(body), period="quarter")
    )
    for fam in results:
        if not fam.available:
            story.append(
                _p(
                    _("%(family)s: not available yet (waiting for %(model)s).")
                    % {"family": fam.title, "model": fam.waiting_for},
                    small,
                )
            )
            continue
        for fig in fam.figures:
            story.append(_p(f"{fig.title} — {_('total')}: {fig.total}", h3))
            data = [[fig.dimension, _("Count")]] + [
                [_ascii(label), _ascii(shown)] for label, shown in fig.rows
            ]
            if len(data) == 1:
                data.append(["—", "0"])
            story.append(_table(data, [120 * mm, 30 * mm]))

    # Agreements in force
    story.append(_p(_("Agreements in force"), h2))
    agreements = agreements_in_force(body=body, on=end if end < date.today() else date.today())
    if not agreements:
        story.append(_p(_("No agreement in force."), normal))
    else:
        for title in agreements:
            story.append(_p(f"• {title}", normal))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"{body.name} {year}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        pageCompression=0,  # plain text streams: the report can be searched and checked
    )
    doc.build(story)
    return buf.getvalue()
