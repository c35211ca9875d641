"""The survey (摸排): progress, the students of the user's scope with their outcome, one-tap marks by htmx
(no reload, no scroll jump), undo, and 其余无需关注 for the rest of a class.

A mark answers the student's row (and the progress figures, out of band) to htmx, or redirects back to the
list without it. Writes go through ledgers.services, which holds the rules and the audit.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role
from careledger.cases import services as case_services
from careledger.cases.forms import CaseFileForm
from careledger.cases.models import CaseStatus
from careledger.cases.selectors import current_semester
from careledger.core import http
from careledger.core.models import Semester
from careledger.evidence.selectors import pending_by_student
from careledger.ledgers import selectors, services
from careledger.ledgers.forms import ReviewForm, SurveyRestForm
from careledger.ledgers.models import SurveyOutcome
from careledger.roster.models import SchoolClass, Student

SURVEY_PAGE_SIZE = 50


@dataclass
class SurveyRow:
    student: Student
    outcome: str  # the SurveyOutcome code, "" while not reviewed
    case_opened_on: object  # the open case's opening date, None without an open case
    new_case: bool  # the open case was opened this semester: it is the survey's "new case"
    may_review: bool
    suggestions: list = field(default_factory=list)  # evidence (issue 16): pending suggestions
    may_decide: bool = False  # may confirm or decline them

    @property
    def outcome_label(self) -> str:
        return SurveyOutcome(self.outcome).label if self.outcome else ""


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


_safe_next = http.safe_next


def _rows(user, semester: Semester, students: list[Student]) -> list[SurveyRow]:
    pending = pending_by_student(user, semester, [s.pk for s in students])
    opened = dict(
        policy.cases_for(user)
        .filter(student__in=students, status=CaseStatus.OPEN)
        .values_list("student_id", "opened_on")
    )
    return [
        SurveyRow(
            student=s,
            outcome=getattr(s, "review_outcome", None) or "",
            case_opened_on=opened.get(s.pk),
            new_case=s.pk in opened and opened[s.pk] >= semester.start,
            may_review=policy.can_review_survey(user, s),
            suggestions=pending.get(s.pk, []),
            may_decide=policy.can_decide_suggestions_of(user, s),
        )
        for s in students
    ]


def _by_counselor(by_class: list[selectors.Progress], classes: dict[int, dict]) -> list[tuple]:
    """Progress per counselor, summed from the per-class figures over each counselor's grades and classes.

    Students are counted by their class's grade; two queries (the counselors, their classes) whatever the
    size of the school.
    """
    college_ids = {c["college_id"] for c in classes.values()}
    grants = (
        Grant.objects.filter(role=Role.COUNSELOR, college_id__in=college_ids, user__is_active=True)
        .select_related("user", "college")
        .prefetch_related("classes")
        .order_by("college__name", "user__name", "user__username")
    )
    out = []
    for grant in grants:
        own = {c.pk for c in grant.classes.all()}
        progress = selectors.Progress(label=grant.user.name or grant.user.username, key=grant.user_id)
        for row in by_class:
            info = classes[row.key]
            if info["college_id"] == grant.college_id and (info["grade"] in grant.grades or row.key in own):
                progress.students += row.students
                progress.reviewed += row.reviewed
        out.append((grant, progress))
    return out


def _totals(by_class: list[selectors.Progress]) -> dict[str, int]:
    students = sum(p.students for p in by_class)
    reviewed = sum(p.reviewed for p in by_class)
    return {"students": students, "reviewed": reviewed, "left": students - reviewed}


def _survey_page(request: HttpRequest, semester: Semester | None, *, status: int = 200, errors=()) -> HttpResponse:
    if semester is None:
        return render(request, "ledgers/survey.html", {"semester": None, "errors": errors}, status=status)
    user, g = request.user, request.GET
    is_admin = policy.sees_survey_by_college(user)
    by_class = selectors.survey_progress(user, semester, "class")
    classes = {
        c["pk"]: c
        for c in SchoolClass.objects.filter(pk__in=[p.key for p in by_class]).values("pk", "grade", "college_id")
    }
    by_college = selectors.survey_progress(user, semester, "college") if is_admin else []
    college_id, class_id = _int(g.get("college")), _int(g.get("class"))
    show = "todo" if g.get("show") == "todo" else "all"
    students = selectors.survey_students(user, semester, todo_only=show == "todo")
    if college_id:
        students = students.filter(college_id=college_id)
    if class_id:
        students = students.filter(school_class_id=class_id)
    page = Paginator(students, SURVEY_PAGE_SIZE).get_page(g.get("page"))
    rows = _rows(user, semester, list(page.object_list))
    chosen_class = next((p for p in by_class if p.key == class_id), None)
    context = {
        "semester": semester,
        "errors": errors,
        "totals": _totals(by_class),
        "by_class": by_class,
        "by_college": by_college,
        "by_counselor": _by_counselor(by_class, classes) if is_admin else [],
        "page": page,
        "rows": rows,
        "filters": g,
        "show": show,
        # Where a review sends the browser back to: this list as filtered (not the POST's own URL).
        "back": request.get_full_path() if request.method == "GET" else reverse("ledgers:survey"),
        "college_options": by_college if len(by_college) > 1 else [],
        "class_options": [p for p in by_class if not college_id or classes[p.key]["college_id"] == college_id],
        "outcomes": SurveyOutcome,
        "chosen_class": chosen_class,
        "rest": _rest_of_class(user, semester, chosen_class.key) if chosen_class else [],
    }
    return render(request, "ledgers/survey.html", context, status=status)


def _rest_of_class(user, semester: Semester, class_id: int) -> list[Student]:
    """The students of a class the user may mark 无需关注 in one go: not yet reviewed, no open case."""
    students = list(
        selectors.survey_students(user, semester, todo_only=True)
        .filter(school_class_id=class_id)
        .exclude(cases__status=CaseStatus.OPEN)
    )
    return [row.student for row in _rows(user, semester, students) if row.may_review]


def _row_response(request: HttpRequest, semester: Semester, student: Student, *, status: int = 200) -> HttpResponse:
    """The student's row for htmx, with the progress figures swapped out of band."""
    student = selectors.survey_students(request.user, semester, todo_only=False).get(pk=student.pk)
    context = {
        "row": _rows(request.user, semester, [student])[0],
        "back": request.POST.get("next") or reverse("ledgers:survey"),
        "outcomes": SurveyOutcome,
        "totals": _totals(selectors.survey_progress(request.user, semester, "class")),
        "oob": True,
    }
    return render(request, "ledgers/_survey_row_response.html", context, status=status)


