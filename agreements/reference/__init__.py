"""Reference data of agreements (templates, their elements and rules, recommended commitments) and
the loader the data migration and `manage.py load_agreement_templates` call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATES_FILE = Path(__file__).with_name("templates.yaml")


def read_templates() -> dict[str, Any]:
    with TEMPLATES_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_templates(apps: Any) -> int:
    """Create or update the templates, their elements and the recommended commitments.
    Idempotent (update_or_create on natural keys); elements no longer in the file are kept (a
    version may cite them) but stop being offered by moving to the end and becoming optional.
    Returns the number of elements loaded."""
    template_model = apps.get_model("agreements", "Template")
    element_model = apps.get_model("agreements", "TemplateElement")
    commitment_model = apps.get_model("agreements", "RecommendedCommitment")
    data = read_templates()
    count = 0
    for row in data["templates"]:
        template, _ = template_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "between_states": bool(row.get("between_states")),
                "description": (row.get("description") or "").strip(),
                "sources": row.get("sources") or "",
                "is_active": True,
            },
        )
        keys = []
        for position, element in enumerate(row["elements"]):
            keys.append(element["key"])
            element_model.objects.update_or_create(
                template=template,
                key=element["key"],
                defaults={
                    "title": element["title"],
                    "guidance": element.get("guidance") or "",
                    "required": bool(element.get("required", True)),
                    "position": position,
                    "rules": element.get("rules") or [],
                    "sources": element.get("sources") or "",
                },
            )
            count += 1
        element_model.objects.filter(template=template).exclude(key__in=keys).update(
            required=False, position=1000
        )
    for position, row in enumerate(data["commitments"]):
        commitment_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "text": row["text"],
                "sources": row.get("source") or "",
                "position": position,
            },
        )
    return count
