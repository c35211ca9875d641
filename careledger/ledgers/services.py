"""Writes to the survey and the ledgers: create, submit (freeze), accept, return, addenda."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.audit.services import Action, record
from careledger.cases.models import Case, CaseStatus
from careledger.cases.services import reveal
from careledger.core import clock, outbox
from careledger.core.models import Semester
from careledger.ledgers import rows, selectors
from careledger.ledgers import rules as ledger_rules
from careledger.ledgers.models import Addendum, Ledger, LedgerStatus, LedgerStep, Section, SurveyOutcome, SurveyReview
from careledger.ledgers.records import make_snapshot
from careledger.roster.models import College, Student


def _audit(actor: User, ledger: Ledger, **detail: Any) -> None:
    record(actor=actor, action=Action.UPDATE, object_type="ledger", object_id=ledger.pk, detail=detail or None)


def ledger_open(*, actor: User, semester: Semester, college: College) -> Ledger:
    """The college's ledger for the semester, created as a draft the first time it is asked for."""
    if not policy.can_keep_ledger(actor, college):
        raise PermissionDenied(_("无权填报该学院的台账。"))
    existing = Ledger.objects.filter(semester=semester, college=college).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            ledger = Ledger.objects.create(semester=semester, college=college, created_by=actor)
            LedgerStep.objects.create(ledger=ledger, action=LedgerStep.Action.CREATED, actor=actor)
            record(actor=actor, action=Action.CREATE, object_type="ledger", object_id=ledger.pk)
    except IntegrityError:  # created by a parallel request
        ledger = Ledger.objects.get(semester=semester, college=college)
    return ledger


class SubmitWarnings(Exception):
    """The submission has something to warn about (survey coverage, unpaired or overdue cases) and the
    signer has not confirmed: nothing is written; the API answers 400 with the warnings."""

    def __init__(self, warnings: list[ledger_rules.SubmitWarning]):
        super().__init__([w.message for w in warnings])
        self.warnings = warnings


def _events() -> Any:
    return outbox.events()  # careledger.notify.events, connected by notify (it sits above this app)


def ledger_submit(
    *, actor: User, ledger: Ledger, filled_by: str = "", responsible: str = "", confirm: bool = False
) -> Ledger:
    """Sign and report the ledger.

    The college_admin signs as 负责人 (product.md): their submit freezes the college's open cases into the
    snapshot and sends it (late after the due date). A counselor's submit records them as 填表人 and leaves
    the ledger waiting for the college_admin's confirmation (``awaiting_confirmation``); the status stays
    draft (or returned) until then. Either way the signer first sees the warnings (survey coverage below
    100 %, cases without a mentor, overdue cases) and must ``confirm`` to go on (SubmitWarnings otherwise).
    """
    if not policy.can_keep_ledger(actor, ledger.college):
        raise PermissionDenied(_("无权上报该学院的台账。"))
    head = policy.can_confirm_ledger(actor, ledger.college)
    filled_by = filled_by.strip() or (ledger.filled_by if head else "")
    responsible = (responsible.strip() or actor.name or actor.username) if head else ""
    if not filled_by:
        raise ValidationError({"filled_by": [_("请填写填表人。")]})
    if ledger.status not in (LedgerStatus.DRAFT, LedgerStatus.RETURNED):
        raise ValidationError({"status": [_("台账已上报，不能重复上报。")]})
    if not confirm:
        warnings = selectors.submission_warnings(ledger)
        if warnings:
            raise SubmitWarnings(warnings)
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update().select_related("semester", "college").get(pk=ledger.pk)
        if ledger.status not in (LedgerStatus.DRAFT, LedgerStatus.RETURNED):
            raise ValidationError({"status": [_("台账已上报，不能重复上报。")]})
        now = clock.now()
        if not head:
            ledger.filled_by = filled_by[:50]
            ledger.prepared_by, ledger.prepared_at = actor, now
            ledger.save(update_fields=["filled_by", "prepared_by", "prepared_at"])
            step = LedgerStep.objects.create(ledger=ledger, action=LedgerStep.Action.PREPARED, actor=actor)
            _audit(actor, ledger, status="prepared")
            _events().ledger_awaiting_confirmation(ledger, by=actor, step_id=step.pk)
            return ledger
        resubmitted = ledger.steps.filter(action=LedgerStep.Action.SUBMITTED).exists()
        ledger.snapshot = make_snapshot(
            now.isoformat(), rows.ledger_records(rows.open_cases(ledger.college_id, ledger.semester))
        )
        ledger.status = LedgerStatus.SUBMITTED
        ledger.filled_by, ledger.responsible = filled_by[:50], responsible[:50]
        ledger.responsible_user, ledger.prepared_at = actor, None
        ledger.submitted_at = now
        ledger.late = clock.local_date(now) > ledger.semester.ledger_due
        ledger.comment = ""
        ledger.save()
        step = LedgerStep.objects.create(ledger=ledger, action=LedgerStep.Action.SUBMITTED, actor=actor)
        _audit(actor, ledger, status="submitted", late=ledger.late)
        _events().ledger_submitted(ledger, step_id=step.pk, resubmitted=resubmitted)
    return ledger


