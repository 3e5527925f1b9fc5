"""Re-encrypt every EncryptedTextField column of every model with the first key.

Rotate a key: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), run
this command, then drop the old keys. A value no configured key decrypts stops the command with an
error naming the model and row id (never the value): nothing is silently skipped.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from concord.fields import DecryptionFailed, EncryptedTextField, rotate_str

BATCH = 500


def encrypted_columns() -> list[tuple[Any, list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


class Command(BaseCommand):
    help = "Re-encrypt all encrypted columns with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, fields in encrypted_columns():
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(str(model._meta.pk.column))
            cols = [connection.ops.quote_name(str(f.column)) for f in fields]
            rewritten = 0
            with transaction.atomic():
                for row in self._rows(table, pk, cols):
                    row_id, values = row[0], row[1:]
                    updates: dict[str, str] = {}
                    for col, value in zip(cols, values, strict=True):
                        if value in (None, ""):
                            continue
                        try:
                            updates[col] = rotate_str(value)
                        except DecryptionFailed as exc:
                            raise CommandError(
                                f"{model._meta.label} id={row_id}: no configured key decrypts "
                                f"{col}; nothing was changed for this table."
                            ) from exc
                    if updates:
                        sets = ", ".join(f"{c} = %s" for c in updates)
                        with connection.cursor() as cur:
                            cur.execute(
                                f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                                [*updates.values(), row_id],
                            )
                        rewritten += 1
            total += rewritten
            self.stdout.write(f"{model._meta.label}: {rewritten} row(s) re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total} row(s) re-encrypted with the first key.")
        )

    @staticmethod
    def _rows(table: str, pk: str, cols: list[str]) -> Any:
        """All rows, read in keyset batches so a large table never sits in memory at once."""
        last: Any = None
        while True:
            where = f"WHERE {pk} > %s " if last is not None else ""
            sql = f"SELECT {pk}, {', '.join(cols)} FROM {table} {where}ORDER BY {pk} LIMIT {BATCH}"  # noqa: S608
            with connection.cursor() as cur:
                cur.execute(sql, [last] if last is not None else [])
                rows = cur.fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]
