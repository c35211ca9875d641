"""Escalations: report at once, acknowledge, note, resolve; raise what passes its deadline."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role, User
from careledger.audit.services import Action, record
from careledger.cases.models import Case, CaseEvent, CaseStatus
from careledger.cases.services import timeline_add
from careledger.core import clock, outbox
from careledger.core.errors import Conflict
from careledger.escalations import rules
from careledger.escalations.models import Department, Escalation, EscalationNote, EscalationStatus, Severity
from careledger.roster.models import Student


@transaction.atomic
def department_create(*, actor: User, code: str, name: str) -> Department:
    department = Department(code=code, name=name)
    department.full_clean()
    department.save()
    record(actor=actor, action=Action.CREATE, object_type="department", object_id=department.pk, detail={"code": code})
    return department


def _audit(actor: User, escalation: Escalation, action: str = Action.UPDATE, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        object_type="escalation",
        object_id=escalation.pk,
        student_no=escalation.student.student_no,
        detail=detail or None,
    )


def college_admins_of(student: Student) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, grants__role=Role.COLLEGE_ADMIN, grants__college_id=student.college_id
        ).distinct()
    )


def headline(escalation: Escalation) -> str:
    """The least detail a message may carry: where, how urgent, by when — never the case text."""
    student = escalation.student
    due = clock.local_time(escalation.due_at)
    return (
        f"【重大安全隐患·{escalation.get_severity_display()}】{student.college.name} {student.school_class.name} "
        f"一名学生，请于 {due:%m-%d %H:%M} 前确认。"
    )


def escalation_create(
    *, actor: User, case: Case, severity: str, description: str, departments: list[Department]
) -> Escalation:
    if not policy.can(actor, "escalate", case):
        policy.audit_denied(
            actor, object_type="case", object_id=case.pk, student_no=case.student.student_no, why="escalate"
        )
        raise PermissionDenied(_("无权上报该档案的安全隐患。"))
    if severity not in Severity.values:
        raise ValidationError({"severity": [_("紧急程度应为 urgent、high 或 normal。")]})
    if not description.strip():
        raise ValidationError({"description": [_("请说明情况。")]})
    if case.status != CaseStatus.OPEN:
        raise ValidationError({"case": [_("档案已撤销建档。")]})
    with transaction.atomic():
        now = clock.now()
        escalation = Escalation.objects.create(
            case=case,
            severity=severity,
            description=description,
            created_by=actor,
            created_at=now,
            due_at=rules.due_at(severity, now),
        )
        escalation.departments.set(departments)
        timeline_add(case, actor, CaseEvent.Kind.ESCALATION, escalation.get_severity_display())
        _audit(actor, escalation, Action.CREATE, severity=severity, departments=[d.code for d in departments])
        # Told at once: the college's admins and the chosen departments (stored, then delivered by tick).
        _events().escalation_reported(escalation)
    return escalation


def _events() -> Any:
    return outbox.events()  # careledger.notify.events, connected by notify (it sits above this app)


def _require(actor: User, escalation: Escalation) -> None:
    if not policy.can_handle_escalation(actor, escalation):
        policy.audit_denied(actor, object_type="escalation", object_id=escalation.pk, why="handle")
        raise PermissionDenied(_("无权处理该上报。"))


def escalation_acknowledge(*, actor: User, escalation: Escalation) -> Escalation:
    _require(actor, escalation)
    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update(of=("self",)).select_related("student", "case").get(pk=escalation.pk)
        )
        if escalation.status != EscalationStatus.OPEN:
            return escalation  # acknowledging twice changes nothing
        escalation.status = EscalationStatus.ACKNOWLEDGED
        escalation.acknowledged_at, escalation.acknowledged_by = clock.now(), actor
        escalation.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        if escalation.case is not None:
            timeline_add(escalation.case, actor, CaseEvent.Kind.ESCALATION, _("已确认"))
        _audit(actor, escalation, status="acknowledged")
        _events().escalation_acknowledged(escalation)
    return escalation


def escalation_note(*, actor: User, escalation: Escalation, text: str) -> EscalationNote:
    _require(actor, escalation)
    if not text.strip():
        raise ValidationError({"text": [_("请填写处置记录。")]})
    with transaction.atomic():
        note = EscalationNote.objects.create(escalation=escalation, author=actor, text=text)
        _audit(actor, escalation, note=note.pk)
    return note


def escalation_resolve(*, actor: User, escalation: Escalation, resolution: str) -> Escalation:
    _require(actor, escalation)
    if not resolution.strip():
        raise ValidationError({"resolution": [_("请填写处置结果。")]})
    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update(of=("self",)).select_related("student", "case").get(pk=escalation.pk)
        )
        if escalation.status == EscalationStatus.RESOLVED:
            raise ValidationError({"status": [_("已处置。")]})
        if escalation.acknowledged_at is None:
            # api.md: resolving one that nobody has acknowledged is a conflict — confirm receipt first.
            raise Conflict(_("请先确认收到，再处置。"))
        now = clock.now()
        escalation.status, escalation.resolved_at, escalation.resolved_by = EscalationStatus.RESOLVED, now, actor
        escalation.resolution = resolution
        escalation.save()
        if escalation.case is not None:
            timeline_add(escalation.case, actor, CaseEvent.Kind.ESCALATION, _("已处置"))
        _audit(actor, escalation, status="resolved")
        _events().escalation_resolved(escalation)
    return escalation


def raise_overdue(*, now: datetime | None = None) -> int:
    """Escalations past their acknowledgement deadline go to the school's admins — once each.

    Idempotent: ``raised_at`` marks the ones done, and the message's dedupe key stops a second send
    even if two ticks overlap.
    """
    now = now or clock.now()
    raised = 0
    school_admins = list(User.objects.filter(is_active=True, grants__role=Role.SCHOOL_ADMIN).distinct())
    overdue = Escalation.objects.filter(status=EscalationStatus.OPEN, raised_at__isnull=True, due_at__lt=now)
    for escalation in overdue.select_related("student__college", "student__school_class"):
        with transaction.atomic():
            updated = Escalation.objects.filter(pk=escalation.pk, raised_at__isnull=True).update(raised_at=now)
            if not updated:
                continue  # another tick got there first
            outbox.notify(
                users=school_admins,
                kind="escalation_overdue",
                subject=("【逾期未确认】" + headline(escalation))[:100],
                body="【逾期未确认，已上报学工处】" + headline(escalation),
                link=f"/escalations/{escalation.pk}/",
                dedupe_key=f"escalation-overdue-{escalation.pk}",
            )
            record(
                actor="tick",
                action=Action.UPDATE,
                object_type="escalation",
                object_id=escalation.pk,
                student_no=escalation.student.student_no,
                detail={"raised": True},
            )
            raised += 1
    return raised


def department_users(department: Department) -> list[User]:
    return [g.user for g in Grant.objects.filter(role=Role.DEPARTMENT, department=department, user__is_active=True)]


def escalation_from_screening(
    *, actor: User, student: Student, description: str, departments: list[Department], counselors: list[User]
) -> Escalation:
    """An urgent escalation raised by a screening's immediate-danger answer (evidence app, issue 16).

    Raised by the importer (the school office or the psychological centre), whatever the totals: on the
    student's open case if there is one, otherwise on the student alone — nothing opens a case by itself.
    Told at once: the departments (the psychological centre), the student's counselors and the
    college's admins; the 1-hour acknowledge clock of an urgent escalation applies.
    """
    with transaction.atomic():
        now = clock.now()
        case = Case.objects.filter(student=student, status=CaseStatus.OPEN).first()
        escalation = Escalation.objects.create(
            case=case,
            student=student,
            severity=Severity.URGENT,
            description=description,
            created_by=actor,
            created_at=now,
            due_at=rules.due_at(Severity.URGENT, now),
        )
        escalation.departments.set(departments)
        if case is not None:
            timeline_add(case, actor, CaseEvent.Kind.ESCALATION, escalation.get_severity_display())
        _audit(actor, escalation, Action.CREATE, severity=Severity.URGENT, departments=[d.code for d in departments])
        users = {u.pk: u for u in [*college_admins_of(student), *counselors]}
        outbox.notify(
            users=list(users.values()),
            departments=departments,
            kind="escalation",
            subject=headline(escalation)[:100],
            body=headline(escalation),
            link=f"/escalations/{escalation.pk}/",
            dedupe_key=f"escalation-new-{escalation.pk}",
        )
    return escalation
