"""Encrypted backups and restores of the database and the 过程材料 files (SEC-30, SEC-32; api.md).

A backup file is one encrypted stream (``crypto.EncryptingWriter``: a header, then 1 MiB chunks, each
authenticated and numbered, so alteration, truncation and reordering are all detected). Inside it, a
small archive of named entries, in this order:

- ``manifest.json``: format, vendor, creation time, the row count of every table, the attachment count;
- ``database.sqlite3`` (SQLite: a copy made with the online backup API, ``sqlite3.Connection.backup``,
  in one step, so it is consistent while other connections go on writing) or ``database.pgdump``
  (PostgreSQL: ``pg_dump -Fc`` of a snapshot exported by the transaction that counted the rows);
- ``attachments.tar``: the files of CARELEDGER_ATTACHMENTS_DIR (already encrypted one by one).

Nothing is written to disk in plaintext on the way: the SQLite copy lives in memory, pg_dump's output is
piped through the encryption, and the backup is written as ``PATH.part`` and renamed when complete.
A restore needs the keys the backup was made with (any key of CARELEDGER_ENCRYPTION_KEYS decrypts).

A restore reads the whole file once to check it (every chunk, the manifest, the archive) before it
touches anything; it refuses a database that holds data, or an attachments folder holding files, unless
``force``; then it restores and compares every table's row count with the manifest.
"""

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

from careledger.core import crypto

FORMAT = "careledger-backup/1"
ARCHIVE_MAGIC = b"CLBACKUP1\n"
MANIFEST = "manifest.json"
SQLITE_ENTRY = "database.sqlite3"
PG_ENTRY = "database.pgdump"
ATTACHMENTS_ENTRY = "attachments.tar"
# Rows Django writes by itself into a freshly migrated database: such a database counts as empty.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})
STORAGE_NAME = re.compile(r"^[0-9a-f]{32}$")  # cases.attachments: secrets.token_hex(16)
BLOCK = 1 << 20

_NAME_LEN = struct.Struct(">H")
_BLOCK_LEN = struct.Struct(">I")


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why (for the operator)."""


@dataclass
class Result:
    manifest: dict
    path: Path
    size: int = 0
    sha256: str = ""
    log: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())


# --- the archive inside the encrypted stream -------------------------------------------------------


class _EntryWriter(io.RawIOBase):
    def __init__(self, out):
        super().__init__()
        self._out = out

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if data:
            self._out.write(_BLOCK_LEN.pack(len(data)))
            self._out.write(bytes(data))
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._out.write(_BLOCK_LEN.pack(0))
        super().close()


class _ArchiveWriter:
    def __init__(self, out):
        self._out = out
        out.write(ARCHIVE_MAGIC)

    def entry(self, name: str) -> _EntryWriter:
        raw = name.encode()
        self._out.write(b"F" + _NAME_LEN.pack(len(raw)) + raw)
        return _EntryWriter(self._out)

    def close(self) -> None:
        self._out.write(b"E")


def _read_exact(src, n: int) -> bytes:
    data = src.read(n)
    if len(data) != n:
        raise BackupError("the backup file is truncated")
    return data


class _EntryReader(io.RawIOBase):
    def __init__(self, src):
        super().__init__()
        self._src = src
        self._left = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while self._left == 0 and not self._done:
            (self._left,) = _BLOCK_LEN.unpack(_read_exact(self._src, _BLOCK_LEN.size))
            self._done = self._left == 0
        if self._done:
            return 0
        data = _read_exact(self._src, min(len(target), self._left))
        target[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def drain(self) -> None:
        while self.read(BLOCK):
            pass


def _entries(src) -> Iterator[tuple[str, _EntryReader]]:
    """(name, reader) for each entry; each reader must be read to its end before the next is taken."""
    if src.read(len(ARCHIVE_MAGIC)) != ARCHIVE_MAGIC:
        raise BackupError("not a CareLedger backup (or not made with these keys)")
    while True:
        kind = _read_exact(src, 1)
        if kind == b"E":
            if src.read(1):
                raise BackupError("the backup file has data after its end")
            return
        if kind != b"F":
            raise BackupError("the backup file is damaged")
        (length,) = _NAME_LEN.unpack(_read_exact(src, _NAME_LEN.size))
        reader = _EntryReader(src)
        yield _read_exact(src, length).decode(), reader
        reader.drain()


@contextlib.contextmanager
def _open_backup(path: Path):
    """The plaintext archive stream of an encrypted backup file."""
    with open(path, "rb") as raw:
        try:
            plain = io.BufferedReader(crypto.DecryptingReader(raw), BLOCK)
        except crypto.DecryptionError as exc:
            raise BackupError(f"{path.name}: {exc}") from exc
        try:
            yield plain
        except crypto.DecryptionError as exc:
            raise BackupError(
                f"{path.name} cannot be decrypted: it was altered or truncated, or it was made with a key "
                "that CARELEDGER_ENCRYPTION_KEYS no longer holds"
            ) from exc


# --- database settings -------------------------------------------------------------------------------


def _vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def _default_db() -> dict:
    return connections["default"].settings_dict


_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _pg_env(db: dict, dbname: str | None = None) -> dict:
    """libpq environment for pg_dump/pg_restore: the password never goes on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": dbname or db.get("NAME"),
    }
    for option, var in _PG_OPTION_ENV.items():
        pairs[var] = (db.get("OPTIONS") or {}).get(option)
    env.update({k: str(v) for k, v in pairs.items() if v not in (None, "")})
    return env


def _pg_connect(db: dict, dbname: str | None = None, **kwargs):
    import psycopg

    params = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    for option in _PG_OPTION_ENV:
        if (db.get("OPTIONS") or {}).get(option):
            params[option] = db["OPTIONS"][option]
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **kwargs)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools, e.g. apt install postgresql-client)")
    return path


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"cannot read the version of {path}: {out.strip()}")
    return int(match.group(1))


class _Drain(threading.Thread):
    """Collect a child's stderr while its other pipe is busy (so neither side blocks on a full pipe)."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self._stream = stream
        self.text = ""

    def run(self) -> None:
        self.text = self._stream.read().decode("utf-8", "replace")


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
    from careledger.core.files import precreate, restrict_sqlite

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
