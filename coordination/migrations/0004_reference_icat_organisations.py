from django.db import migrations


def forwards(apps, schema_editor):
    from coordination.reference import load_icat_organisations

    load_icat_organisations(apps)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0003_membership_event")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
