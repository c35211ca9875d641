"""Shared set-up for the benchmarks: a throw-away database and a configured Django.

SQLite: a temporary file. PostgreSQL (when DATABASE_URL names one): a new database created on that
server for the run and dropped afterwards; the database DATABASE_URL names is never touched.
"""

import contextlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fresh_postgres(url: str) -> tuple[str, str]:
    """Create an empty database next to the one ``url`` names; return (its URL, its name)."""
    import psycopg

    parts = urlsplit(url)
    # Named after the database DATABASE_URL names (a prefix of its own on a shared server).
    name = f"{parts.path.strip('/') or 'careledger'}_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def throwaway_django() -> Iterator[Path]:
    """Set Django up on a fresh, empty, migrated database; yield a temporary working directory."""
    workdir = Path(tempfile.mkdtemp(prefix="careledger-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "careledger.settings"
    os.environ["CARELEDGER_VAR_DIR"] = str(workdir)  # secret key and SQLite file live here
    # Development keys, made into the temporary directory and removed with it: a fresh checkout runs every
    # bench without CARELEDGER_DEV_KEYS (`make bench` sets it too); keys given in the environment still win.
    os.environ.setdefault("CARELEDGER_DEV_KEYS", "true")
    os.environ.setdefault("CARELEDGER_LOG_LEVEL", "ERROR")
    url = os.environ.get("DATABASE_URL", "")
    pg: tuple[str, str] | None = None
    if url.startswith(("postgres:", "postgresql:")):
        pg = fresh_postgres(url)
        os.environ["DATABASE_URL"] = pg[0]
    else:
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    try:
        yield workdir
    finally:
        from django.db import connections

        connections.close_all()
        if pg:
            drop_postgres(url, pg[1])
        shutil.rmtree(workdir, ignore_errors=True)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def best_of(n: int, fn, *args, **kwargs) -> float:
    """The fastest of ``n`` runs: the figure least disturbed by whatever else the machine does."""
    return min(timed(fn, *args, **kwargs)[0] for _ in range(n))


def print_table(rows: list[tuple[str, float, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  note")
    print(f"{'-' * width}  {'-' * 8}  ----")
    for label, seconds, note in rows:
        print(f"{label:<{width}}  {seconds:>8.3f}  {note}")


def bench_semester(**kwargs):
    """``semester_create(**kwargs)``, after moving aside a semester the demo made over the same dates (the
    demo now creates the current semester; the bench's own would overlap it and be refused)."""
    from careledger.core import services as core_services
    from careledger.core.models import Semester, SemesterPeriod

    for n, clash in enumerate(Semester.objects.filter(start__lte=kwargs["end"], end__gte=kwargs["start"])):
        SemesterPeriod.objects.filter(semester=clash).delete()
        old = date(1990 + n, 9, 1)
        Semester.objects.filter(pk=clash.pk).update(name=f"{clash.name}（移开）", start=old, end=old, ledger_due=old)
    return core_services.semester_create(**kwargs)
