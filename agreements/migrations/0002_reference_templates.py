"""Data: the three agreement templates with their elements and check rules, and the recommended
commitments of seed 004:463-474 (agreements/reference/templates.yaml)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from agreements.reference import load_templates

    load_templates(apps)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
