"""Data: the ISO 3166-1 countries and the services organisations offer (coordination/reference.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from coordination.reference import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
