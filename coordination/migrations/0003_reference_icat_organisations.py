"""Data: the international organisations of the Inter-Agency Coordination Group against
Trafficking in Persons (seed 003), each with its group (coordination/reference.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from coordination.reference import load_icat_organisations

    load_icat_organisations(apps)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0002_reference_countries_services")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