@require_GET
def survey(request: HttpRequest) -> HttpResponse:
    return _survey_page(request, current_semester())


@require_POST
def survey_review(request: HttpRequest) -> HttpResponse:
    """One tap: 无需关注, 确认已有档案, or 已建档 (new case) for one student of the current semester."""
    semester = current_semester()
    form = ReviewForm(request.POST)
    if semester is None or not form.is_valid():
        return _survey_page(request, semester, status=400, errors=[_("请选择学生和摸排结果。")] if semester else [])
    student = policy.get_student_for(request.user, form.cleaned_data["student"])
    try:
        review = services.survey_review(
            actor=request.user, semester=semester, student=student, outcome=form.cleaned_data["outcome"]
        )
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(" ".join(exc.messages), status=400)
        return _survey_page(request, semester, status=400, errors=exc.messages)
    if request.htmx:
        return _row_response(request, semester, student)
    messages.success(
        request,
        _("已记录 %(name)s：%(outcome)s。") % {"name": student.name, "outcome": review.get_outcome_display()},
    )
    return redirect(_safe_next(request) or reverse("ledgers:survey"))


@require_POST
def survey_undo(request: HttpRequest) -> HttpResponse:
    """撤销: the student's mark of this semester is taken back (audited); the student is to be reviewed again."""
    semester = current_semester()
    student_no = request.POST.get("student", "").strip()
    if semester is None or not student_no:
        return _survey_page(request, semester, status=400, errors=[_("请选择学生。")] if semester else [])
    student = policy.get_student_for(request.user, student_no)
    services.survey_review_undo(actor=request.user, semester=semester, student=student)
    if request.htmx:
        return _row_response(request, semester, student)
    messages.success(request, _("已撤销 %(name)s 的摸排结果。") % {"name": student.name})
    return redirect(_safe_next(request) or reverse("ledgers:survey"))


