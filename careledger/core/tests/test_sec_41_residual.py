"""SEC-41: no residual data. Imports, exports, backups and restores leave no file in the temporary
directory: uploads over the in-memory limit are spooled by Django and removed with the request, and the
readers and writers (calamine, XlsxWriter in_memory, python-docx, the SQLite copy, pg_dump's pipe) work
in memory. No export is stored on the server, so there is nothing for an expiry job to delete."""

import io
import tempfile

import pytest
from django.db import connection
from django.test import Client

from careledger.core import backup
from careledger.core.tests.markers import make_marked
from tests.support.testing import make_case, make_ledger


def listing(folder) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


@pytest.fixture
def temp_dir(tmp_path, settings, monkeypatch):
    """A private temporary directory that both Python's tempfile and Django's uploads use."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64  # every upload below goes through a temporary file
    return folder


def roster_csv(school) -> bytes:
    lines = ["学号,姓名,性别,学院,年级,班级"]
    lines += [f"2023010190{i:02d},学生{i},男,{school.wenxue.name},2023,{school.c2023_1.name}" for i in range(20)]
    return "\n".join(lines).encode()


def test_sec_41_import_and_exports_leave_the_temp_dir_as_it_was(school, temp_dir):
    before = listing(temp_dir)
    client = Client()
    client.force_login(school.bob)  # college_admin of 文学院: imports its roster, exports its ledger
    upload = io.BytesIO(roster_csv(school))
    upload.name = "roster.csv"
    response = client.post("/roster/import/", {"file": upload, "dry_run": ""})
    assert response.status_code == 200, response.content[:500]
    from careledger.roster.models import Student

    assert Student.objects.filter(student_no__startswith="2023010190").count() == 20

    ledger = make_ledger(school)
    make_case(school, "li", mentor=school.erin)
    client.force_login(school.carol)
    assert client.get(f"/ledgers/{ledger.pk}/export/").status_code == 200
    case = school.students["li"].cases.get()
    assert client.get(f"/ledgers/case-file/{case.pk}/").status_code == 200
    assert listing(temp_dir) == before


@pytest.mark.django_db(transaction=True)
def test_sec_41_backup_and_restore_leave_the_temp_dir_as_it_was(school, temp_dir, tmp_path, settings):
    make_marked(school)
    before = listing(temp_dir)
    out = tmp_path / "out"
    out.mkdir()
    backup.backup(out / "b.backup")
    if connection.vendor == "sqlite":  # the PostgreSQL restore is exercised in test_sec_30_backup
        target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(out / "restored.sqlite3")}
        backup.restore(out / "b.backup", db=target, attachments_dir=out / "files")
    assert listing(temp_dir) == before
    # Nothing but the finished files is left next to them either (no .part).
    assert {p.name for p in out.iterdir()} <= {"b.backup", "restored.sqlite3", "files"}
