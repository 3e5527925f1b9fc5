"""The lifecycle diagram, drawn as SVG from the state machine itself (the transitions declared on
Agreement.state), so it cannot drift from the code."""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import escape

from .models import Agreement, AgreementState

# Where each state sits (column, row); a state added later without a place goes to the last row.
POSITIONS: dict[str, tuple[int, int]] = {
    AgreementState.DRAFT: (0, 0),
    AgreementState.CONSULTATION: (1, 0),
    AgreementState.AWAITING_SIGNATURES: (2, 0),
    AgreementState.IN_FORCE: (3, 0),
    AgreementState.SUSPENDED: (3, 1),
    AgreementState.EXPIRED: (4, 0),
    AgreementState.TERMINATED: (4, 1),
    AgreementState.SUPERSEDED: (4, 2),
    AgreementState.WITHDRAWN: (1, 2),
}
BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 150, 44, 60, 70, 20


def transitions() -> list[tuple[str, str, str]]:
    """(source, target, name) for every declared transition, '*' sources expanded."""
    field = Agreement._meta.get_field("state")
    out = []
    for t in field.get_all_transitions(Agreement):
        sources = [s for s, _l in AgreementState.choices] if t.source in ("*", "+") else [t.source]
        for source in sources:
            if t.target and source != t.target:
                out.append((str(source), str(t.target), t.name))
    return sorted(set(out))


def _center(state: str, extra_row: int) -> tuple[float, float]:
    col, row = POSITIONS.get(state, (0, extra_row))
    return PAD + col * (BOX_W + GAP_X) + BOX_W / 2, PAD + row * (BOX_H + GAP_Y) + BOX_H / 2


def lifecycle_svg(*, current: str | None = None) -> str:
    labels = dict(AgreementState.choices)
    extra_row = max(r for _c, r in POSITIONS.values()) + 1
    states = [s for s, _l in AgreementState.choices]
    cols = max(c for c, _r in POSITIONS.values()) + 1
    width = PAD * 2 + cols * BOX_W + (cols - 1) * GAP_X
    height = PAD * 2 + (extra_row + (1 if any(s not in POSITIONS for s in states) else 0)) * (
        BOX_H + GAP_Y
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Agreement lifecycle" class="lifecycle">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
    ]
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, target, name in transitions():
        grouped[(source, target)].append(name)
    for (source, target), names in grouped.items():
        x1, y1 = _center(source, extra_row)
        x2, y2 = _center(target, extra_row)
        back = (target, source) in grouped
        offset = 8 if back else 0
        # leave and enter the boxes at their edges
        if abs(x2 - x1) >= abs(y2 - y1):
            sx = 1 if x2 > x1 else -1
            x1, x2 = x1 + sx * BOX_W / 2, x2 - sx * BOX_W / 2
            y1, y2 = y1 + offset * sx, y2 + offset * sx
        else:
            sy = 1 if y2 > y1 else -1
            y1, y2 = y1 + sy * BOX_H / 2, y2 - sy * BOX_H / 2
            x1, x2 = x1 + offset * sy, x2 + offset * sy
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555" '
            f'stroke-width="1.3" marker-end="url(#arrow)"><title>{escape(", ".join(names))}'
            "</title></line>"
        )
        label = escape(", ".join(n.replace("_", " ") for n in names))
        parts.append(
            f'<text x="{(x1 + x2) / 2:.0f}" y="{(y1 + y2) / 2 - 4:.0f}" font-size="10" '
            f'text-anchor="middle" fill="#333">{label}</text>'
        )
    for state in states:
        cx, cy = _center(state, extra_row)
        fill = "#fde68a" if state == current else "#eef2f7"
        parts.append(
            f'<g data-state="{state}"><rect x="{cx - BOX_W / 2:.0f}" y="{cy - BOX_H / 2:.0f}" '
            f'width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="#334"/>'
            f'<text x="{cx:.0f}" y="{cy + 4:.0f}" font-size="12" text-anchor="middle">'
            f"{escape(str(labels[state]))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
