"""audit.record(): the one way an audit row is written. Call it inside the write's transaction."""

from typing import Any

from careledger.audit import context
from careledger.audit.models import Action, AuditEvent, Outcome


def record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    student_no: str = "",
    outcome: str = Outcome.OK,
    detail: dict | None = None,
) -> AuditEvent:
    ctx = context.current()
    user = actor if getattr(actor, "is_authenticated", False) else None
    username = user.get_username() if user else (actor if isinstance(actor, str) else "")
    return AuditEvent.objects.create(
        actor=user,
        actor_username=username[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64] if object_id not in (None, "") else "",
        student_no=student_no,
        outcome=outcome,
        remote_addr=ctx.remote_addr,
        request_id=ctx.request_id,
        detail=detail or {},
    )


__all__ = ["Action", "Outcome", "record"]
