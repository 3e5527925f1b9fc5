"""Data: the indicator lists of seed 004:150-197 (and 002:55 for labour) with default weights
(workflows/cases/reference/indicators.yaml)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from workflows.cases.reference import load_indicators

    load_indicators(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
