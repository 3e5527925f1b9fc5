"""Data: the indicator lists of seed 004:150-197 (and 002:55 for labour) with default weights."""

from django.db import migrations


def forwards(apps, schema_editor):
    from workflows.reference import load_indicators

    load_indicators(apps)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_protection_indicators")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
