"""Inspecting and restoring a backup: check everything first, refuse to overwrite data, compare counts."""

import contextlib
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import time
from pathlib import Path

from django.conf import settings

from careledger.core.backup.archive import (
    ATTACHMENTS_ENTRY,
    BLOCK,
    BOOKKEEPING_TABLES,
    FORMAT,
    MANIFEST,
    PG_ENTRY,
    SQLITE_ENTRY,
    STORAGE_NAME,
    BackupError,
    Result,
    _entries,
    _open_backup,
)
from careledger.core.backup.databases import _default_db, _pg_connect, _pg_env, _pg_tool, _tool_major, _vendor
from careledger.core.backup.make import (
    _file_digest,
    _pg_counts,
    _pg_tables,
    _rollback_journal,
    _run_piped,
    _sqlite_connect,
    _sqlite_counts,
    _storage_files,
)

# --- restore -----------------------------------------------------------------------------------------


def inspect(path: Path) -> dict:
    """Read and check the whole backup (every chunk, the manifest, the database entry, the archive of
    files) without writing anything; return the manifest with ``attachment_names``."""
    path = Path(path)
    manifest = None
    names: list[str] = []
    seen: list[str] = []
    with _open_backup(path) as plain:
        for name, reader in _entries(plain):
            seen.append(name)
            if name == MANIFEST:
                manifest = json.loads(reader.read())
                if manifest.get("format") != FORMAT:
                    raise BackupError(f"unknown backup format {manifest.get('format')!r}")
            elif name == ATTACHMENTS_ENTRY:
                names = _check_tar(reader)
    expected = [MANIFEST, SQLITE_ENTRY if manifest and manifest["vendor"] == "sqlite" else PG_ENTRY, ATTACHMENTS_ENTRY]
    if manifest is None or seen != expected:
        raise BackupError(f"the backup file is incomplete (entries: {', '.join(seen) or 'none'})")
    if len(names) < manifest["attachments"]:
        raise BackupError("the backup holds fewer attachment files than its manifest says")
    return {**manifest, "attachment_names": names}


def read_entry(path: Path, name: str = SQLITE_ENTRY) -> bytes:
    """One entry of a backup, decrypted (for restore drills and tests: e.g. the SQLite copy)."""
    with _open_backup(Path(path)) as plain:
        for entry, reader in _entries(plain):
            if entry == name:
                return reader.read()
    raise BackupError(f"the backup has no {name}")


def _check_tar(reader) -> list[str]:
    names = []
    with tarfile.open(fileobj=reader, mode="r|") as tar:
        for member in tar:
            if not member.isfile() or not STORAGE_NAME.match(member.name):
                raise BackupError(f"unexpected entry in the attachments archive: {member.name!r}")
            names.append(member.name)
    return names


def restore(path: Path, *, db: dict | None = None, attachments_dir: Path | None = None, force: bool = False) -> Result:
    """Restore a backup into ``db`` (default: the configured database, created if it does not exist).

    The caller closes Django's own connections to that database first (the restore command does).
    """
    db = db or _default_db()
    vendor = _vendor(db)
    path = Path(path)
    folder = Path(attachments_dir or settings.ATTACHMENTS_DIR)
    result = Result(manifest={}, path=path)
    result.size, result.sha256 = _file_digest(path)
    manifest = inspect(path)
    names = manifest.pop("attachment_names")
    result.manifest = manifest
    result.log.append(
        f"checked {path.name}: sha256 {result.sha256}, made {manifest['created_at']} on {manifest['vendor']}, "
        f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, {len(names)} files"
    )
    if manifest["vendor"] != vendor:
        raise BackupError(f"this is a {manifest['vendor']} backup; DATABASE_URL names a {vendor} database")
    if vendor == "sqlite":
        busy = _sqlite_holds_data(str(db["NAME"]))
    else:
        _pg_ensure_database(db, result.log)
        busy = _pg_holds_data(db)
    existing = _storage_files(folder)
    if existing:
        busy.append(f"{len(existing)} file(s) in {folder}")
    if busy and not force:
        raise BackupError("the target already holds data (" + "; ".join(busy[:5]) + "); use --force to replace it")
    if busy:
        result.log.append("replacing existing data (--force): " + "; ".join(busy[:5]))

    with _open_backup(path) as plain:
        for name, reader in _entries(plain):
            if name == SQLITE_ENTRY:
                counts = _sqlite_restore(reader.read(), str(db["NAME"]))
            elif name == PG_ENTRY:
                counts = _pg_restore(reader, db, manifest)
            elif name == ATTACHMENTS_ENTRY:
                written = _restore_files(reader, folder)
    if counts != manifest["tables"]:
        wrong = sorted(t for t in set(counts) | set(manifest["tables"]) if counts.get(t) != manifest["tables"].get(t))
        raise BackupError(f"row counts differ from the backup's after the restore: {', '.join(wrong)}")
    result.log.append(f"restored {len(counts)} tables, {sum(counts.values())} rows: every count matches the backup")
    removed = 0
    if force:
        keep = set(written)
        for stale in _storage_files(folder):
            if stale.name not in keep:
                stale.unlink()
                removed += 1
    result.log.append(
        f"restored {len(written)} attachment file(s) into {folder}"
        + (f", removed {removed} not in the backup" if removed else "")
    )
    return result


