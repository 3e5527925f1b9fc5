"""Data: the return risk factors (seed 004) from workflows/returns/data/return_risk_factors.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "return_risk_factors.json"


def load(apps, schema_editor):
    Factor = apps.get_model("returns", "ReturnRiskFactor")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        Factor.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "description": row["description"],
                "seed_ref": row["seed_ref"],
                "child_only": row["child_only"],
                "order": row["order"],
            },
        )


def unload(apps, schema_editor):
    apps.get_model("returns", "ReturnRiskFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
