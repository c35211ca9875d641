"""SEC-21 and SEC-23: the audit trail is append-only, hash-chained, verifiable, and purged only past retention."""

import itertools
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from careledger.audit import chain
from careledger.audit.management.commands.audit import Command as AuditCommand
from careledger.audit.models import AuditEvent, ChainHead
from careledger.audit.services import Action, AuditWriteError, purge, record, verify
from careledger.core import clock

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger and row locks exist on PostgreSQL only"
)


def _rows(n: int, actor="system") -> list[AuditEvent]:
    return [record(actor=actor, action=Action.READ, object_type="case", object_id=i, detail={"n": i}) for i in range(n)]


def _tamper(sql: str, params: list) -> None:
    """Change the table behind the application's back, as a database superuser could.

    ``sql`` names the table ``{table}``; the values go in ``params``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off (superuser only)
        cursor.execute(sql.format(table=AuditEvent._meta.db_table), params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _verify_exit_code() -> int:
    with pytest.raises(SystemExit) as exit_info:
        AuditCommand().run_from_argv(["careledger", "audit", "verify"])
    return exit_info.value.code


# --- the chain ---


@pytest.mark.django_db
def test_sec_21_each_row_carries_the_previous_rows_hash():
    rows = _rows(5)
    assert rows[0].prev_hash == ""
    for before, row in itertools.pairwise(rows):
        assert row.prev_hash == before.hash
        assert len(row.hash) == 64
    stored = AuditEvent.objects.get(pk=rows[2].pk)
    assert stored.hash == chain.row_hash(chain.row_values(stored))  # the hash covers the row as stored
    head = ChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (rows[-1].pk, rows[-1].hash)


@pytest.mark.django_db
def test_sec_21_hash_covers_every_column():
    row = _rows(1)[0]
    base = chain.row_values(row)
    for name in chain.HASHED:
        changed = dict(base)
        changed[name] = {"x": 1} if name == "detail" else ("1.2.3.4" if name == "remote_addr" else "other")
        if name == "at":
            changed[name] = row.at + timedelta(microseconds=1)
        assert chain.row_hash(changed) != row.hash, name


@pytest.mark.django_db
def test_sec_21_verify_command_passes_on_an_intact_chain(capsys):
    _rows(3)
    call_command("audit", "verify")
    assert "intact: 3 rows" in capsys.readouterr().out


@pytest.mark.django_db
def test_sec_21_verify_names_an_edited_row():
    rows = _rows(5)
    _tamper("UPDATE {table} SET actor_username = %s WHERE id = %s", ["mallory", rows[2].pk])
    report = verify()
    assert not report.ok and report.bad_id == rows[2].pk
    with pytest.raises(CommandError, match=f"row id={rows[2].pk}"):
        call_command("audit", "verify")
    assert _verify_exit_code() == 1


@pytest.mark.django_db
def test_sec_21_verify_finds_an_edited_row_whose_hash_was_recomputed():
    rows = _rows(4)
    edited = AuditEvent.objects.get(pk=rows[1].pk)
    edited.detail = {"n": 99}
    new_hash = chain.row_hash(chain.row_values(edited))
    value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = "UPDATE {table} SET detail = " + value + ", hash = %s WHERE id = %s"  # noqa: S608  # nosec B608  # constant SQL; values are parameters
    _tamper(sql, ['{"n": 99}', new_hash, rows[1].pk])
    report = verify()
    assert not report.ok and report.bad_id == rows[2].pk  # the next row no longer links to it


@pytest.mark.django_db
def test_sec_21_verify_finds_deleted_rows_in_the_middle_and_at_the_end():
    rows = _rows(5)
    _tamper("DELETE FROM {table} WHERE id = %s", [rows[1].pk])
    report = verify()
    assert not report.ok and report.bad_id == rows[2].pk
    assert "deleted" in report.reason


@pytest.mark.django_db
def test_sec_21_verify_finds_rows_deleted_from_the_end():
    rows = _rows(4)
    _tamper("DELETE FROM {table} WHERE id >= %s", [rows[2].pk])
    report = verify()
    assert not report.ok and report.bad_id == rows[3].pk
    with pytest.raises(CommandError, match=f"row id={rows[3].pk}"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_sec_21_console_command_maps_audit_verify():
    from careledger import cli

    _rows(2)
    assert cli.main(["audit", "verify"]) == 0


@postgres_only
@pytest.mark.django_db
def test_sec_21_database_refuses_update_and_delete():
    rows = _rows(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=rows[0].pk).update(outcome="denied")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=rows[0].pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET hash = ''")
    assert verify().ok


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_sec_21_concurrent_appends_stay_one_chain():
    """Ten threads, each with its own connection, append at once: one chain, no fork."""
    errors = []
    barrier = threading.Barrier(10)

    def worker(i: int):
        try:
            barrier.wait(timeout=10)
            for j in range(5):
                with transaction.atomic():
                    record(actor="system", action=Action.READ, object_type="case", object_id=f"{i}-{j}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert AuditEvent.objects.count() == 50
    report = verify()
    assert report.ok, str(report)
    assert len(set(AuditEvent.objects.values_list("prev_hash", flat=True))) == 50


# --- retention (SEC-23) ---


def _aged(days: int, n: int = 1) -> list[AuditEvent]:
    with time_machine.travel(clock.now() - timedelta(days=days), tick=False):
        return _rows(n)


@pytest.mark.django_db
def test_sec_23_purge_deletes_only_rows_past_the_retention_and_keeps_the_chain_verifiable(capsys):
    old = _aged(181, 2)
    young = _aged(179)
    fresh = _rows(1)
    assert purge(retention_days=180) == 2
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert {r.pk for r in old}.isdisjoint(remaining)
    assert {young[0].pk, fresh[0].pk} <= remaining
    head = ChainHead.objects.get(pk=1)
    assert head.anchor_id == old[-1].pk and head.anchor_hash == old[-1].hash
    assert verify().ok
    purge_row = AuditEvent.objects.order_by("-id").first()
    assert purge_row.action == "delete" and purge_row.object_type == "auditevent"
    assert purge_row.detail["purged"] == 2
    call_command("audit", "verify")
    # After the purge, a change to the oldest remaining row is still found.
    _tamper("UPDATE {table} SET object_id = %s WHERE id = %s", ["x", young[0].pk])
    assert verify().bad_id == young[0].pk


@pytest.mark.django_db
def test_sec_23_default_retention_keeps_three_years(settings, capsys):
    assert settings.CARELEDGER_AUDIT_RETENTION_DAYS == 1095
    _aged(400)
    _aged(181)
    call_command("audit", "purge")
    assert "0 rows" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="read").count() == 2


@pytest.mark.django_db
def test_sec_23_purge_refuses_less_than_180_days():
    _aged(200)
    with pytest.raises(CommandError, match="at least 180"):
        call_command("audit", "purge", "--days", "179")
    with pytest.raises(ValueError):
        purge(retention_days=30)
    assert AuditEvent.objects.count() == 1


def test_sec_23_a_retention_below_180_days_stops_start_up():
    env = {"CARELEDGER_AUDIT_RETENTION_DAYS": "179", "DJANGO_SETTINGS_MODULE": "careledger.settings"}
    import os

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "CARELEDGER_AUDIT_RETENTION_DAYS must be at least 180" in result.stderr


@postgres_only
@pytest.mark.django_db
def test_sec_23_trigger_lets_only_old_rows_be_deleted():
    old = _aged(200)[0]
    young = _aged(100)[0]
    ChainHead.objects.filter(pk=1).update(retention_days=30)  # the trigger never goes below 180 days
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=young.pk).delete()
    with transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).delete()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


# --- fail closed at the source (SEC-22) ---


@pytest.mark.django_db
def test_sec_22_record_raises_audit_write_error_when_the_row_cannot_be_written(monkeypatch):
    from careledger.audit import services

    def broken(fields):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "_append", broken)
    with pytest.raises(AuditWriteError):
        record(actor="system", action=Action.READ)
