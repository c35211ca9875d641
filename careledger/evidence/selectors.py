"""Reads of the survey's evidence, scoped by the access policy."""

from collections import defaultdict

from django.db.models import Count, QuerySet

from careledger.accounts import policy
from careledger.core.models import Semester
from careledger.evidence.models import ScreeningResult, Suggestion, SuggestionStatus
from careledger.evidence.services import suggestions_cover


def suggestion_list(user, *, semester: Semester | None = None, status: str = "") -> QuerySet[Suggestion]:
    scoped = policy.suggestions_for(user)
    suggestions_cover(students=scoped.filter(status=SuggestionStatus.PENDING).values("student_id"))
    qs = scoped
    if semester is not None:
        qs = qs.filter(semester=semester)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("student").order_by("student__student_no", "id")


def pending_by_student(user, semester: Semester, student_ids: list[int]) -> dict[int, list[Suggestion]]:
    """The pending suggestions of the students on a survey page, in one query (after covering)."""
    out: dict[int, list[Suggestion]] = defaultdict(list)
    for s in suggestion_list(user, semester=semester, status=SuggestionStatus.PENDING).filter(
        student_id__in=student_ids
    ):
        out[s.student_id].append(s)
    return out


def pending_students(semester: Semester):
    """Students with a pending suggestion this semester (a subquery): their survey is not complete."""
    return Suggestion.objects.filter(semester=semester, status=SuggestionStatus.PENDING).values("student_id")


def pending_by_college(user, semester: Semester) -> list[dict]:
    """The college view: pending suggestions per college and class, with the students concerned."""
    rows = (
        suggestion_list(user, semester=semester, status=SuggestionStatus.PENDING)
        .values("student__college__name", "student__school_class__name", "category")
        .annotate(n=Count("pk"), students=Count("student_id", distinct=True))
        .order_by("student__college__name", "student__school_class__name", "category")
    )
    from careledger.cases.categories import Category

    return [{**r, "category_label": Category(r["category"]).label} for r in rows]


def screening_results(user, *, semester: Semester | None = None, scale: str = "") -> QuerySet[ScreeningResult]:
    """Results in full (with answers) for the psych centre and the school office; nothing for anyone else."""
    if not policy.reads_item_answers(user):
        return ScreeningResult.objects.none()
    qs = ScreeningResult.objects.select_related("student")
    if semester is not None:
        qs = qs.filter(semester=semester)
    if scale:
        qs = qs.filter(scale=scale)
    return qs.order_by("student__student_no", "scale")