def _decide(*, actor: User, ledger: Ledger, status: str, action: str, comment: str = "") -> Ledger:
    if not policy.can_review_ledger(actor):
        raise PermissionDenied(_("只有学工处可以接收或退回台账。"))
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update().select_related("semester", "college").get(pk=ledger.pk)
        if ledger.status != LedgerStatus.SUBMITTED:
            raise ValidationError({"status": [_("只能处理已上报的台账。")]})
        ledger.status, ledger.decided_at, ledger.comment = status, clock.now(), comment
        ledger.save(update_fields=["status", "decided_at", "comment"])
        step = LedgerStep.objects.create(ledger=ledger, action=action, actor=actor, comment=comment)
        _audit(actor, ledger, status=status)
        _events().ledger_decided(ledger, step_id=step.pk, accepted=status == LedgerStatus.ACCEPTED, comment=comment)
    return ledger


def ledger_accept(*, actor: User, ledger: Ledger) -> Ledger:
    return _decide(actor=actor, ledger=ledger, status=LedgerStatus.ACCEPTED, action=LedgerStep.Action.ACCEPTED)


def ledger_return(*, actor: User, ledger: Ledger, comment: str) -> Ledger:
    if not comment.strip():
        raise ValidationError({"comment": [_("请填写退回意见。")]})
    return _decide(
        actor=actor, ledger=ledger, status=LedgerStatus.RETURNED, action=LedgerStep.Action.RETURNED, comment=comment
    )


def addenda_report(*, actor: User, case: Case, categories: list[str], kind: str) -> list[Addendum]:
    """随时上报: when the college has already reported this semester's ledger, a new case or a new
    category goes to 学工处 at once as an addendum. Called inside the case write's transaction."""
    semester = Semester.objects.current()
    if semester is None or not categories:
        return []
    ledger = Ledger.objects.filter(
        semester=semester,
        college_id=case.student.college_id,
        status__in=ledger_rules.FROZEN,
    ).first()
    if ledger is None:
        return []
    fresh = rows.open_cases(case.student.college_id, semester).filter(pk=case.pk).first()
    if fresh is None:
        return []
    entries = {e.category: e for e in fresh.categories.all()}
    made = [
        Addendum.objects.create(
            ledger=ledger,
            case=case,
            category=code,
            kind=kind,
            row=rows.case_record(fresh, entries[code]).to_dict(),
            reported_by=actor,
        )
        for code in categories
        if code in entries
    ]
    if made:
        _audit(actor, ledger, addenda=[a.pk for a in made], case=case.pk)
        _events().addenda_arrived(made)  # 学工处 and the sections of these categories are told at once
    return made


def survey_review(
    *, actor: User, semester: Semester, student: Student, outcome: str, case: Case | None = None
) -> SurveyReview:
    """Record the survey outcome for one student (counselor or class teacher in scope)."""
    if not policy.can_review_survey(actor, student):
        raise PermissionDenied(_("无权摸排该学生。"))
    if outcome not in SurveyOutcome.values:
        raise ValidationError({"outcome": [_("摸排结果无效。")]})
    if outcome != SurveyOutcome.NO_CONCERN:
        case = case or Case.objects.filter(student=student, status=CaseStatus.OPEN).first()
        if case is None:
            raise ValidationError({"outcome": [_("该学生没有在档的档案，请先建档。")]})
    with transaction.atomic():
        review, _created = SurveyReview.objects.update_or_create(
            semester=semester,
            student=student,
            defaults={"outcome": outcome, "case": case, "reviewed_by": actor},
        )
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="survey",
            object_id=review.pk,
            student_no=student.student_no,
            detail={"outcome": outcome},
        )
    return review


def survey_review_undo(*, actor: User, semester: Semester, student: Student) -> None:
    """Take back the student's outcome of this semester (the reviewer's mistake); the student is reviewed again."""
    if not policy.can_review_survey(actor, student):
        raise PermissionDenied(_("无权摸排该学生。"))
    with transaction.atomic():
        review = SurveyReview.objects.filter(semester=semester, student=student).first()
        if review is None:
            return
        record(
            actor=actor,
            action=Action.DELETE,
            object_type="survey",
            object_id=review.pk,
            student_no=student.student_no,
            detail={"outcome": review.outcome},
        )
        review.delete()


def survey_mark_rest(*, actor: User, semester: Semester, students: list[Student]) -> int:
    """其余无需关注: mark each student 无需关注 (one audit row each); all or nothing."""
    with transaction.atomic():
        for student in students:
            survey_review(actor=actor, semester=semester, student=student, outcome=SurveyOutcome.NO_CONCERN)
    return len(students)


def section_create(*, actor: User, code: str, name: str, categories: list[str]) -> Section:
    with transaction.atomic():
        section = Section(code=code, name=name, categories=sorted(set(categories)))
        section.full_clean()
        section.save()
        record(actor=actor, action=Action.CREATE, object_type="section", object_id=section.pk, detail={"code": code})
    return section


# --- docs: the ledger's case files (issue 14 item 4) ---


def ledger_case_files_reveal(*, actor: User, ledger: Ledger, reason: str) -> None:
    """Break-glass for a ledger's case files: an admin states one reason for all of them (audited as a
    reveal of the ledger; opens them for policy.REVEAL_MINUTES)."""
    if not policy.can_reveal_ledger_case_files(actor):
        raise PermissionDenied(_("无权查看档案表。"))
    reveal(actor=actor, object_type="ledger", object_id=ledger.pk, student_no="", reason=reason, fields=["case_files"])


def report_added_categories(
    sender: object, *, actor: User, case: Case, categories: list[str], new_case: bool, **kwargs: Any
) -> None:
    """Receiver of ``cases.signals.categories_added``: the addendum for a new case or new categories."""
    kind = Addendum.Kind.NEW_CASE if new_case else Addendum.Kind.NEW_CATEGORY
    addenda_report(actor=actor, case=case, categories=categories, kind=kind)