def _holding(counts: dict[str, int]) -> list[str]:
    return [f"{t}: {n} rows" for t, n in sorted(counts.items()) if n and t not in BOOKKEEPING_TABLES]


def _sqlite_holds_data(name: str) -> list[str]:
    if not Path(name).exists():
        return []
    conn = _sqlite_connect(name)
    try:
        return _holding(_sqlite_counts(conn))
    except sqlite3.DatabaseError as exc:
        return [f"{name} is not a readable SQLite database ({exc})"]
    finally:
        conn.close()


def _sqlite_restore(data: bytes, name: str) -> dict[str, int]:
    copy = sqlite3.connect(":memory:")
    try:
        copy.deserialize(_rollback_journal(data))
        del data
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the database in the backup fails PRAGMA integrity_check: {ok}")
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        target = _sqlite_connect(name)
        try:
            copy.backup(target)  # replaces the whole target database, page by page
        finally:
            target.close()
    finally:
        copy.close()
    with contextlib.closing(_sqlite_connect(name)) as check:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the restored database fails PRAGMA integrity_check: {ok}")
        return _sqlite_counts(check)


def _pg_maintenance(db: dict):
    import psycopg

    for name in ("postgres", "template1"):
        try:
            return _pg_connect(db, name, autocommit=True)
        except psycopg.OperationalError:
            continue
    raise BackupError("cannot connect to the server's postgres (or template1) database to create the target")


def _pg_ensure_database(db: dict, log: list[str]) -> None:
    from psycopg import sql

    with _pg_maintenance(db) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            log.append(f"created database {db['NAME']}")


def _pg_holds_data(db: dict) -> list[str]:
    with _pg_connect(db) as conn:
        return _holding(_pg_counts(conn))


def _pg_restore(reader, db: dict, manifest: dict) -> dict[str, int]:
    pg_restore = _pg_tool("pg_restore")
    tool = _tool_major(pg_restore)
    if tool < manifest.get("pg_dump_major", 0):
        raise BackupError(f"pg_restore {tool} cannot read a dump made by pg_dump {manifest['pg_dump_major']}")
    with _pg_connect(db) as conn:
        has_tables = bool(_pg_tables(conn))
    command = [pg_restore, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password"]
    if has_tables:
        command += ["--clean", "--if-exists"]
    command += ["--dbname", db["NAME"]]
    _run_piped(command, _pg_env(db), stdin_from=lambda: reader.read(BLOCK))
    with _pg_connect(db) as conn:
        return _pg_counts(conn)


def _restore_files(reader, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    with tarfile.open(fileobj=reader, mode="r|") as tar:
        for member in tar:
            if not member.isfile() or not STORAGE_NAME.match(member.name):
                raise BackupError(f"unexpected entry in the attachments archive: {member.name!r}")
            source = tar.extractfile(member)
            tmp = folder / f".{member.name}.{secrets.token_hex(4)}.part"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                shutil.copyfileobj(source, f, BLOCK)
            os.replace(tmp, folder / member.name)
            os.utime(folder / member.name, (time.time(), member.mtime))
            written.append(member.name)
    return written
