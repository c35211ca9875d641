"""Need-to-know: which fields of a student, case, ledger or escalation a user may see
(SECURITY.md, "Who sees which fields")."""

from datetime import timedelta

from careledger.accounts.models import Role
from careledger.accounts.policy.roles import ADMINS, LEDGER_KEEPERS, ON_CASE, AnyUser, grants_of, roles_of
from careledger.accounts.policy.scopes import case_roles
from careledger.audit.models import AuditEvent
from careledger.cases.categories import Category
from careledger.cases.models import Case
from careledger.core import clock
from careledger.escalations.models import Escalation

# Sensitive case text: category details and structured data, 问题描述, 生活史, 辅导方案, 备注, contact
# contents, the old → new values of the history, 帮扶效果, close reasons, attached files.
# Those on the case read it; the college's and the school's admins must state a reason first
# (break-glass), which opens it for REVEAL_MINUTES and is audited as a "reveal".
REVEAL_MINUTES = 30


def revealed(user: AnyUser, object_type: str, object_id: object) -> bool:
    """Did ``user`` state a reason to open this object within the last REVEAL_MINUTES?"""
    since = clock.now() - timedelta(minutes=REVEAL_MINUTES)
    return AuditEvent.objects.filter(
        actor_id=user.pk, action="reveal", object_type=object_type, object_id=str(object_id), at__gte=since
    ).exists()


def case_text_access(user: AnyUser, case: Case, roles: frozenset[str] | None = None) -> str:
    """'full' — read the sensitive text; 'reason' — an admin who must state a reason first; 'none'."""
    roles = case_roles(user, case) if roles is None else roles
    if not roles.isdisjoint(ON_CASE):
        return "full"
    if not roles.isdisjoint(ADMINS):
        return "full" if revealed(user, "case", case.pk) else "reason"
    return "none"


def can_read_case_text(user: AnyUser, case: Case, roles: frozenset[str] | None = None) -> bool:
    return case_text_access(user, case, roles) == "full"


# --- ledgers: which sub-tables ---


def ledger_categories_for(user: AnyUser) -> list[str]:
    """The sub-tables a user may see: all seven, or a section's own categories (分类报到相关科室)."""
    roles = roles_of(user)
    if not roles.isdisjoint(LEDGER_KEEPERS | {Role.SCHOOL_ADMIN}):
        return list(Category.values)
    wanted = {c for g in grants_of(user) if g.role == Role.SECTION and g.section for c in g.section.categories}
    return [c for c in Category.values if c in wanted]


# --- escalations: what a department needs to act, the rest for those on the case ---


def _student_fields(escalation: Escalation) -> dict[str, str]:
    """What a department needs to act: who, where, how to reach them and their parents."""
    s = escalation.case.student
    return {
        "name": s.name,
        "class": s.school_class.name,
        "dorm": s.dorm.name if s.dorm else "",
        "phone": s.phone,
        "parent_name": s.parent_name,
        "parent_phone": s.parent_phone,
    }


def escalation_body(user: AnyUser, escalation: Escalation, *, full: bool) -> dict[str, object]:
    body = {
        "id": escalation.pk,
        "severity": escalation.severity,
        "status": escalation.status,
        "description": escalation.description,
        "departments": [d.code for d in escalation.departments.all()],
        "created_at": escalation.created_at.isoformat(),
        "due_at": escalation.due_at.isoformat(),
        "acknowledged_at": escalation.acknowledged_at.isoformat() if escalation.acknowledged_at else None,
        "resolved_at": escalation.resolved_at.isoformat() if escalation.resolved_at else None,
        "resolution": escalation.resolution,
        "raised_to_school": escalation.raised_at is not None,
        "student": _student_fields(escalation),
        "notes": [
            {"author": n.author.name or n.author.username, "at": n.at.isoformat(), "text": n.text}
            for n in escalation.notes.all()
        ],
    }
    if full:  # those who see the case itself
        body |= {
            "case": escalation.case_id,
            "student_no": escalation.case.student.student_no,
            "college": escalation.case.student.college.name,
            "created_by": escalation.created_by.username,
        }
    return body
