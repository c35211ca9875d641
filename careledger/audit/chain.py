"""The audit hash chain: canonical serialisation, verification and retention purge.

    hash(row) = SHA-256( canonical JSON of every column of the row, prev_hash included )

The canonical form is a JSON object with sorted keys, no whitespace and UTF-8 text; ``at`` is written
in UTC with microseconds. A row's prev_hash is the hash of the row before it (by id), or, for the oldest
row kept after a retention purge, the hash of the last purged row (the chain head's anchor). The head
also remembers the last row, so that rows deleted from the end are noticed too.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from careledger.audit.models import Action, AuditEvent, ChainHead, Outcome
from careledger.core import clock

logger = logging.getLogger("careledger.audit")

# Every column that is hashed, in the order verify() reads them.
HASHED = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "roles",
    "action",
    "object_type",
    "object_id",
    "student_no",
    "outcome",
    "remote_addr",
    "request_id",
    "detail",
    "prev_hash",
)
VERSION = "careledger-audit-v1"
# pg_advisory_xact_lock key for appending (any constant that no other code uses).
LOCK_KEY = 0x6361_7265_6C65_6467 % (2**63)
# The shortest retention the law allows (CSL Art. 21(3): six months); the database trigger enforces it too.
MIN_RETENTION_DAYS = 180


def row_values(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in HASHED}


def canonical(values: dict, version: str = VERSION) -> bytes:
    data = dict(values)
    at = data["at"]
    if isinstance(at, datetime):
        data["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    data["v"] = version
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# SEC-54: rows are keyed with a server secret (HMAC-SHA256, CARELEDGER_AUDIT_KEYS; the first key signs,
# every key verifies). Rows written before keying (v1, plain SHA-256) still verify, but only before the first
# keyed row: whoever lacks the key cannot recompute a row, and an unkeyed row after a keyed one is refused.
KEYED_VERSION = "careledger-audit-v2"


def _keys() -> list[bytes]:
    from django.conf import settings

    return [k.encode() for k in getattr(settings, "AUDIT_CHAIN_KEYS", []) if k]


def row_hash(values: dict) -> str:
    keys = _keys()
    if not keys:
        return _legacy_hash(values)
    return hmac.new(keys[0], canonical(values, KEYED_VERSION), hashlib.sha256).hexdigest()


def _legacy_hash(values: dict) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


def _kind(values: dict, stored: str) -> str | None:
    """'keyed', 'legacy' or None (the row does not match its hash)."""
    message = canonical(values, KEYED_VERSION)
    if any(hmac.compare_digest(hmac.new(k, message, hashlib.sha256).hexdigest(), stored) for k in _keys()):
        return "keyed"
    if hmac.compare_digest(_legacy_hash(values), stored):
        return "legacy"
    return None


@dataclass
class Report:
    ok: bool
    rows: int
    bad_id: int | None = None
    reason: str = ""
    last_hash: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.rows} rows, head {self.last_hash or '-'}"
        return f"audit chain broken at row id={self.bad_id}: {self.reason}"


# --- SEC-54: the head kept outside the database ---


def _head_file():
    from pathlib import Path

    from django.conf import settings

    name = getattr(settings, "AUDIT_HEAD_FILE", "")
    return Path(name) if name else None


def write_head_file(last_id: int, last_hash: str) -> None:
    """Record the chain's last row in the head file (0600), never moving it backwards."""
    import os

    path = _head_file()
    if path is None:
        return
    current = read_head_file()
    if current is not None and current[0] >= last_id:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"{last_id} {last_hash}\n")
    os.replace(tmp, path)


def read_head_file() -> tuple[int, str] | None:
    path = _head_file()
    if path is None or not path.exists():
        return None
    try:
        text = path.read_text().split()
        return int(text[0]), text[1]
    except (OSError, ValueError, IndexError):
        return (0, "unreadable")


