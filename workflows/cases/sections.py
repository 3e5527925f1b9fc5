"""What the apps built on case work add to a case: a section of the case page, and a part of the
case's HTCDS export.

Case work imports none of those apps (dependencies run one way); an app adds to a case from its
AppConfig.ready()::

    register_case_section(key="referrals", template="referrals/_case_section.html", order=10)
    register_export_part(key="cas_Referrals", records=referral_htcds_records)

A section's template is included in the case page with the page's context (`case`, `request`);
it reads what it shows through its own app's selectors, for the signed-in user. An export part's
`records(case=, user=)` returns the rows of the case's export under `key`, only what the user may
see. Registering the same key again replaces the earlier one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CaseSection:
    key: str
    template: str
    order: int


@dataclass(frozen=True)
class ExportPart:
    key: str
    records: Callable[..., Iterable[dict[str, Any]]]


_SECTIONS: dict[str, CaseSection] = {}
_EXPORT_PARTS: dict[str, ExportPart] = {}


def register_case_section(*, key: str, template: str, order: int = 50) -> None:
    _SECTIONS[key] = CaseSection(key=key, template=template, order=order)


def case_section_templates() -> list[str]:
    return [s.template for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))]


def register_export_part(*, key: str, records: Callable[..., Iterable[dict[str, Any]]]) -> None:
    _EXPORT_PARTS[key] = ExportPart(key=key, records=records)


def export_parts() -> list[ExportPart]:
    return list(_EXPORT_PARTS.values())
