"""The databases a backup reads and a restore writes: settings, PostgreSQL tools and connections."""

import os
import re
import shutil
import subprocess
import threading

from django.db import connections

from careledger.core.backup.archive import BackupError

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