def _check_head_file(report: "Report") -> "Report":
    """A chain that verifies must also reach the row the head file names, with the same hash."""
    found = read_head_file()
    if not report.ok or found is None:
        return report
    file_id, file_hash = found
    row = AuditEvent.objects.filter(id=file_id).values_list("hash", flat=True).first()
    if row is None or row != file_hash:
        return Report(
            False,
            report.rows,
            file_id,
            f"the head file names row {file_id}, which is missing or changed: rows at the end were deleted "
            "and the chain head rewritten",
        )
    return report


def verify() -> Report:
    """Walk the chain and check it against the head kept outside the database (SEC-54)."""
    return _check_head_file(_verify_chain())


def _verify_chain() -> Report:
    """Walk the chain from the oldest row; report the first row that does not fit."""
    head = ChainHead.objects.filter(pk=1).first()
    expected = head.anchor_hash if head else ""
    rows = 0
    keyed = False
    last_id = head.anchor_id if head else 0
    for values in AuditEvent.objects.order_by("id").values(*HASHED, "hash").iterator(chunk_size=2000):
        stored = values.pop("hash")
        if values["prev_hash"] != expected:
            return Report(
                False,
                rows,
                values["id"],
                "prev_hash does not match the row before it (a row before it was deleted or changed)",
            )
        kind = _kind(values, stored)
        if kind is None:
            return Report(False, rows, values["id"], "the row was changed after it was written")
        if kind == "legacy" and keyed:
            return Report(False, rows, values["id"], "an unkeyed row after keyed rows (rewritten without the key)")
        keyed = keyed or kind == "keyed"
        expected, last_id = stored, values["id"]
        rows += 1
    if head is not None and (head.last_id != last_id or head.last_hash != expected):
        return Report(
            False,
            rows,
            head.last_id,
            f"the chain ends at row {last_id or '-'} but its head says row {head.last_id}: rows at the end were deleted",
        )
    if head is None and rows:
        return Report(False, rows, last_id, "the chain head is missing")
    return Report(True, rows, last_hash=expected)


def lock_chain() -> ChainHead:
    """Take the chain lock for the rest of the transaction and return the chain head (created if absent)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_chain() must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        head = ChainHead.objects.filter(pk=1).first()
    else:
        # SQLite: the IMMEDIATE transaction already holds the database's write lock.
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = _recreate_head()
    return head


def _recreate_head() -> ChainHead:
    """A fresh database (or one flushed by tests) has no head: start it at the last row, if any."""
    last = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if last is not None:
        logger.warning("audit: chain head missing; restarting it at row %s", last["id"])
    return ChainHead.objects.create(pk=1, last_id=last["id"] if last else 0, last_hash=last["hash"] if last else "")


def purge(*, retention_days: int, record, actor="system", now: datetime | None = None) -> int:
    """Delete the oldest rows, those written more than ``retention_days`` ago; return how many.

    Only a prefix of the chain is removed (every row before the first one that is still young), so the
    rest stays verifiable: the last purged row's hash becomes the anchor. The purge is itself audited.
    """
    if retention_days < MIN_RETENTION_DAYS:
        raise ValueError(f"audit retention must be at least {MIN_RETENTION_DAYS} days, not {retention_days}")
    cutoff = (now or clock.now()) - timedelta(days=retention_days)
    with transaction.atomic():
        head = lock_chain()
        # The PostgreSQL trigger reads this: it lets through only deletes of rows older than the retention.
        ChainHead.objects.filter(pk=head.pk).update(retention_days=retention_days)
        first_young = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        doomed = AuditEvent.objects.filter(at__lt=cutoff)
        if first_young is not None:
            doomed = doomed.filter(id__lt=first_young)
        last = doomed.order_by("-id").values("id", "hash").first()
        if last is None:
            return 0
        count, _ = AuditEvent.objects.filter(id__lte=last["id"]).delete()
        ChainHead.objects.filter(pk=head.pk).update(anchor_id=last["id"], anchor_hash=last["hash"])
        record(
            actor=actor,
            action=Action.DELETE,
            object_type="auditevent",
            object_id=last["id"],
            outcome=Outcome.OK,
            detail={"purged": count, "retention_days": retention_days, "before": cutoff.isoformat()},
        )
    return count
