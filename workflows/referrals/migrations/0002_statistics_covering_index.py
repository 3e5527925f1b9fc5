"""Covering index of the referrals for the statistics (reporting) on PostgreSQL.

Measured at two million referrals (bench/README.md), the referrals family read the whole rows
(~320 bytes a referral) for the few short columns it groups by. `referral_statistics_idx` holds
the referrals submitted (selectors.referrals_submitted), by date, with the columns grouped and
joined, so the family is an index-only scan.

PostgreSQL only (INCLUDE columns), built CONCURRENTLY so that the table stays writable while it
builds; not declared on the model, because SQLite (the embedded default) has no covering indexes
and Django would warn (models.W040) there.
"""

from django.db import migrations

INDEXES = {
    "referral_statistics_idx": (
        "referrals_referral (submitted_at) "
        "INCLUDE (state, urgency, answered_at, sender_id, receiver_id, case_id) "
        "WHERE submitted_at IS NOT NULL"
    ),
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

    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
