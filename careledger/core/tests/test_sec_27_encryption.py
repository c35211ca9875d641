"""SEC-27: sensitive columns and attached files are encrypted in the application (authenticated
encryption), keys come from outside the repository and the database, and keys can be rotated."""

import base64
import csv
import io
import stat
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from careledger.core import crypto
from careledger.core.tests.markers import MARKER, encrypted_columns, make_marked, written
from tests.support.testing import make_attachment, make_case, make_id_number

# The columns security.md SEC-27 and issue 6 name; none of them may go back to plaintext.
REQUIRED = {
    ("roster.Student", "id_number"),
    ("roster.Student", "parent_name"),
    ("roster.Student", "parent_phone"),
    ("cases.Case", "problem"),
    ("cases.Case", "life_history"),
    ("cases.Case", "plan"),
    ("cases.Case", "note"),
    ("cases.CategoryEntry", "detail"),
    ("cases.CategoryEntry", "verification"),
    ("cases.CategoryEntry", "data"),
    ("cases.CaseEvent", "changes"),
    ("cases.CaseEvent", "summary"),
    ("cases.CaseEffect", "text"),
    ("cases.CloseRequest", "reason"),
    ("cases.HelperActivity", "what"),
    ("contacts.Contact", "content"),
    ("contacts.Contact", "effect"),
    ("escalations.Escalation", "description"),
    ("escalations.Escalation", "resolution"),
    ("escalations.EscalationNote", "text"),
    ("ledgers.Ledger", "snapshot"),
    ("ledgers.Addendum", "row"),
    ("notify.Channel", "address"),
    ("notify.Channel", "secret"),
}


def raw_value(model, column: str, pk):
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} = %s",  # noqa: S608  # nosec B608 - identifiers from the model/schema, values bound as parameters
            [pk],
        )
        return cursor.fetchone()[0]


def set_raw(model, column: str, pk, value) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(model._meta.db_table)} SET {qn(column)} = %s WHERE {qn(model._meta.pk.column)} = %s",  # noqa: S608  # nosec B608 - identifiers from the model/schema, values bound as parameters
            [value, pk],
        )


@pytest.fixture
def marked(school):
    return make_marked(school)


def test_sec_27_required_columns_are_encrypted_and_the_fixture_covers_every_encrypted_column(marked):
    columns = {(m._meta.label, f.name) for m, f in encrypted_columns()}
    assert columns >= REQUIRED
    assert {label for label, _ in columns} <= set(marked)


def test_sec_27_raw_sql_select_has_no_marker_while_the_orm_read_equals_it(marked):
    for model, field in encrypted_columns():
        obj = marked[model._meta.label]
        raw = raw_value(model, field.column, obj.pk)
        assert MARKER not in raw, (model, field.name)
        assert crypto.decrypt_text(raw)  # ciphertext under the configured key
        fresh = model.objects.get(pk=obj.pk)
        assert getattr(fresh, field.attname) == written(field.name, model._meta.label), (model, field.name)
        values = model.objects.filter(pk=obj.pk).values_list(field.name, flat=True)
        assert values.get() == written(field.name, model._meta.label)


@pytest.mark.django_db(transaction=True)
def test_sec_27_marker_is_not_in_the_database_files(marked, tmp_path):
    """SQLite: the bytes of a file copy of the database; PostgreSQL: a pg_dump of the test database."""
    student_no = marked["roster.Student"].student_no.encode()
    if connection.vendor == "sqlite":
        import sqlite3

        name = str(connection.settings_dict["NAME"])
        source = sqlite3.connect(name, uri=name.startswith("file:"))
        copy = sqlite3.connect(tmp_path / "copy.sqlite3")
        source.backup(copy)
        source.close()
        copy.close()
        dump = (tmp_path / "copy.sqlite3").read_bytes()
    else:
        from careledger.core.backup import _pg_env

        db = connection.settings_dict
        dump = subprocess.run(  # noqa: S603
            ["pg_dump", "--data-only", "--no-password", "--dbname", db["NAME"]],  # noqa: S607
            env=_pg_env(db),
            capture_output=True,
            check=True,
        ).stdout
    assert student_no in dump  # the copy holds the data …
    assert MARKER.encode() not in dump  # … but none of it in plaintext
    assert MARKER.encode("utf-16-le") not in dump


