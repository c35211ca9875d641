"""SEC-30 / SEC-32: encrypted backups, restore round trips on SQLite and PostgreSQL, logged drills,
and a consistent SQLite copy while writes go on."""

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from careledger.core import backup
from careledger.core.tests.markers import MARKER, make_marked

ROOT = Path(django_settings.BASE_DIR).parent


@pytest.fixture
def marked(school):
    return make_marked(school)


# --- reading both databases with their plain drivers, so that both sides are read the same way ---


def _sqlite_digests(name: str) -> dict[str, tuple[int, str]]:
    conn = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
            pk = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[5]] or ["rowid"]
            order = ", ".join(f'"{c}"' for c in pk)
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()  # noqa: S608  # nosec B608 - identifiers from the model/schema, values bound as parameters
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def _pg_digests(db: dict, name: str) -> dict[str, tuple[int, str]]:
    from psycopg import sql

    out = {}
    with backup._pg_connect(db, name) as conn:
        for table in backup._pg_tables(conn):
            pk = [
                r[0]
                for r in conn.execute(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                    "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
                    [table],
                )
            ]
            order = sql.SQL(", ").join(sql.Identifier(c) for c in pk) if pk else sql.SQL("1")
            query = sql.SQL("SELECT * FROM {} ORDER BY {}").format(sql.Identifier(table), order)
            rows = conn.execute(query).fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def _audit_rows(name_or_db, max_id=None) -> list:
    """Audit rows as (id, action, object_type, detail) — compared apart, as backup/restore append to them."""
    query = "SELECT id, action, object_type, detail FROM audit_auditevent ORDER BY id"
    if isinstance(name_or_db, str):
        conn = sqlite3.connect(name_or_db, uri=name_or_db.startswith("file:"))
        rows = conn.execute(query).fetchall()
        conn.close()
    else:
        db, name = name_or_db
        with backup._pg_connect(db, name) as conn:
            rows = conn.execute(query).fetchall()
    return [r for r in rows if max_id is None or r[0] <= max_id]


def _without_audit(digests: dict) -> dict:
    return {t: v for t, v in digests.items() if not t.startswith("audit_")}


