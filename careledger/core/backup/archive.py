"""The backup file's inside: constants, the archive of named entries in the encrypted stream."""

import contextlib
import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