def test_sec_27_tampered_ciphertext_raises(marked):
    from careledger.cases.models import Case

    case = marked["cases.Case"]
    raw = raw_value(Case, "problem", case.pk)
    flipped = raw[:-6] + ("A" if raw[-6] != "A" else "B") + raw[-5:]
    set_raw(Case, "problem", case.pk, flipped)
    with pytest.raises(crypto.DecryptionError):
        Case.objects.get(pk=case.pk)
    set_raw(Case, "problem", case.pk, "plaintext put there behind the application's back")
    with pytest.raises(crypto.DecryptionError):
        Case.objects.get(pk=case.pk)


def test_sec_27_tampered_attachment_file_raises(marked, settings):
    from careledger.cases.attachments import attachment_read

    attachment = marked["cases.Attachment"]
    path = settings.ATTACHMENTS_DIR / attachment.storage_name
    data = path.read_bytes()
    path.write_bytes(data[:-6] + (b"A" if data[-6:-5] != b"A" else b"B") + data[-5:])
    with pytest.raises(crypto.DecryptionError):
        attachment_read(actor=attachment.uploaded_by, attachment=attachment)


def test_sec_27_attachment_is_encrypted_on_disk_and_decrypted_on_download(school, settings):
    from careledger.cases.attachments import attachment_read

    attachment = make_attachment(make_case(school, "li", mentor=school.erin))
    stored = (settings.ATTACHMENTS_DIR / attachment.storage_name).read_bytes()
    plain = b"%PDF-1.7\n%%EOF\n"
    assert b"%PDF" not in stored and plain not in stored
    assert stat.S_IMODE((settings.ATTACHMENTS_DIR / attachment.storage_name).stat().st_mode) == 0o600
    assert attachment_read(actor=school.carol, attachment=attachment) == plain
    import hashlib

    assert attachment.sha256 == hashlib.sha256(plain).hexdigest()  # the plaintext's, as before


def test_sec_27_rotation_old_rows_decrypt_and_a_resave_uses_the_new_key(marked, settings):
    from careledger.cases.models import Case
    from careledger.contacts.models import Contact

    old = settings.ENCRYPTION_KEYS[0]
    new = crypto.generate_key()
    settings.ENCRYPTION_KEYS = [new, old]
    case = Case.objects.get(pk=marked["cases.Case"].pk)
    assert case.problem == MARKER  # written under the old key
    case.save()
    assert Fernet(new.encode()).decrypt(raw_value(Case, "problem", case.pk).encode()) == MARKER.encode()

    settings.ENCRYPTION_KEYS = [new]  # without the old key, rows not yet re-encrypted cannot be read
    assert Case.objects.get(pk=case.pk).problem == MARKER
    with pytest.raises(crypto.DecryptionError):
        Contact.objects.get(pk=marked["contacts.Contact"].pk)


def test_sec_27_rotate_keys_reencrypts_every_column_and_file_and_is_idempotent(marked, settings):
    from careledger.audit.models import AuditEvent
    from careledger.cases.attachments import attachment_read

    old = settings.ENCRYPTION_KEYS[0]
    new = crypto.generate_key()
    settings.ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_keys", batch_size=2, stdout=out)
    assert "attachment files" in out.getvalue()
    event = AuditEvent.objects.filter(object_type="encryption_keys").latest("id")
    assert event.detail["rows"] >= len(marked) - 1 and event.detail["files"] == 1

    settings.ENCRYPTION_KEYS = [new]  # the old key is gone: everything still reads
    for model, field in encrypted_columns():
        obj = model.objects.get(pk=marked[model._meta.label].pk)
        assert getattr(obj, field.attname) == written(field.name, model._meta.label)
    attachment = marked["cases.Attachment"]
    assert attachment_read(actor=attachment.uploaded_by, attachment=attachment) == b"%PDF-1.7\n%%EOF\n"

    call_command("rotate_keys", stdout=io.StringIO())  # again: nothing left to do
    again = AuditEvent.objects.filter(object_type="encryption_keys").latest("id")
    assert (again.detail["rows"], again.detail["files"]) == (0, 0)


