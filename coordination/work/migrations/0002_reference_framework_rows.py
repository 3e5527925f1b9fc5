"""Data: the Framework for Action rows (seed 001 tables 2, 4 and 5) from
coordination/work/data/framework_rows.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "framework_rows.json"


def load_framework(apps, schema_editor):
    FrameworkRow = apps.get_model("work", "FrameworkRow")
    FrameworkItem = apps.get_model("work", "FrameworkItem")
    rows = json.loads(DATA.read_text(encoding="utf-8"))["rows"]
    for r_pos, row in enumerate(rows):
        obj, _ = FrameworkRow.objects.update_or_create(
            code=row["code"],
            defaults={
                "table": row["table"],
                "pillar": row["pillar"],
                "requirement": row["requirement"],
                "seed_lines": row["seed_lines"],
                "note": row["note"],
                "position": r_pos,
            },
        )
        for i_pos, item in enumerate(row["items"]):
            FrameworkItem.objects.update_or_create(
                code=item["code"],
                defaults={
                    "row": obj,
                    "kind": item["kind"],
                    "text": item["text"],
                    "seed_line": item["line"],
                    "note": item.get("note", ""),
                    "position": i_pos,
                },
            )


def unload_framework(apps, schema_editor):
    apps.get_model("work", "FrameworkItem").objects.all().delete()
    apps.get_model("work", "FrameworkRow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("work", "0001_initial")]

    operations = [migrations.RunPython(load_framework, unload_framework)]
