"""Writes for the survey's evidence: suggestions from results and lists, confirm, decline, cover;
urgent escalations for immediate-danger answers. Each write is audited in the same transaction."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role, User
from careledger.audit.services import Action, record
from careledger.cases.models import Case, CaseStatus, CategoryEntry
from careledger.cases.services import CategoryInput, case_open, case_update
from careledger.core import clock
from careledger.evidence.models import Suggestion, SuggestionStatus
from careledger.roster.models import Student


def counselors_of(students: Iterable[Student]) -> dict[int, list[User]]:
    """Each student's counselors (by college and grade, or by class), in one query."""
    students = list(students)
    grants = (
        Grant.objects.filter(role=Role.COUNSELOR, user__is_active=True, college_id__in={s.college_id for s in students})
        .select_related("user")
        .prefetch_related("classes")
    )
    grants = [(g, {c.pk for c in g.classes.all()}) for g in grants]
    return {
        s.pk: [
            g.user
            for g, classes in grants
            if g.college_id == s.college_id and (s.grade in g.grades or s.school_class_id in classes)
        ]
        for s in students
    }


def open_categories(student_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(student id, category) for every category on an open case of these students."""
    return set(
        CategoryEntry.objects.filter(case__status=CaseStatus.OPEN, case__student_id__in=list(student_ids)).values_list(
            "case__student_id", "category"
        )
    )


def suggestions_record(*, actor, semester, items: list[tuple[Student, str, str, str]], at) -> dict[str, int]:
    """Suggestions for (student, category, source, reason): new ones pending (or covered at once when an
    open case already has the category); existing pending ones get the new reason and date; a decision
    already taken is never undone. Returns {"created", "refreshed"}. Called inside the import's transaction.
    """
    if not items:
        return {"created": 0, "refreshed": 0}
    ids = {s.pk for s, *_rest in items}
    existing = {
        (x.student_id, x.category, x.source): x
        for x in Suggestion.objects.filter(semester=semester, student_id__in=ids).only(
            "pk", "student_id", "category", "source", "status", "reason", "evidence_at"
        )
    }
    covered = open_categories(ids)
    new, refresh = [], []
    for student, category, source, reason in items:
        old = existing.get((student.pk, category, source))
        if old is None:
            status = SuggestionStatus.COVERED if (student.pk, category) in covered else SuggestionStatus.PENDING
            new.append(
                Suggestion(
                    student=student,
                    semester=semester,
                    category=category,
                    source=source,
                    reason=reason[:300],
                    evidence_at=at,
                    status=status,
                )
            )
        elif old.status == SuggestionStatus.PENDING and old.reason != reason[:300]:
            old.reason, old.evidence_at = reason[:300], at
            refresh.append(old)
    created = Suggestion.objects.bulk_create(new, batch_size=1000)
    Suggestion.objects.bulk_update(refresh, ["reason", "evidence_at"], batch_size=1000)
    by_pk = {s.pk: s for s, *_rest in items}
    for suggestion in created:
        record(
            actor=actor,
            action=Action.CREATE,
            object_type="suggestion",
            object_id=suggestion.pk if suggestion.pk else "",
            student_no=by_pk[suggestion.student_id].student_no,
            detail={"category": suggestion.category, "source": suggestion.source, "status": suggestion.status},
        )
    return {"created": len(created), "refreshed": len(refresh)}


def suggestions_cover(*, students=None) -> int:
    """Pending suggestions whose student now has that category on an open case become ``covered``."""
    on_case = CategoryEntry.objects.filter(
        case__status=CaseStatus.OPEN, case__student_id=OuterRef("student_id"), category=OuterRef("category")
    )
    qs = Suggestion.objects.filter(status=SuggestionStatus.PENDING).filter(Exists(on_case))
    if students is not None:
        qs = qs.filter(student__in=students)
    rows = list(qs.values_list("pk", "student__student_no"))
    if not rows:
        return 0
    with transaction.atomic():
        n = Suggestion.objects.filter(pk__in=[pk for pk, _no in rows], status=SuggestionStatus.PENDING).update(
            status=SuggestionStatus.COVERED, decided_at=clock.now()
        )
        for pk, student_no in rows:
            record(
                actor="system",
                action=Action.UPDATE,
                object_type="suggestion",
                object_id=pk,
                student_no=student_no,
                detail={"status": "covered"},
            )
    return n


def _require(actor: User, suggestion: Suggestion) -> None:
    if not policy.can_decide_suggestion(actor, suggestion):
        policy.audit_denied(
            actor, object_type="suggestion", object_id=suggestion.pk, student_no=suggestion.student.student_no
        )
        raise PermissionDenied(_("无权处理该建议。"))


def _locked_pending(suggestion: Suggestion) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().select_related("student").get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError({"status": [_("该建议已处理（%(s)s）。") % {"s": suggestion.get_status_display()}]})
    return suggestion


def suggestion_confirm(*, actor: User, suggestion: Suggestion) -> Case:
    """Open the case with the suggestion's category, or add the category to the open case."""
    _require(actor, suggestion)
    with transaction.atomic():
        suggestion = _locked_pending(suggestion)
        student = suggestion.student
        case = Case.objects.filter(student=student, status=CaseStatus.OPEN).first()
        if case is None:
            case = case_open(
                actor=actor,
                student=student,
                categories=[CategoryInput(category=suggestion.category, detail=suggestion.reason)],
            )
        elif not case.categories.filter(category=suggestion.category).exists():
            current = [CategoryInput(category=e.category, detail=e.detail, data=e.data) for e in case.categories.all()]
            current.append(CategoryInput(category=suggestion.category, detail=suggestion.reason))
            case = case_update(actor=actor, case=case, version=case.version, fields={}, categories=current)
        suggestion.status, suggestion.case = SuggestionStatus.CONFIRMED, case
        suggestion.decided_by, suggestion.decided_at = actor, clock.now()
        suggestion.save(update_fields=["status", "case", "decided_by", "decided_at"])
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="suggestion",
            object_id=suggestion.pk,
            student_no=student.student_no,
            detail={"status": "confirmed", "case": case.pk, "category": suggestion.category},
        )
        suggestions_cover(students=Student.objects.filter(pk=student.pk))
    return case


def suggestion_decline(*, actor: User, suggestion: Suggestion, reason: str) -> Suggestion:
    _require(actor, suggestion)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写排除理由。")]})
    with transaction.atomic():
        suggestion = _locked_pending(suggestion)
        suggestion.status, suggestion.decline_reason = SuggestionStatus.DECLINED, reason.strip()[:1000]
        suggestion.decided_by, suggestion.decided_at = actor, clock.now()
        suggestion.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="suggestion",
            object_id=suggestion.pk,
            student_no=suggestion.student.student_no,
            detail={"status": "declined"},
        )
    return suggestion
