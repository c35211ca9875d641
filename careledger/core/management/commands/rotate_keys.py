"""``careledger rotate-keys``: re-encrypt every encrypted column and attached file with the first key.

Put the new key first in CARELEDGER_ENCRYPTION_KEYS (``new,old``), restart, run this, then drop the old
key once no backup made with it is kept. Values already under the first key are left alone, so the
command can be stopped and run again. Each batch is its own transaction, and a value is only replaced if
it still holds the ciphertext that was read (the application may keep running meanwhile).
"""

import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from careledger.audit.services import Action, record
from careledger.core import crypto
from careledger.core.backup import STORAGE_NAME
from careledger.core.fields import encrypted_fields
from careledger.core.management import text_table


def rotate_table(model, batch_size: int) -> int:
    """Re-encrypt ``model``'s encrypted columns; return the number of rows changed."""
    fields = encrypted_fields(model)
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    columns = [f.column for f in fields]
    selected = ", ".join(qn(c) for c in columns)
    changed = 0
    last = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where, params = (f"WHERE {pk} > %s", [last]) if last is not None else ("", [])
            sql = f"SELECT {pk}, {selected} FROM {table} {where} ORDER BY {pk} LIMIT %s"  # noqa: S608 - names only  # nosec B608 - identifiers from the model/schema, values bound as parameters
            cursor.execute(sql, [*params, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return changed
            for pk_value, *values in rows:
                stale = {c: v for c, v in zip(columns, values, strict=True) if v and not crypto.is_current(v.encode())}
                if not stale:
                    continue
                sets = ", ".join(f"{qn(c)} = %s" for c in stale)
                same = " AND ".join(f"{qn(c)} = %s" for c in stale)
                new = [crypto.rotate(v.encode()).decode() for v in stale.values()]
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE {pk} = %s AND {same}",  # noqa: S608 - names, not data  # nosec B608 - identifiers from the model/schema, values bound as parameters
                    [*new, pk_value, *stale.values()],
                )
                changed += cursor.rowcount
            last = rows[-1][0]


def rotate_files(folder: Path) -> int:
    changed = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.iterdir()):
        if not (path.is_file() and STORAGE_NAME.match(path.name)):
            continue
        data = path.read_bytes()
        if crypto.is_current(data):
            continue
        tmp = path.with_name(f".{path.name}.rotate")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(crypto.rotate(data))
        os.replace(tmp, path)
        changed += 1
    return changed


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column and attached file with the first key of CARELEDGER_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--new-key", action="store_true", help="print a freshly generated key and stop")

    def handle(self, *args, batch_size: int, new_key: bool, **options):
        if new_key:
            self.stdout.write(crypto.generate_key())
            return
        counts = []
        for model in apps.get_models():
            if encrypted_fields(model) and model._meta.managed and not model._meta.proxy:
                counts.append((model._meta.label, rotate_table(model, batch_size)))
        files = rotate_files(Path(settings.ATTACHMENTS_DIR))
        counts.append(("attachment files", files))
        rows = sum(n for label, n in counts if label != "attachment files")
        record(
            actor="cli",
            action=Action.UPDATE,
            object_type="encryption_keys",
            detail={"operation": "rotate", "rows": rows, "files": files, "keys": len(settings.ENCRYPTION_KEYS)},
        )
        self.stdout.write(text_table(("re-encrypted", "count"), counts))
