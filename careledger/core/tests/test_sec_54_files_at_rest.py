"""SEC-54 (files): the SQLite database, its WAL and shared-memory files and restored copies are 0600."""

import os
import sqlite3
import stat
import subprocess
import sys

from careledger.core import files


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_sec_54_sqlite_database_wal_and_shm_are_created_0600(tmp_path):
    name = tmp_path / "careledger.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{name}"}
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'careledger.settings'); django.setup();"
        "from django.db import connection; c = connection.cursor();"
        "c.execute('CREATE TABLE t (x int)'); c.execute('INSERT INTO t VALUES (1)')"
    )
    old = os.umask(0o022)
    try:
        subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)  # noqa: S603
        # A second connection while the first is open keeps the WAL and SHM files around.
        conn = sqlite3.connect(name)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("INSERT INTO t VALUES (2)")
        conn.commit()
        files.restrict_sqlite(str(name))
        for suffix in ("", "-wal", "-shm"):
            path = f"{name}{suffix}"
            if os.path.exists(path):
                assert _mode(path) == 0o600, path
        conn.close()
    finally:
        os.umask(old)
    assert _mode(name) == 0o600


def test_sec_54_a_restored_sqlite_copy_is_0600(tmp_path):
    from careledger.core.backup import make as backup

    old = os.umask(0o022)
    try:
        target = tmp_path / "restored.sqlite3"
        conn = backup._sqlite_connect(str(target))
        conn.execute("CREATE TABLE t (x int)")
        conn.commit()
        conn.close()
    finally:
        os.umask(old)
    assert _mode(target) == 0o600
