"""What every write to a case shares: the policy check of the verb, the timeline row, the audit row, the events."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.audit.services import record
from careledger.cases.models import Case, CaseEvent
from careledger.core import clock, outbox


def _events() -> Any:
    return outbox.events()  # careledger.notify.events, connected by notify (it sits above this app)


def require_action(user: User, action: str, case: Case, roles: frozenset[str] | None = None) -> frozenset[str]:
    roles = policy.case_roles(user, case) if roles is None else roles
    if not policy.can(user, action, case, roles=roles):
        policy.audit_denied(user, object_type="case", object_id=case.pk, student_no=case.student.student_no, why=action)
        raise PermissionDenied(_("无权执行该操作。"))
    return roles


def audit_case(actor: User, action: str, case: Case, **detail) -> None:
    record(
        actor=actor,
        action=action,
        object_type="case",
        object_id=case.pk,
        student_no=case.student.student_no,
        detail=detail or None,
    )


def timeline_add(case: Case, actor: User, kind: str, summary: str = "", changes: list | None = None) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, summary=summary[:200], changes=changes or [])


def _check_not_future(day: date, field_name: str) -> None:
    if day > clock.today():
        raise ValidationError({field_name: [_("日期不能晚于今天。")]})
