"""The compliance checker: element by element, present / missing / weak, with the reasons.

Driven by the rules stored on each TemplateElement (reference data, see
agreements/reference/templates.yaml for the rule kinds); nothing here knows a template. The
checker is a pure function of the text, so the editor can check unsaved text as the user types
(the compliance API endpoint) and the guard checks the current version the same way.

An agreement passes when no required element is missing and no blocking rule found an element
weak (seed 004:456-462, 001:521 MEAS, 001:529 MEAS: "at a minimum").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .versioning import normalise_text

PRESENT = "present"
MISSING = "missing"
WEAK = "weak"


@dataclass
class ElementResult:
    key: str
    title: str
    required: bool
    status: str = PRESENT
    reasons: list[str] = field(default_factory=list)
    blocking: bool = False

    def weaken(self, reason: str, *, blocking: bool) -> None:
        if self.status == PRESENT:
            self.status = WEAK
        self.reasons.append(reason)
        self.blocking = self.blocking or blocking

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "required": self.required,
            "status": self.status,
            "reasons": self.reasons,
            "blocking": self.blocking,
        }


@dataclass
class ComplianceReport:
    elements: list[ElementResult]
    commitments_ticked: list[str]
    commitments_total: int

    @property
    def missing(self) -> list[ElementResult]:
        return [e for e in self.elements if e.required and e.status == MISSING]

    @property
    def blocking_weak(self) -> list[ElementResult]:
        return [e for e in self.elements if e.status == WEAK and e.blocking]

    @property
    def passes(self) -> bool:
        return not self.missing and not self.blocking_weak

    def summary(self) -> str:
        parts = []
        if self.missing:
            parts.append(_("missing: %s") % ", ".join(e.title for e in self.missing))
        if self.blocking_weak:
            parts.append(
                _("too weak: %s")
                % "; ".join(f"{e.title} ({' '.join(e.reasons)})" for e in self.blocking_weak)
            )
        return "; ".join(parts) if parts else _("All required elements are present.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "passes": self.passes,
            "summary": self.summary(),
            "missing": [e.key for e in self.missing],
            "blocking": [e.key for e in self.blocking_weak],
            "elements": [e.as_dict() for e in self.elements],
            "commitments": {
                "ticked": len(self.commitments_ticked),
                "total": self.commitments_total,
                "codes": self.commitments_ticked,
            },
        }


def _mentions(text: str, term: str) -> bool:
    # prefix match at a word start, any case: "child" finds "children", "responsib" "responsible"
    return re.search(r"(?<!\w)" + re.escape(term.lower()), text.lower()) is not None


@dataclass
class ElementSpec:
    key: str
    title: str
    required: bool
    rules: list[dict[str, Any]]


def check(
    *,
    elements: Sequence[ElementSpec],
    clauses: dict[str, dict[str, str]],
    languages: Sequence[str],
    partners: Iterable[dict[str, Any]],
    target_groups: Iterable[str],
    commitments_ticked: Iterable[str] = (),
    commitments_total: int = 0,
) -> ComplianceReport:
    """Check `clauses` ({element_key: {language: text}}) against the elements' rules.

    `partners` are dicts with name, acronym, mandate, area_of_operation; `target_groups` the
    coverage's target-group codes."""
    languages = list(languages) or ["en"]
    primary = languages[0]
    partners = list(partners)
    groups = set(target_groups)
    partner_names = [p[k] for p in partners for k in ("name", "acronym") if p.get(k)]
    results = []
    for element in elements:
        result = ElementResult(key=element.key, title=element.title, required=element.required)
        texts = {
            lang: normalise_text((clauses.get(element.key) or {}).get(lang, ""))
            for lang in languages
        }
        primary_text = texts.get(primary, "")
        all_text = "\n".join(t for t in texts.values() if t)
        if not primary_text:
            result.status = MISSING
            result.reasons.append(
                _("No text yet.") if element.required else _("Optional; no text.")
            )
            results.append(result)
            continue
        for rule in element.rules:
            kind = rule.get("check")
            blocking = bool(rule.get("blocking", False))
            reason = rule.get("reason") or ""
            if kind == "present":
                min_words = int(rule.get("min_words") or 0)
                words = len(primary_text.split())
                if min_words and words < min_words:
                    result.weaken(
                        _("Only %(n)d words; say more (at least %(m)d).")
                        % {"n": words, "m": min_words},
                        blocking=blocking,
                    )
            elif kind == "translated":
                for lang in languages[1:]:
                    if not texts.get(lang):
                        result.weaken(_("No text in language %s.") % lang, blocking=blocking)
            elif kind == "mentions":
                when = rule.get("when_target_groups") or []
                if when and not groups.intersection(when):
                    continue
                absent = []
                for group in rule.get("groups") or []:
                    terms = list(group.get("terms") or [])
                    if rule.get("or_partner_names"):
                        terms += partner_names
                    if not any(_mentions(all_text, t) for t in terms):
                        absent.append(str(group.get("label") or terms[0]))
                if absent:
                    message = _("Says nothing of %s.") % _join(absent)
                    if when:
                        message = _(
                            "The target groups include %(groups)s, but this element says "
                            "nothing of %(absent)s."
                        ) % {
                            "groups": ", ".join(sorted(groups.intersection(when))),
                            "absent": _join(absent),
                        }
                    result.weaken(f"{message} {reason}".strip(), blocking=blocking)
            elif kind == "partners_have":
                labels = {"mandate": _("mandate"), "area_of_operation": _("area of operation")}
                for partner in partners:
                    lacking = [
                        labels.get(f, f)
                        for f in rule.get("fields") or []
                        if not normalise_text(str(partner.get(f) or ""))
                    ]
                    if lacking:
                        result.weaken(
                            _("Partner %(name)s has no %(fields)s.")
                            % {"name": partner.get("name"), "fields": _join(lacking)},
                            blocking=blocking,
                        )
        results.append(result)
    return ComplianceReport(
        elements=results,
        commitments_ticked=sorted(set(commitments_ticked)),
        commitments_total=commitments_total,
    )


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + _("or") + " " + items[-1]
