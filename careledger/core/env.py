"""Strict environment helpers: a malformed value stops start-up instead of being guessed at."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_fractions(name: str, known: tuple[str, ...], default: dict[str, float]) -> dict[str, float]:
    """``key=number`` pairs separated by commas, each key one of ``known`` and each number at least 0."""
    raw = env_str(name)
    if not raw.strip():
        return dict(default)
    out = {}
    for item in raw.split(","):
        key, sep, value = (part.strip() for part in item.partition("="))
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not sep or key not in known or number < 0:
            raise ImproperlyConfigured(
                f"{name} must be indicator=number pairs (indicators: {', '.join(known)}), not {raw!r}"
            )
        out[key] = number
    return out


def env_fraction(name: str, default: float) -> float:
    """A number from 0 to 1."""
    raw = env_str(name)
    try:
        value = float(raw) if raw.strip() else default
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {raw!r}")
    return value


def env_database(var_dir: Path) -> dict[str, Any]:
    """The database of DATABASE_URL (sqlite:/// or postgres://), else SQLite in ``var_dir``."""
    url = env_str("DATABASE_URL")
    if url:
        if not url.startswith(("sqlite:", "postgres:", "postgresql:")):
            raise ImproperlyConfigured("DATABASE_URL must start with sqlite:/// or postgres://")
        db = dj_database_url.parse(url, conn_max_age=env_int("CARELEDGER_DB_CONN_MAX_AGE", 60))
    else:
        var_dir.mkdir(parents=True, exist_ok=True)
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(var_dir / "careledger.sqlite3")}
    if db["ENGINE"] == "django.db.backends.sqlite3" and db.get("NAME") and not str(db["NAME"]).startswith("file:"):
        # SEC-54: the database file is created 0600 before SQLite opens it (its WAL and SHM follow its mode).
        from careledger.core.files import precreate

        precreate(db["NAME"])
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids upgrade deadlocks. A writer waits
        # up to CARELEDGER_SQLITE_BUSY_MS for the one write lock (writes are short: large imports commit in
        # chunks in a background job) rather than failing with "database is locked".
        busy_ms = env_int("CARELEDGER_SQLITE_BUSY_MS", 20000)
        db["OPTIONS"] = {
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={busy_ms};",
            "timeout": busy_ms / 1000,
            "transaction_mode": "IMMEDIATE",
        }
        db["CONN_MAX_AGE"] = 0
        db["TEST"] = {"NAME": env_str("CARELEDGER_TEST_SQLITE", "") or None}
    else:
        db.setdefault("TEST", {})
    return db
