"""Break-glass reads: a reader states why they open sensitive fields (SEC-17); the audit row is the grant."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.audit.models import AuditEvent
from careledger.audit.services import Action, record
from careledger.cases.models import Case
from careledger.core import clock
from careledger.core.errors import RateLimited
from careledger.core.text import clean_text


def reveal(*, actor: User, object_type: str, object_id, student_no: str, reason: str, fields: list[str]) -> None:
    """Break-glass: record why ``actor`` opens sensitive fields (SEC-17). The audit row is the grant."""

    reason = clean_text(reason).strip()  # SEC-48
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请说明查看原因。")]})
    limit = settings.REVEALS_PER_HOUR
    recent = AuditEvent.objects.filter(
        actor_id=actor.pk, action=Action.REVEAL, at__gte=clock.now() - timedelta(hours=1)
    )
    if recent.count() >= limit:
        policy.audit_denied(
            actor, object_type=object_type, object_id=object_id, student_no=student_no, why="rate limit: reveal"
        )
        raise RateLimited(_("查看敏感信息过于频繁，请稍后再试。"))
    record(
        actor=actor,
        action=Action.REVEAL,
        object_type=object_type,
        object_id=object_id,
        student_no=student_no,
        detail={"fields": fields, "reason": reason[:200]},
    )


CASE_TEXT_FIELDS = [
    "categories",
    "problem",
    "life_history",
    "plan",
    "note",
    "contacts",
    "history",
    "effects",
    "attachments",
]


def case_reveal(*, actor: User, case: Case, reason: str) -> None:
    if policy.case_text_access(actor, case) == "none":
        raise PermissionDenied(_("无权查看该档案的敏感内容。"))
    reveal(
        actor=actor,
        object_type="case",
        object_id=case.pk,
        student_no=case.student.student_no,
        reason=reason,
        fields=CASE_TEXT_FIELDS,
    )
