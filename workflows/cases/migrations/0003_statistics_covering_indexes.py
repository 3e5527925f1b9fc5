"""Covering indexes of the cases for the statistics (reporting) on PostgreSQL.

Measured at a million cases (bench/README.md), each statistics family read the whole rows: ~800
bytes a case (seven Fernet ciphertexts) for the few short columns it groups by. These indexes hold
just those columns, so a family is an index-only scan of a tenth of the bytes:

* `case_statistics_idx`: the cases counted as identified (the same states, in the same order, as
  selectors.COUNTED_IDENTIFICATION_STATES, so the planner matches the filter to the index's
  condition), by country and date of first contact, with every dimension the figures group by;
* `case_facts_idx`: the facts referral and return figures join on (sex, age group, nationality).

PostgreSQL only (INCLUDE columns), built CONCURRENTLY so that a live country's tables stay
writable while they build; not declared on the models, because SQLite (the embedded default) has
no covering indexes and Django would warn (models.W040) there.
"""

from django.db import migrations

INDEXES = {
    "case_statistics_idx": (
        "cases_case (country_of_identification_id, identified_on) "
        "INCLUDE (identification_state, gender, age_group, age_band, nationality_id, owner_id, "
        "exploitation_forms) "
        "WHERE identification_state IN ('presumed_victim', 'identified', 'confirmed')"
    ),
    "case_facts_idx": "cases_case (id) INCLUDE (gender, age_group, nationality_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0002_reference_indicators")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
