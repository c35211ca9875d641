"""Roster writes: a student's 学籍状态 (status with history). The roster import is roster/importers.py."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.audit.services import Action, record
from careledger.core import clock
from careledger.roster.models import EnrolmentStatus, Student, StudentStatus


def status_since_error(since: date) -> str | None:
    """``since`` may be today or any past day (a change is often recorded after the fact); never a future day —
    a status planned ahead is entered on the day it takes effect."""
    if since > clock.today():
        return _("状态日期不能晚于今天。")
    return None


def apply_status(*, student: Student, status: str, since: date, recorded_by=None) -> bool:
    """Record ``status`` from ``since`` in the history, without auditing (the caller audits). A second change on
    the same day replaces that day's entry; a change that changes nothing writes nothing. True if written."""
    same_day = StudentStatus.objects.filter(student=student, since=since).first()
    before = StudentStatus.objects.filter(student=student, since__lt=since).order_by("-since", "-id").first()
    previous = before.status if before else EnrolmentStatus.ENROLLED
    if same_day is not None:
        if same_day.status == status:
            return False
        if previous == status:
            same_day.delete()  # the day's change is undone: the history keeps no empty step
        else:
            same_day.status, same_day.recorded_by = status, recorded_by
            same_day.save(update_fields=["status", "recorded_by"])
        return True
    if previous == status:
        return False
    StudentStatus.objects.create(student=student, status=status, since=since, recorded_by=recorded_by)
    return True


@transaction.atomic
def student_status_set(*, actor, student: Student, status: str, since: date | None = None) -> bool:
    """Record that ``student`` is ``status`` (an EnrolmentStatus value) from ``since`` (default today).

    The history is kept: an entry holds until the next one. ``since`` may be today or in the past, never in
    the future. Returns True when the history changed. Who may call it: policy.can_set_student_status."""
    if status not in EnrolmentStatus.values:
        raise ValidationError({"status": [_("学籍状态无效。")]})
    since = since or clock.today()
    problem = status_since_error(since)
    if problem:
        raise ValidationError({"since": [problem]})
    changed = apply_status(
        student=student, status=status, since=since, recorded_by=actor if getattr(actor, "pk", None) else None
    )
    if changed:
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="student_status",
            object_id=student.pk,
            student_no=student.student_no,
            detail={"status": status, "since": since.isoformat()},
        )
    return changed
