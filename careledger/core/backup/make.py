"""Making a backup: the database (SQLite copy or pg_dump) and the attachments, encrypted as written."""

import contextlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from careledger.core import crypto
from careledger.core.backup.archive import (
    ATTACHMENTS_ENTRY,
    BLOCK,
    FORMAT,
    MANIFEST,
    PG_ENTRY,
    SQLITE_ENTRY,
    STORAGE_NAME,
    BackupError,
    Result,
    _ArchiveWriter,
)
from careledger.core.backup.databases import _default_db, _Drain, _pg_connect, _pg_env, _pg_tool, _tool_major, _vendor
from careledger.core.files import precreate, restrict_sqlite

# --- backup ------------------------------------------------------------------------------------------


def backup(path: Path, *, db: dict | None = None, attachments_dir: Path | None = None) -> Result:
    """Write an encrypted backup of ``db`` (default: the configured database) and the attachments."""
    db = db or _default_db()
    vendor = _vendor(db)
    path = Path(path)
    folder = Path(attachments_dir or settings.ATTACHMENTS_DIR)
    part = path.with_name(path.name + ".part")
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "encryption": "fernet-chunked/1",
    }
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            out = io.BufferedWriter(crypto.EncryptingWriter(raw), BLOCK)
            archive = _ArchiveWriter(out)
            if vendor == "sqlite":
                data, manifest["tables"] = _sqlite_snapshot(str(db["NAME"]))
                manifest["attachments"] = _count_files(folder)
                _write_entry(archive, MANIFEST, json.dumps(manifest, sort_keys=True).encode())
                _write_entry(archive, SQLITE_ENTRY, data)
                del data
            else:
                _pg_dump(db, archive, manifest, folder)
            with archive.entry(ATTACHMENTS_ENTRY) as entry:
                _tar_files(folder, entry)
            archive.close()
            out.close()  # the final, "last" chunk
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part)
        raise
    size, digest = _file_digest(path)
    return Result(manifest=manifest, path=path, size=size, sha256=digest)


def _write_entry(archive: _ArchiveWriter, name: str, data: bytes) -> None:
    with archive.entry(name) as entry:
        view = memoryview(data)
        for start in range(0, len(view), BLOCK):
            entry.write(view[start : start + BLOCK])


def _file_digest(path: Path) -> tuple[int, str]:
    import hashlib

    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(BLOCK):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _sqlite_connect(name: str, **kwargs) -> sqlite3.Connection:
    if not name.startswith("file:") and name != ":memory:":
        precreate(name)  # a restored copy is the owner's only (SEC-54)
    conn = sqlite3.connect(name, uri=name.startswith("file:"), timeout=30, **kwargs)
    restrict_sqlite(name)
    return conn


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [r[0] for r in rows]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _sqlite_tables(conn)}  # noqa: S608  # nosec B608 - identifiers from the model/schema, values bound as parameters


def _sqlite_snapshot(name: str) -> tuple[bytes, dict[str, int]]:
    """A consistent copy of a live SQLite database, in memory, and its row counts.

    ``backup()`` with the default ``pages=-1`` copies every page in one step, inside one read
    transaction: with WAL (our setting) writers go on meanwhile and the copy is the database as it stood
    when the step began. A copy in several steps would restart whenever another connection writes.
    """
    if not name.startswith("file:") and not Path(name).is_file():
        raise BackupError(f"no SQLite database at {name}")
    source = _sqlite_connect(name)
    copy = sqlite3.connect(":memory:")
    try:
        source.backup(copy)
    finally:
        source.close()
    try:
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the copy fails PRAGMA integrity_check: {ok}")
        return _rollback_journal(copy.serialize()), _sqlite_counts(copy)
    finally:
        copy.close()


def _rollback_journal(image: bytes) -> bytes:
    """The image with its header's journal mode set back from WAL (2) to rollback (1), as
    ``PRAGMA journal_mode=DELETE`` would: an in-memory copy of a WAL database cannot be opened otherwise.
    The restored file goes back to WAL when the application opens it (settings: init_command)."""
    if image[18:20] == b"\x02\x02":
        image = image[:18] + b"\x01\x01" + image[20:]
    return image


def _pg_dump(db: dict, archive: _ArchiveWriter, manifest: dict, folder: Path) -> None:
    """pg_dump -Fc of a snapshot; the rows are counted in the very transaction that exported it."""
    import psycopg

    pg_dump = _pg_tool("pg_dump")
    with _pg_connect(db) as conn:
        server = conn.info.server_version // 10000
        tool = _tool_major(pg_dump)
        if tool < server:
            raise BackupError(f"pg_dump {tool} is older than the server ({server}); install postgresql-client-{server}")
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        manifest["tables"] = _pg_counts(conn)
        manifest["server_major"] = server
        manifest["pg_dump_major"] = tool
        manifest["attachments"] = _count_files(folder)
        _write_entry(archive, MANIFEST, json.dumps(manifest, sort_keys=True).encode())
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", "--dbname", db["NAME"]]
        with archive.entry(PG_ENTRY) as entry:
            _run_piped(command, _pg_env(db), stdout_to=entry)
        conn.rollback()


def _pg_tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    ).fetchall()
    return [r[0] for r in rows]


def _pg_counts(conn) -> dict[str, int]:
    from psycopg import sql

    return {
        t: conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
        for t in _pg_tables(conn)
    }


def _run_piped(command: list[str], env: dict, *, stdout_to=None, stdin_from: Callable[[], bytes] | None = None):
    """Run a PostgreSQL tool, streaming its stdout into ``stdout_to`` or feeding stdin from ``stdin_from``."""
    proc = subprocess.Popen(  # noqa: S603 - a fixed tool, arguments never from a user
        command,
        env=env,
        stdin=subprocess.PIPE if stdin_from else subprocess.DEVNULL,
        stdout=subprocess.PIPE if stdout_to is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    errors = _Drain(proc.stderr)
    errors.start()
    try:
        if stdout_to is not None:
            while chunk := proc.stdout.read(BLOCK):
                stdout_to.write(chunk)
        else:
            try:
                while chunk := stdin_from():
                    proc.stdin.write(chunk)
            except BrokenPipeError:
                pass  # the tool stopped early; its exit status and message say why
            finally:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
        code = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    errors.join()
    if code != 0:
        name = Path(command[0]).name
        raise BackupError(f"{name} failed (exit {code}): {errors.text.strip()[-2000:]}")


def _storage_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and STORAGE_NAME.match(p.name))


def _count_files(folder: Path) -> int:
    return len(_storage_files(folder))


def _tar_files(folder: Path, out) -> None:
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for path in _storage_files(folder):
            with contextlib.suppress(FileNotFoundError), open(path, "rb") as f:
                stat = os.fstat(f.fileno())
                info = tarfile.TarInfo(path.name)
                info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
                tar.addfile(info, f)
