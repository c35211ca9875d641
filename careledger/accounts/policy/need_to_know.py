"""Need-to-know: which fields of a student, case, ledger or escalation a user may see
(SECURITY.md, "Who sees which fields")."""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from careledger.accounts.models import Role
from careledger.accounts.policy.endpoints import allows_endpoint
from careledger.accounts.policy.roles import ADMINS, LEDGER_KEEPERS, ON_CASE, AnyUser, grants_of, roles_of
from careledger.accounts.policy.scopes import case_roles, cases_for, student_roles, students_for
from careledger.audit import context as request_context
from careledger.audit.models import AuditEvent
from careledger.cases.categories import Category
from careledger.cases.models import Case
from careledger.core import clock
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger
from careledger.roster.models import Student

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
    s = escalation.student  # an escalation without a case (a screening) still names its student
    return {
        "name": s.name,
        "class": s.school_class.name,
        "dorm": s.dorm.name if s.dorm else "",
        "phone": s.phone,
        "parent_name": s.parent_name,
        "parent_phone": s.parent_phone,
    }


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 in the school's zone (+08:00), as api.md's conventions ask."""
    return clock.local_time(moment).isoformat() if moment else None


def escalation_body(
    user: AnyUser, escalation: Escalation, *, full: bool, told: list[Any] | None = None
) -> dict[str, object]:
    reporter = escalation.created_by
    body: dict[str, object] = {
        "id": escalation.pk,
        "severity": escalation.severity,
        "status": escalation.status,
        "description": escalation.description,
        "departments": [d.code for d in escalation.departments.all()],
        "created_at": _iso(escalation.created_at),
        "due_at": _iso(escalation.due_at),
        "acknowledged_at": _iso(escalation.acknowledged_at),
        "resolved_at": _iso(escalation.resolved_at),
        "resolution": escalation.resolution,
        "raised_to_school": escalation.raised_at is not None,
        "student": _student_fields(escalation),
        "notes": [
            {"author": n.author.name or n.author.username, "at": _iso(n.at), "text": n.text}
            for n in escalation.notes.all()
        ],
    }
    if full:  # those who see the case itself
        body |= {
            "case": escalation.case_id,
            "student_no": escalation.student.student_no,
            "college": escalation.student.college.name,
            "created_by": escalation.created_by.username,
            # Who reported it and how to call them back; the page shows this to departments too.
            "reporter": {"name": reporter.name or reporter.username, "phone": reporter.phone},
        }
        if told is not None:  # who was told, and when (the detail only)
            body["told"] = [{"name": t.name, "channel": t.channel, "at": _iso(t.at)} for t in told]
    return body


# --- the reporting loop (issue 14, engineer "loop"): whom a message may name a student to ---


def may_name_student(user: AnyUser, student: Student) -> bool:
    """A message names the student only to a person who may see that student (api.md, Notifications)."""
    return students_for(user).filter(pk=student.pk).exists()


# --- docs: a ledger's case files (issue 14 item 4; SEC-45) ---
# A ledger's reader downloads the case files of the cases on the ledger that are in their case scope.
# Those on a case (counselor, class teacher) read its text; an admin not on the case states ONE reason
# for the whole ledger's case files (a "reveal" of the ledger, audited, REVEAL_MINUTES like a case's),
# or has revealed that case itself.


@dataclass(frozen=True)
class CaseFiles:
    readable: list[int]  # case ids whose files the reader may have now
    need_reason: list[int]  # case ids the reader may have once a reason is stated for the ledger

    @property
    def total(self) -> int:
        return len(self.readable) + len(self.need_reason)


def ledger_case_files(user: AnyUser, ledger: Ledger, case_ids: Iterable[int | None]) -> CaseFiles:
    """Which of ``case_ids`` (the ledger's cases) ``user`` may download as case files (a few queries,
    however many cases)."""
    wanted = sorted({pk for pk in case_ids if pk is not None})
    if not wanted or not allows_endpoint(user, "ledgers:case-files", "GET"):
        return CaseFiles([], [])
    context = request_context.current()
    if context.cache is not None:
        return _ledger_case_files(user, ledger, wanted)
    # Outside a request (a background job): memoise the grants for this one decision.
    token = request_context.set_current(dataclasses.replace(context, cache={}))
    try:
        return _ledger_case_files(user, ledger, wanted)
    finally:
        request_context.reset(token)


def _ledger_case_files(user: AnyUser, ledger: Ledger, wanted: list[int]) -> CaseFiles:
    cases = list(cases_for(user).filter(pk__in=wanted, student__college_id=ledger.college_id).select_related("student"))
    since = clock.now() - timedelta(minutes=REVEAL_MINUTES)
    reveals = set(
        AuditEvent.objects.filter(actor_id=user.pk, action="reveal", at__gte=since)
        .filter(Q(object_type="ledger", object_id=str(ledger.pk)) | Q(object_type="case"))
        .values_list("object_type", "object_id")
    )
    ledger_open = ("ledger", str(ledger.pk)) in reveals
    readable: list[int] = []
    need_reason: list[int] = []
    for case in cases:
        roles = student_roles(user, case.student)
        if not roles.isdisjoint(ON_CASE) or ledger_open or ("case", str(case.pk)) in reveals:
            readable.append(case.pk)
        elif not roles.isdisjoint(ADMINS):
            need_reason.append(case.pk)
    return CaseFiles(readable, need_reason)


# --- sec (issue 11): SEC-45 — the one need-to-know function every renderer of case text calls ---

# Timeline kinds whose summary may carry case text (a close reason, a decision note, an attachment title).
TEXT_SUMMARY_KINDS = frozenset({"close_requested", "closed", "close_rejected", "attachment"})


def may_read_case_text(user: AnyUser, case: Case, roles: frozenset[str] | None = None) -> bool:
    """Need-to-know for one case: those on the case read its text; the college's and the school's admins
    after stating a reason (break-glass, audited as a reveal). Case page, edit form, timeline (page and
    API), attachment lists and downloads, exports — all ask here."""
    return case_text_access(user, case, roles) == "full"


def timeline_for(user: AnyUser, case: Case, events: Iterable[Any], access: str | None = None) -> list[Any]:
    """The case's timeline events as ``user`` may see them: without old → new values and without the
    summaries of text-bearing kinds unless the reader may read the text. Never saved."""
    access = case_text_access(user, case) if access is None else access
    shown = list(events)
    if access == "full":
        return shown
    for event in shown:
        event.changes = [{"field": c.get("field", "")} for c in (event.changes or []) if isinstance(c, dict)]
        if event.kind in TEXT_SUMMARY_KINDS:
            event.summary = ""
    return shown


def ledger_text_case_ids(user: AnyUser, college_id: int, in_scope: set[int] | None = None) -> set[int] | None:
    """Cases of ``college_id`` whose ledger text (category texts, plan, effect, note, contacts) ``user`` may
    read; None means all of them. The school's admins and sections (their categories only, chosen by
    ``ledger_categories_for``) and the college's admin (负责人) read the whole college; a counselor reads
    the rows of their own case scope only (SEC-45)."""
    if not roles_of(user).isdisjoint({Role.SCHOOL_ADMIN, Role.SECTION}):
        return None
    if any(g.role == Role.COLLEGE_ADMIN and g.college_id == college_id for g in grants_of(user)):
        return None
    if in_scope is not None:  # the caller already holds cases_for(user) within the college
        return in_scope
    return set(cases_for(user).filter(student__college_id=college_id).values_list("pk", flat=True))
