"""Files at rest are the owner's only (SEC-54): the SQLite database, its WAL and shared-memory files,
restored copies and the audit chain's head file are created or set 0600."""

import contextlib
import os
from pathlib import Path

OWNER_ONLY = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def precreate(path: str | os.PathLike) -> None:
    """Create ``path`` empty and 0600 if it does not exist yet (so that SQLite never creates it 0644)."""
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    path = Path(path)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))


def restrict_sqlite(name: str) -> None:
    """Set the database file and its companions (-wal, -shm, -journal) to 0600; SQLite gives new WAL and
    shared-memory files the database file's mode."""
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return
    for suffix in SQLITE_COMPANIONS:
        path = Path(f"{name}{suffix}")
        if path.exists() and (path.stat().st_mode & 0o777) != OWNER_ONLY:
            os.chmod(path, OWNER_ONLY)


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        restrict_sqlite(str(connection.settings_dict.get("NAME") or ""))