def test_sec_27_roster_import_fast_path_encrypts_and_reimport_is_idempotent(school):
    from careledger.roster.importers import roster_import
    from careledger.roster.models import Student
    from careledger.roster.selectors import student_search

    id_number = make_id_number("20050315", 13)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["学号", "姓名", "性别", "学院", "年级", "班级", "家长姓名", "家长联系方式", "出生日期", "身份证号"]
    )
    writer.writerow(
        [
            "202301019999",
            "钱多多",
            "男",
            school.wenxue.name,
            "2023",
            school.c2023_1.name,
            "钱大富",
            "13700001111",
            "2005-03-15",
            id_number,
        ]
    )
    data = out.getvalue().encode()
    report = roster_import(actor=None, data=data, filename="roster.csv")
    assert (report.ok, report.created) == (True, 1)

    student = Student.objects.get(student_no="202301019999")
    for column, plain in (("id_number", id_number), ("parent_name", "钱大富"), ("parent_phone", "13700001111")):
        raw = raw_value(Student, column, student.pk)
        assert plain not in raw and id_number[6:14] not in raw
        assert getattr(student, column) == plain
    # The importer compares decrypted values: the same file again changes nothing.
    again = roster_import(actor=None, data=data, filename="roster.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    # 学号 and name stay plaintext, so search works as before.
    assert [s.student_no for s in student_search(user=school.carol, q="2023010199")] == ["202301019999"]
    assert [s.student_no for s in student_search(user=school.carol, q="钱多")] == ["202301019999"]


def test_sec_27_encrypted_columns_refuse_sql_lookups(school):
    from careledger.roster.models import Student

    with pytest.raises(FieldError):
        list(Student.objects.filter(id_number="110101200001011234"))
    assert Student.objects.filter(id_number__isnull=True).count() == 0


def test_sec_27_keys_come_from_the_environment_or_a_private_development_file(tmp_path):
    path = tmp_path / "var" / "encryption_key"
    key = crypto.development_key(path)
    assert crypto.check_key(key) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert crypto.development_key(path) == key  # generated once
    assert [p.name for p in path.parent.iterdir()] == ["encryption_key"]
    for bad in ("", "not-a-key", base64.urlsafe_b64encode(b"short").decode()):
        with pytest.raises(ImproperlyConfigured):
            crypto.check_key(bad)


def test_sec_27_streams_detect_truncation_reordering_and_alteration():
    plain = bytes(range(256)) * 5000  # > 1 MiB: several chunks
    out = io.BytesIO()
    with crypto.EncryptingWriter(out, chunk_size=100_000) as writer:
        writer.write(plain)
    token = out.getvalue()
    assert crypto.DecryptingReader(io.BytesIO(token)).read() == plain
    middle = len(token) // 2
    altered = token[:middle] + (b"A" if token[middle : middle + 1] != b"A" else b"B") + token[middle + 1 :]
    frames, rest = [], token[len(crypto.STREAM_MAGIC) :]
    while rest:
        length = int.from_bytes(rest[:4], "big")
        frames.append(rest[: 4 + length])
        rest = rest[4 + length :]
    assert len(frames) > 3
    swapped = crypto.STREAM_MAGIC + frames[1] + frames[0] + b"".join(frames[2:])
    dropped = crypto.STREAM_MAGIC + frames[0] + b"".join(frames[2:])
    for damaged in (token[:-10], altered, token + b"more", swapped, dropped, token[: -len(frames[-1])]):
        with pytest.raises(crypto.DecryptionError):
            crypto.DecryptingReader(io.BytesIO(damaged)).read()
