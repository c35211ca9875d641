"""Data migrations for SEC-27: encrypt the rows (and attached files) that were stored in plaintext.

Each app's migration first turns the columns into encrypted fields (a text column), then runs
``encrypt_columns``: raw SQL in batches by primary key, so it works on an empty database, on a large
one, on SQLite and on PostgreSQL, and never goes through the models' own (encrypting) fields. A value
that already decrypts with the configured keys is left alone, so running it twice does no harm. The
reverse decrypts, so the migration can be unapplied.
"""

import os
from pathlib import Path

from django.conf import settings
from django.db import migrations

from careledger.core import crypto

BATCH = 1000


def encrypt_value(value):
    if value is None or value == "":
        return value
    value = value if isinstance(value, str) else str(value)
    try:
        crypto.decrypt_text(value)
    except crypto.DecryptionError:
        return crypto.encrypt_text(value)
    return value  # already encrypted


def decrypt_value(value):
    if value is None or value == "":
        return value
    return crypto.decrypt_text(value)


def convert_rows(model, fields: list[str], connection, convert, *, extra=None) -> int:
    """Apply ``convert`` to every value of ``fields`` of ``model``'s table; return the rows changed.

    ``extra(values) -> dict[column, value]`` may add columns computed from the plaintext row.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    pk = qn(model._meta.pk.column)
    columns = [model._meta.get_field(name).column for name in fields]
    selected = ", ".join(qn(c) for c in columns)
    changed = 0
    last = None
    with connection.cursor() as cursor:
        while True:
            where, params = (f"WHERE {pk} > %s", [last]) if last is not None else ("", [])
            sql = f"SELECT {pk}, {selected} FROM {table} {where} ORDER BY {pk} LIMIT {BATCH}"  # noqa: S608  # nosec B608 - identifiers from the model/schema, values bound as parameters
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if not rows:
                return changed
            updates = []
            for pk_value, *values in rows:
                new = {c: convert(v) for c, v in zip(columns, values, strict=True)}
                if extra is not None:
                    new.update(extra(dict(zip(columns, values, strict=True))))  # nosec B610 - not Django's QuerySet.extra: a callback
                updates.append((new, pk_value))
            assignments = ", ".join(f"{qn(c)} = %s" for c in updates[0][0])
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608 - names, not data  # nosec B608 - identifiers from the model/schema, values bound as parameters
                [[*new.values(), pk_value] for new, pk_value in updates],
            )
            changed += len(updates)
            last = rows[-1][0]


def encrypt_columns(app_label: str, model_name: str, fields: list[str]) -> migrations.RunPython:
    def forward(apps, schema_editor):
        convert_rows(apps.get_model(app_label, model_name), fields, schema_editor.connection, encrypt_value)

    def backward(apps, schema_editor):
        convert_rows(apps.get_model(app_label, model_name), fields, schema_editor.connection, decrypt_value)

    return migrations.RunPython(forward, backward)


def _convert_files(apps, convert) -> None:
    folder = Path(settings.ATTACHMENTS_DIR)
    Attachment = apps.get_model("cases", "Attachment")
    for name in Attachment.objects.values_list("storage_name", flat=True).iterator():
        path = folder / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        new = convert(data)
        if new != data:
            tmp = path.with_suffix(".part")
            tmp.write_bytes(new)
            os.chmod(tmp, 0o600)
            tmp.replace(path)


def _encrypt_file(data: bytes) -> bytes:
    try:
        crypto.decrypt(data)
    except crypto.DecryptionError:
        return crypto.encrypt(data)
    return data


def encrypt_attachment_files() -> migrations.RunPython:
    """Encrypt the 过程材料 files stored before SEC-27 (files already encrypted are left alone)."""
    return migrations.RunPython(
        lambda apps, schema_editor: _convert_files(apps, _encrypt_file),
        lambda apps, schema_editor: _convert_files(apps, crypto.decrypt),
    )
