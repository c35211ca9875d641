"""SEC-54 (audit): the chain's head is also kept in a 0600 file out of the database's reach — deleting the
tail rows and rewriting audit_chainhead in SQL makes `careledger audit verify` fail."""

import json
import os
import stat

import pytest
from django.db import connection, transaction

from careledger.audit import chain
from careledger.audit.models import AuditEvent, ChainHead
from careledger.audit.services import Action, record
from careledger.audit.tests.test_chain import _tamper, _verify_exit_code


@pytest.fixture
def head_file(settings, tmp_path):
    settings.AUDIT_HEAD_FILE = str(tmp_path / "audit_head")
    return tmp_path / "audit_head"


@pytest.mark.django_db(transaction=True)
def test_sec_54_deleting_the_tail_and_rewriting_the_head_in_sql_fails_verify(head_file):
    rows = [record(actor="system", action=Action.READ, object_type="case", object_id=i) for i in range(6)]
    assert stat.S_IMODE(os.stat(head_file).st_mode) == 0o600
    assert chain.read_head_file() == (rows[-1].pk, rows[-1].hash)
    assert chain.verify().ok
    keep = rows[3]
    with transaction.atomic(), connection.cursor() as cursor:  # SET LOCAL (in _tamper) needs a transaction
        _tamper("DELETE FROM {table} WHERE id > %s", [keep.pk])
        cursor.execute(
            f"UPDATE {ChainHead._meta.db_table} SET last_id = %s, last_hash = %s WHERE id = 1",  # noqa: S608  # nosec B608 (a test: the table name is the model's own)
            [keep.pk, keep.hash],
        )
    assert AuditEvent.objects.count() == 4
    assert chain._verify_chain().ok  # the database alone cannot tell …
    assert _verify_exit_code() == 1  # … the head file can


@pytest.mark.django_db(transaction=True)
def test_sec_54_the_head_file_never_moves_backwards(head_file):
    rows = [record(actor="system", action=Action.READ, object_type="case", object_id=i) for i in range(3)]
    chain.write_head_file(rows[0].pk, rows[0].hash)
    assert chain.read_head_file() == (rows[-1].pk, rows[-1].hash)


@pytest.mark.django_db(transaction=True)
def test_sec_54_a_chain_recomputed_without_the_key_fails_verify(settings):
    """A database writer rewrites a row and recomputes every hash after it — unkeyed, or with a guessed key —
    and the head: verify fails, because the rows are keyed with a secret the database does not hold."""
    rows = [record(actor="system", action=Action.READ, object_type="case", object_id=i) for i in range(4)]
    assert chain.verify().ok
    for forge in (chain._legacy_hash, None):
        settings.AUDIT_CHAIN_KEYS = ["careledger-test-audit-key-not-secret"]
        events = list(AuditEvent.objects.order_by("id"))
        events[1].detail = {"forged": True}
        prev = events[0].hash
        if forge is None:
            settings.AUDIT_CHAIN_KEYS = ["a-guessed-key"]
        with transaction.atomic():
            for event in events[1:]:
                event.prev_hash = prev
                values = chain.row_values(event)
                event.hash = forge(values) if forge else chain.row_hash(values)
                prev = event.hash
                _tamper(
                    "UPDATE {table} SET detail = %s, prev_hash = %s, hash = %s WHERE id = %s"
                    if connection.vendor != "postgresql"
                    else "UPDATE {table} SET detail = CAST(%s AS jsonb), prev_hash = %s, hash = %s WHERE id = %s",
                    [
                        '{"forged": true}' if event.pk == rows[1].pk else json.dumps(event.detail),
                        event.prev_hash,
                        event.hash,
                        event.pk,
                    ],
                )
            ChainHead.objects.filter(pk=1).update(last_id=events[-1].pk, last_hash=prev)
        settings.AUDIT_CHAIN_KEYS = ["careledger-test-audit-key-not-secret"]
        report = chain.verify()
        assert not report.ok and report.bad_id == rows[1].pk