def _cli(*args: str, database_url: str, attachments: Path, var: Path) -> subprocess.CompletedProcess:
    """The real ``careledger`` command in a child process, with the test's keys and a given DATABASE_URL."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CARELEDGER_SECRET_KEY": django_settings.SECRET_KEY,
        "CARELEDGER_ENCRYPTION_KEYS": ",".join(django_settings.ENCRYPTION_KEYS),
        "CARELEDGER_ATTACHMENTS_DIR": str(attachments),
        "CARELEDGER_VAR_DIR": str(var),
        "CARELEDGER_LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = "import sys; from careledger.cli import main; sys.exit(main())"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _pg_url(db: dict, name: str) -> str:
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _drop_pg(db: dict, name: str) -> None:
    from psycopg import sql

    with backup._pg_connect(db, "postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- SEC-30 -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sec_30_backup_restore_round_trip(marked, tmp_path, settings):
    """Data → encrypted backup → restore into a database that does not exist yet → same rows, same files."""
    from careledger.audit.models import AuditEvent

    db = connection.settings_dict
    vendor = connection.vendor
    source_name = str(db["NAME"])
    source = _sqlite_digests(source_name) if vendor == "sqlite" else _pg_digests(db, source_name)
    source_audit_max = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    files = {p.name: p.read_bytes() for p in settings.ATTACHMENTS_DIR.iterdir()}
    assert files  # the marked data has one attachment

    path = tmp_path / "careledger.backup"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "rows" in out.getvalue()
    logged = AuditEvent.objects.get(object_type="backup", detail__operation="backup")
    assert (logged.actor_username, logged.action) == ("cli", "update")
    assert logged.detail["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)

    data = path.read_bytes()
    # grep of the backup file: no marker, no student number, no SQLite or pg_dump header in plaintext
    for needle in (MARKER.encode(), marked["roster.Student"].student_no.encode(), b"SQLite format", b"PGDMP"):
        assert needle not in data

    restored_files = tmp_path / "restored-attachments"
    scratch = f"careledger_restore_{uuid.uuid4().hex[:10]}"
    if vendor == "sqlite":
        target = str(tmp_path / "restored" / "careledger.sqlite3")
        url = f"sqlite:///{target}"
    else:
        url = _pg_url(db, scratch)
    try:
        proc = _cli("restore", str(path), database_url=url, attachments=restored_files, var=tmp_path / "var")
        assert proc.returncode == 0, proc.stderr
        assert "every count matches" in proc.stdout
        if vendor == "sqlite":
            restored = _sqlite_digests(target)
            audit_at = target
        else:
            restored = _pg_digests(db, scratch)
            audit_at = (db, scratch)
        assert _without_audit(restored) == _without_audit(source)
        source_at = source_name if vendor == "sqlite" else (db, source_name)
        assert _audit_rows(audit_at, source_audit_max) == _audit_rows(source_at, source_audit_max)
        drill = [r for r in _audit_rows(audit_at) if r[0] > source_audit_max]
        assert [(r[1], r[2]) for r in drill] == [("update", "backup")]
        assert '"restore"' in str(drill[0][3]) or "'restore'" in str(drill[0][3])
        assert {p.name: p.read_bytes() for p in restored_files.iterdir()} == files

        # A second restore into the same (now full) database is refused; --force replaces it.
        again = _cli("restore", str(path), database_url=url, attachments=restored_files, var=tmp_path / "var")
        assert again.returncode != 0 and "--force" in again.stderr
        forced = _cli(
            "restore", str(path), "--force", database_url=url, attachments=restored_files, var=tmp_path / "var"
        )
        assert forced.returncode == 0, forced.stderr
        after = _sqlite_digests(target) if vendor == "sqlite" else _pg_digests(db, scratch)
        assert _without_audit(after) == _without_audit(source)
    finally:
        if vendor == "postgresql":
            _drop_pg(db, scratch)


def test_sec_30_restore_needs_the_keys_the_backup_was_made_with(tmp_path, settings):
    from careledger.core import crypto

    original = list(settings.ENCRYPTION_KEYS)
    path = tmp_path / "b.backup"
    backup.backup(path, db=_file_db(tmp_path), attachments_dir=tmp_path / "none")
    settings.ENCRYPTION_KEYS = [crypto.generate_key()]
    with pytest.raises(backup.BackupError, match="key"):
        backup.inspect(path)
    settings.ENCRYPTION_KEYS = [crypto.generate_key(), *original]  # after a rotation: the old key still decrypts
    assert backup.inspect(path)["vendor"] == "sqlite"


def test_sec_30_altered_or_truncated_backup_is_refused_before_anything_is_touched(tmp_path):
    path = tmp_path / "b.backup"
    backup.backup(path, db=_file_db(tmp_path), attachments_dir=tmp_path / "none")
    data = path.read_bytes()
    target = tmp_path / "target.sqlite3"
    for damaged in (data[: len(data) // 2], data[:-3], data[:200] + bytes([data[200] ^ 1]) + data[201:]):
        path.write_bytes(damaged)
        with pytest.raises(backup.BackupError):
            backup.restore(
                path, db={"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)}, attachments_dir=tmp_path / "a"
            )
        assert not target.exists()


def test_sec_30_restore_refuses_a_database_holding_data_unless_forced(tmp_path):
    path = tmp_path / "b.backup"
    source = _file_db(tmp_path)
    backup.backup(path, db=source, attachments_dir=tmp_path / "none")
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "target.sqlite3")}
    backup.restore(path, db=target, attachments_dir=tmp_path / "a")  # does not exist yet: fine
    with pytest.raises(backup.BackupError, match="already holds data"):
        backup.restore(path, db=target, attachments_dir=tmp_path / "a")
    result = backup.restore(path, db=target, attachments_dir=tmp_path / "a", force=True)
    assert result.manifest["tables"]["roster_college"] == 2
    assert _sqlite_digests(target["NAME"]) == _sqlite_digests(source["NAME"])


def _file_db(tmp_path: Path) -> dict:
    """A small SQLite file with two tables of data (not the test database)."""
    name = tmp_path / "source.sqlite3"
    conn = sqlite3.connect(name)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE roster_college (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT)")
    conn.executemany("INSERT INTO roster_college (name) VALUES (?)", [("文学院",), ("数学院",)])
    conn.execute("INSERT INTO django_migrations (app) VALUES ('roster')")
    conn.commit()
    conn.close()
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(name)}


# --- SEC-32 -------------------------------------------------------------------------------------------


def test_sec_32_sqlite_online_backup_while_a_writer_inserts(tmp_path):
    name = tmp_path / "live.sqlite3"
    conn = sqlite3.connect(name)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB NOT NULL)")
    conn.executemany("INSERT INTO t (pad) VALUES (randomblob(200))", [()] * 40_000)
    conn.commit()
    conn.close()

    stop = threading.Event()
    started = threading.Event()
    inserted = [40_000]

    def writer():
        w = sqlite3.connect(name, timeout=30)
        try:
            while not stop.is_set():
                w.execute("INSERT INTO t (pad) VALUES (randomblob(200))")
                w.commit()
                inserted[0] += 1
                if inserted[0] > 40_020:
                    started.set()
        finally:
            w.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(30)
        before = inserted[0]
        backup.backup(
            tmp_path / "live.backup",
            db={"ENGINE": "django.db.backends.sqlite3", "NAME": str(name)},
            attachments_dir=tmp_path / "none",
        )
        during = inserted[0] - before
    finally:
        stop.set()
        thread.join()
    assert during > 0  # the writer went on while the backup ran

    copy = sqlite3.connect(":memory:")
    copy.deserialize(backup.read_entry(tmp_path / "live.backup"))
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [r[0] for r in copy.execute("SELECT id FROM t ORDER BY id")]
    assert ids == list(range(1, len(ids) + 1))  # a prefix of the writer's rows, with no gap
    assert before <= len(ids) <= inserted[0]