@require_POST
def survey_rest(request: HttpRequest) -> HttpResponse:
    """其余无需关注: every student of the class still to review and without an open case is marked 无需关注.

    The form carries the count the user confirmed; if the list changed meanwhile nothing is written.
    """
    semester = current_semester()
    form = SurveyRestForm(request.POST)
    if semester is None or not form.is_valid():
        return _survey_page(request, semester, status=400, errors=[_("请选择班级。")] if semester else [])
    school_class = get_object_or_404(
        SchoolClass.objects.filter(pk__in=policy.students_for(request.user).values("school_class_id")),
        pk=form.cleaned_data["school_class"],
    )
    rest = _rest_of_class(request.user, semester, school_class.pk)
    if len(rest) != form.cleaned_data["expected"]:
        return _survey_page(
            request,
            semester,
            status=409,
            errors=[_("名单已变化（现有 %(n)d 人待标记），请核对后再试。") % {"n": len(rest)}],
        )
    count = services.survey_mark_rest(actor=request.user, semester=semester, students=rest)
    messages.success(
        request, _("已将%(cls)s其余 %(n)d 名学生标记为无需关注。") % {"cls": school_class.name, "n": count}
    )
    return redirect(_safe_next(request) or f"{reverse('ledgers:survey')}?class={school_class.pk}")


@require_http_methods(["GET", "POST"])
def survey_new_case(request: HttpRequest) -> HttpResponse:
    """新建档案 from the survey: the case file form; saving it opens the case and records the student's survey
    outcome as 新建档案 in one transaction, then returns to the survey."""
    semester = current_semester()
    student = policy.get_student_for(request.user, request.GET.get("student", "").strip())
    if semester is None or not policy.can_open_case(request.user, student):
        policy.audit_denied(
            request.user, object_type="student", object_id=student.student_no, student_no=student.student_no
        )
        raise PermissionDenied
    roles = policy.student_roles(request.user, student)
    existing = policy.cases_for(request.user).filter(student=student, status=CaseStatus.OPEN).first()
    form = CaseFileForm(
        request.POST if request.method == "POST" else None,
        can_verify=policy.can_verify_physical(roles=roles),
    )
    if request.method == "POST" and form.is_valid():
        try:
            _open_case_from_survey(actor=request.user, semester=semester, student=student, **form.open_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("已为 %(name)s 建档，摸排结果记为新建档案。") % {"name": student.name})
            back = http.safe_next(request)  # the GET's ?next= (this form posts to its own URL)
            return redirect(back or f"{reverse('ledgers:survey')}?class={student.school_class_id}")
    context = {"form": form, "student": student, "existing": existing, "from_survey": True}
    return render(request, "cases/case_form.html", context, status=400 if form.has_errors else 200)


@transaction.atomic
def _open_case_from_survey(*, actor, semester: Semester, student: Student, **case_fields) -> None:
    """Both writes or neither: the case opened (cases.services) and the outcome 新建档案 (ledgers.services)."""
    case = case_services.case_open(actor=actor, student=student, **case_fields)
    services.survey_review(actor=actor, semester=semester, student=student, outcome=SurveyOutcome.NEW_CASE, case=case)
