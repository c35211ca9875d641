"""audit.record(): the one way an audit row is written. Call it inside the write's transaction.

Each row is chained to the one before it (see chain.py). Appending takes the chain lock inside the
caller's transaction — on PostgreSQL a transaction-level advisory lock; SQLite's IMMEDIATE
transactions already serialise writers — so two requests can never chain onto the same row.

Audit fails closed (SEC-22): if the row cannot be written, record() raises AuditWriteError, the
caller's transaction rolls back and no data is returned; core.middleware answers 503.
"""

import ipaddress
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.utils.ipv6 import clean_ipv6_address

from careledger.audit import chain, context
from careledger.audit.chain import lock_chain
from careledger.audit.models import Action, AuditEvent, ChainHead, Outcome
from careledger.core import clock

logger = logging.getLogger("careledger.audit")


class AuditWriteError(Exception):
    """The audit row could not be written: the operation must not go ahead (fail closed)."""


# SEC-53: the auditor sees who did what to which object, never the content. File names (they carry the
# student's name) keep only their type; category codes become a count.
_FILE_KEYS = frozenset({"file", "filename", "original_name"})
_CONTENT_KEYS = frozenset({"categories", "category", "title", "student_name"})


def _no_nul(value: Any) -> Any:
    """Audit rows never fail on a NUL character a caller sent (PostgreSQL text and jsonb refuse it)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nul(v) for v in value]
    return value


def content_free(detail: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if key in _FILE_KEYS:
            name = str(value or "")
            out[f"{key}_type"] = name.rsplit(".", 1)[-1].lower()[:10] if "." in name else ""
        elif key in _CONTENT_KEYS:
            out[f"{key}_count"] = len(value) if isinstance(value, list | tuple | set) else int(bool(value))
        elif key == "fields" and isinstance(value, list | tuple):
            # A changed category names the field, not the category ("category:psych" → "category").
            out[key] = list(dict.fromkeys("category" if str(f).startswith("category:") else f for f in value))
        else:
            out[key] = value
    return out


def record(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    student_no: str = "",
    outcome: str = Outcome.OK,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    ctx = context.current()
    user = actor if getattr(actor, "is_authenticated", False) else None
    username = user.get_username() if user else (actor if isinstance(actor, str) else "")
    try:
        fields = {
            "actor_id": user.pk if user else None,
            "actor_username": _no_nul(username[:150]),
            "roles": _roles(user),
            "action": str(action),
            "object_type": str(object_type or "")[:40],
            "object_id": _no_nul(str(object_id)[:64]) if object_id not in (None, "") else "",
            "student_no": _no_nul(str(student_no or "")[:20]),
            "outcome": str(outcome),
            "remote_addr": _address(ctx.remote_addr),
            "request_id": ctx.request_id[:32],
            # Stored exactly as hashed: plain JSON types only.
            "detail": _no_nul(json.loads(json.dumps(content_free(detail or {}), cls=DjangoJSONEncoder))),
        }
        return _append(fields)
    except AuditWriteError:
        raise
    except Exception as exc:  # any failure to write the row stops the operation (SEC-22)
        logger.error("audit: could not write a %s row: %s", action, type(exc).__name__)
        raise AuditWriteError(f"audit row not written ({type(exc).__name__})") from exc


def _append(fields: dict[str, Any]) -> AuditEvent:
    with transaction.atomic():
        head = lock_chain()
        event_id = _next_id(head)
        event = AuditEvent(id=event_id, at=clock.now(), prev_hash=head.last_hash, **fields)
        event.hash = chain.row_hash(chain.row_values(event))
        event.save(force_insert=True)
        ChainHead.objects.filter(pk=head.pk).update(last_id=event.id, last_hash=event.hash)
        # SEC-54: also outside the database, once committed.
        transaction.on_commit(lambda: _write_head_file(event.id, event.hash))
    return event


def _write_head_file(last_id: int, last_hash: str) -> None:
    try:
        chain.write_head_file(last_id, last_hash)
    except OSError as exc:  # the row is written; a missing head file is reported by verify
        logger.error("audit: could not write the head file: %s", type(exc).__name__)


def _next_id(head: ChainHead) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [AuditEvent._meta.db_table])
            row = cursor.fetchone()
            return int(row[0])
    # Under the write lock: one more than any id used so far.
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return max(last, head.last_id) + 1


# The caller's roles as the access policy reads them. The policy sits above the audit trail (it records
# denials here), so it hands its reader in when the accounts app is ready (AccountsConfig.ready) rather
# than this floor module importing it.
_roles_of: Callable[[Any], Iterable[str]] | None = None


def set_roles_reader(reader: Callable[[Any], Iterable[str]]) -> None:
    global _roles_of
    _roles_of = reader


def _roles(user: Any) -> str:
    if user is None or _roles_of is None:
        return ""
    return ",".join(sorted(str(r) for r in _roles_of(user)))[:100]


def _address(raw: str | None) -> str | None:
    """The address as the database will store it (so the hash matches), or None if it is not one."""
    if not raw:
        return None
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)


def verify() -> chain.Report:
    return chain.verify()


def purge(*, retention_days: int, actor: Any = "system") -> int:
    """Delete the rows older than ``retention_days`` (at least 180) and re-anchor the chain."""
    try:
        return chain.purge(retention_days=retention_days, record=record, actor=actor)
    except DatabaseError as exc:
        raise AuditWriteError(f"audit purge failed ({type(exc).__name__})") from exc


__all__ = ["Action", "AuditWriteError", "Outcome", "purge", "record", "verify"]
