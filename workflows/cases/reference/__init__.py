"""Reference data files of workflows (indicators), and the loader the data migration calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

INDICATORS_FILE = Path(__file__).with_name("indicators.yaml")


def read_indicators() -> dict[str, Any]:
    with INDICATORS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)  # type: ignore[no-any-return]


def load_indicators(apps: Any) -> int:
    """Create or update the indicator lists, indicators and their default weights (country empty).
    Idempotent; per-country weights are left alone. Returns the number of indicators."""
    category_model = apps.get_model("cases", "IndicatorCategory")
    indicator_model = apps.get_model("cases", "Indicator")
    weight_model = apps.get_model("cases", "IndicatorWeight")
    data = read_indicators()
    count = 0
    for order, group in enumerate(data["groups"]):
        category, _ = category_model.objects.update_or_create(
            code=group["category"],
            defaults={
                "label": group["label"],
                "seed_heading": group.get("seed_heading") or "",
                "scope_note": group.get("scope_note") or "",
                "exploitation_forms": group.get("exploitation_forms") or [],
                "order": order,
            },
        )
        for i, row in enumerate(group["indicators"]):
            indicator, _ = indicator_model.objects.update_or_create(
                code=row["code"],
                defaults={
                    "category": category,
                    "text": row["text"],
                    "seed_line": row.get("line") or None,
                    "order": i,
                },
            )
            count += 1
            adult, child = row["weight"]
            wanted = [("adult", "", adult), ("child", "", child)]
            wanted += [("adult", form, w) for form, w in (row.get("form_weights") or {}).items()]
            for person_category, form, weight in wanted:
                weight_model.objects.update_or_create(
                    indicator=indicator,
                    country=None,
                    person_category=person_category,
                    exploitation_form=form,
                    defaults={"weight": weight},
                )
    return count
