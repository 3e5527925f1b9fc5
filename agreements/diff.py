"""A readable, element-by-element comparison of two versions (difflib).

For each element and language: unchanged / added / removed / changed, with word-level segments
(`equal`, `insert`, `delete`) for the page to show as <ins>/<del>, and a unified diff of lines
for the API. Metadata changes (title, dates, partners, coverage, commitments) are listed too.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AgreementVersion, TemplateElement
from .selectors import version_clauses

UNCHANGED = "unchanged"
ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

_TOKEN = re.compile(r"\s+|[^\s]+")

META_LABELS = {
    "title": gettext_lazy("Title"),
    "languages": gettext_lazy("Languages"),
    "effective_date": gettext_lazy("Effective date"),
    "end_date": gettext_lazy("End date"),
    "duration_months": gettext_lazy("Duration (months)"),
    "review_date": gettext_lazy("Review date"),
    "partners": gettext_lazy("Partners"),
    "coverage": gettext_lazy("Coverage"),
    "commitments": gettext_lazy("Commitments"),
}


def word_segments(old: str, new: str) -> list[dict[str, str]]:
    """Word-level edit segments turning `old` into `new`."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append({"op": "equal", "text": "".join(a[i1:i2])})
            continue
        if i2 > i1:
            segments.append({"op": "delete", "text": "".join(a[i1:i2])})
        if j2 > j1:
            segments.append({"op": "insert", "text": "".join(b[j1:j2])})
    return segments


def _unified(old: str, new: str, label: str) -> str:
    return "\n".join(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), f"{label} (old)", f"{label} (new)", lineterm=""
        )
    )


def _partners_text(partners: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{p.get('name')}"
        + (f" [{p['country']}]" if p.get("country") else "")
        + f" — {_('mandate')}: {p.get('mandate') or '-'}"
        + f"; {_('area')}: {p.get('area_of_operation') or '-'}"
        for p in partners
    )


def _meta_value(field: str, value: Any) -> str:
    if field == "partners":
        return _partners_text(value or [])
    if field == "coverage":
        return "; ".join(
            f"{k}: {', '.join(map(str, v)) or '-'}" for k, v in sorted((value or {}).items())
        )
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def version_diff(*, old: AgreementVersion, new: AgreementVersion) -> dict[str, Any]:
    """Compare two versions of the same agreement (either order is fine)."""
    elements = TemplateElement.objects.filter(template__agreements=old.agreement_id).order_by(
        "position", "id"
    )
    old_clauses, new_clauses = version_clauses(old), version_clauses(new)
    languages = list(
        dict.fromkeys([*(old.meta.get("languages") or []), *(new.meta.get("languages") or [])])
    )
    out_elements = []
    changed_count = 0
    for element in elements:
        langs: dict[str, Any] = {}
        statuses = set()
        for lang in languages:
            a = (old_clauses.get(element.key) or {}).get(lang, "")
            b = (new_clauses.get(element.key) or {}).get(lang, "")
            if a == b:
                status = UNCHANGED
            elif not a:
                status = ADDED
            elif not b:
                status = REMOVED
            else:
                status = CHANGED
            statuses.add(status)
            langs[lang] = {
                "status": status,
                "segments": word_segments(a, b)
                if status != UNCHANGED
                else [{"op": "equal", "text": a}],
                "unified": _unified(a, b, f"{element.key}/{lang}") if status != UNCHANGED else "",
            }
        overall = (
            UNCHANGED
            if statuses <= {UNCHANGED}
            else (
                next(iter(statuses - {UNCHANGED})) if len(statuses - {UNCHANGED}) == 1 else CHANGED
            )
        )
        if overall != UNCHANGED:
            changed_count += 1
        out_elements.append(
            {"key": element.key, "title": element.title, "status": overall, "languages": langs}
        )
    meta_changes = []
    for field, label in META_LABELS.items():
        a, b = old.meta.get(field), new.meta.get(field)
        if a != b:
            va, vb = _meta_value(field, a), _meta_value(field, b)
            meta_changes.append(
                {
                    "field": field,
                    "label": str(label),
                    "old": va,
                    "new": vb,
                    "segments": word_segments(va, vb),
                }
            )
    return {
        "from": {"number": old.number, "hash": old.content_hash},
        "to": {"number": new.number, "hash": new.content_hash},
        "elements_changed": changed_count,
        "meta": meta_changes,
        "elements": out_elements,
    }
