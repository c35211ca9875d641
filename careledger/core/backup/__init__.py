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

Parts: ``archive`` (the entries inside the encrypted stream), ``databases`` (settings and PostgreSQL
tools), ``make`` (``backup``), ``restore`` (``inspect``, ``read_entry``, ``restore``).
"""

from careledger.core.backup.archive import (
    ATTACHMENTS_ENTRY,
    FORMAT,
    MANIFEST,
    PG_ENTRY,
    SQLITE_ENTRY,
    STORAGE_NAME,
    BackupError,
    Result,
)
from careledger.core.backup.databases import _pg_connect, _pg_env
from careledger.core.backup.make import _pg_tables, backup
from careledger.core.backup.restore import inspect, read_entry, restore

__all__ = [
    "ATTACHMENTS_ENTRY",
    "FORMAT",
    "MANIFEST",
    "PG_ENTRY",
    "SQLITE_ENTRY",
    "STORAGE_NAME",
    "BackupError",
    "Result",
    "_pg_connect",
    "_pg_env",
    "_pg_tables",
    "backup",
    "inspect",
    "read_entry",
    "restore",
]
