"""The survey (摸排), the college ledger (台账), the school's view (全校台账), the semester comparison and
the official downloads (附件1 workbook, 附件2 case files).

Each view starts with a policy fetch; writes go through ledgers.services and files through
exports.services, which hold the rules and the audit. A service's ValidationError re-renders the page
with the message (400); on success the browser is sent back to the page.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role
from careledger.cases.categories import SUB_TABLES, Category
from careledger.cases.models import CaseStatus, RiskLevel
from careledger.cases.selectors import current_semester
from careledger.core import clock
from careledger.core.models import Semester
from careledger.exports import services as exports
from careledger.ledgers import rows as ledger_rows
from careledger.ledgers import selectors, services
from careledger.ledgers.forms import CompareForm, OpenForm, ReturnForm, ReviewForm, SubmitForm
from careledger.ledgers.models import Ledger, LedgerStatus, SurveyOutcome
from careledger.roster.models import College, SchoolClass
from careledger.roster.rules import mask_phone

SURVEY_PAGE_SIZE = 30
ADDENDA_SHOWN = 50
# Columns of 附件1 holding phone numbers: masked on screen (SEC-16), in full in the downloaded workbook.
PHONE_COLUMNS = frozenset({"本人联系方式", "家长姓名及联系方式", "帮扶人姓名及联系方式"})
_PHONE = re.compile(r"\d{7,}")


# --- helpers ---


def _download(export: exports.ExportFile) -> HttpResponse:
    """The export as an attachment; never cached (it holds personal data), traceable by its export id."""
    response = HttpResponse(export.data, content_type=export.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename, safe='')}"
    response["Cache-Control"] = "no-store"
    response["X-Export-Id"] = export.export_id
    return response


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok else ""


def _add_errors(form: django_forms.Form, exc: ValidationError) -> None:
    for name, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(name if name in form.fields else None, errors)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _kept_colleges(user) -> list[College]:
    """The colleges whose ledger ``user`` keeps (counselor, college_admin): the policy decides."""
    ids = {g.college_id for g in policy.grants_of(user) if g.college_id}
    return [c for c in College.objects.filter(pk__in=ids).order_by("name") if policy.can_keep_ledger(user, c)]


@dataclass
class AddendumRow:
    addendum: object
    category: str  # the category's label


def _addenda(queryset, limit: int | None = None) -> list[AddendumRow]:
    items = queryset[:limit] if limit else queryset
    return [AddendumRow(a, _labels([a.category])[0]) for a in items]


def _is_overdue(ledger: Ledger | None, semester: Semester) -> bool:
    """Not yet reported (no ledger, a draft or a returned one) after the due date."""
    reported = ledger is not None and ledger.status in (LedgerStatus.SUBMITTED, LedgerStatus.ACCEPTED)
    return not reported and clock.today() > semester.ledger_due


# --- survey (摸排) ---


@dataclass
class SurveyRow:
    student: object
    case_opened_on: object  # the open case's opening date, None without an open case
    new_case: bool  # the open case was opened this semester: it is the survey's "new case"
    may_review: bool


def _by_counselor(by_class: list[selectors.Progress], classes: dict[int, dict]) -> list[tuple]:
    """Progress per counselor, summed from the per-class figures over each counselor's grades and classes.

    Students are counted by their class's grade; two queries (the counselors, their classes) whatever the
    size of the school. A candidate for ledgers.selectors: survey_progress(by="counselor").
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


def _survey_page(request: HttpRequest, semester: Semester | None, *, status: int = 200, errors=()) -> HttpResponse:
    if semester is None:
        return render(request, "ledgers/survey.html", {"semester": None, "errors": errors}, status=status)
    user, g = request.user, request.GET
    is_admin = policy.has_role(user, *policy.ADMINS)
    by_class = selectors.survey_progress(user, semester, "class")
    classes = {
        c["pk"]: c
        for c in SchoolClass.objects.filter(pk__in=[p.key for p in by_class]).values("pk", "grade", "college_id")
    }
    by_college = selectors.survey_progress(user, semester, "college") if is_admin else []
    college_id, class_id = _int(g.get("college")), _int(g.get("class"))
    students = selectors.unreviewed(user, semester)
    if college_id:
        students = students.filter(college_id=college_id)
    if class_id:
        students = students.filter(school_class_id=class_id)
    page = Paginator(students, SURVEY_PAGE_SIZE).get_page(g.get("page"))
    items = list(page.object_list)
    opened = dict(
        policy.cases_for(user).filter(student__in=items, status=CaseStatus.OPEN).values_list("student_id", "opened_on")
    )
    rows = [
        SurveyRow(
            student=s,
            case_opened_on=opened.get(s.pk),
            new_case=s.pk in opened and opened[s.pk] >= semester.start,
            may_review=not policy.SURVEYORS.isdisjoint(policy.student_roles(user, s)),
        )
        for s in items
    ]
    students_total = sum(p.students for p in by_class)
    reviewed_total = sum(p.reviewed for p in by_class)
    context = {
        "semester": semester,
        "errors": errors,
        "totals": {"students": students_total, "reviewed": reviewed_total, "left": students_total - reviewed_total},
        "by_class": by_class,
        "by_college": by_college,
        "by_counselor": _by_counselor(by_class, classes) if is_admin else [],
        "page": page,
        "rows": rows,
        "filters": g,
        # Where a review sends the browser back to: this list as filtered (not the POST's own URL).
        "back": request.get_full_path() if request.method == "GET" else reverse("ledgers:survey"),
        "college_options": by_college if len(by_college) > 1 else [],
        "class_options": [p for p in by_class if not college_id or classes[p.key]["college_id"] == college_id],
        "outcomes": SurveyOutcome,
    }
    return render(request, "ledgers/survey.html", context, status=status)


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
        return _survey_page(request, semester, status=400, errors=exc.messages)
    messages.success(
        request,
        _("已记录 %(name)s：%(outcome)s。") % {"name": student.name, "outcome": review.get_outcome_display()},
    )
    return redirect(_safe_next(request) or reverse("ledgers:survey"))


# --- a college's ledger (台账) ---


@require_GET
def ledger_index(request: HttpRequest) -> HttpResponse:
    """A keeper's current ledger: straight to it when there is one, else the button that starts it."""
    user = request.user
    colleges = _kept_colleges(user)
    if not colleges:
        return redirect("ledgers:school")  # 学工处 and its sections read every college's ledger there
    semester = current_semester()
    return _index_page(request, colleges, semester)


def _index_page(request: HttpRequest, colleges: list[College], semester, *, status: int = 200) -> HttpResponse:
    user = request.user
    mine = policy.ledgers_for(user).filter(college__in=colleges)
    current = {x.college_id: x for x in mine.filter(semester=semester)} if semester else {}
    if status == 200 and len(colleges) == 1 and colleges[0].pk in current:
        return redirect("ledgers:detail", pk=current[colleges[0].pk].pk)
    items = [
        {
            "college": c,
            "ledger": current.get(c.pk),
            "status": selectors.display_status(current.get(c.pk), semester) if semester else "",
            "overdue": _is_overdue(current.get(c.pk), semester) if semester else False,
        }
        for c in colleges
    ]
    history = mine.exclude(semester=semester) if semester else mine
    context = {
        "semester": semester,
        "items": items,
        "history": history.select_related("semester", "college").order_by("-semester__start", "college__name"),
    }
    return render(request, "ledgers/index.html", context, status=status)


@require_POST
def ledger_open(request: HttpRequest) -> HttpResponse:
    """开始填报: the college's draft ledger for the current semester (the same one if it exists)."""
    user = request.user
    form = OpenForm(request.POST)
    if not form.is_valid():
        return _index_page(request, _kept_colleges(user), current_semester(), status=400)
    college = College.objects.filter(pk=form.cleaned_data["college"]).first()
    if college is None or not policy.can_keep_ledger(user, college):
        policy.audit_denied(user, object_type="college", object_id=form.cleaned_data["college"], why="scope")
        raise Http404("college")
    semester = current_semester()
    if semester is None:
        messages.error(request, _("尚未设置当前学期，暂不能填报台账。请联系学工处。"))
        return redirect("ledgers:index")
    ledger = services.ledger_open(actor=user, semester=semester, college=college)
    return redirect("ledgers:detail", pk=ledger.pk)


@dataclass
class Table:
    """One of the seven sub-tables as shown: the notice's number and title, its headers and its cells."""

    number: int
    code: str
    label: str  # the category's short name
    title: str
    headers: tuple[str, ...]
    rows: list[list[tuple[str, str]]] = field(default_factory=list)  # cells: (text, link or "")


def _cell(header: str, value) -> str:
    text = "" if value is None else str(value)
    return _PHONE.sub(lambda m: mask_phone(m.group()), text) if header in PHONE_COLUMNS else text


def _tables(ledger: Ledger, categories: list[str], readable: set[int], user=None) -> list[Table]:
    tables = []
    found_tables = exports.ledger_tables(ledger, categories)
    if user is not None:  # SEC-45: no case text outside the reader's case scope
        text_ids = policy.ledger_text_case_ids(user, ledger.college_id, in_scope=readable)
        found_tables = ledger_rows.for_reader(found_tables, text_ids)
    for code, found in found_tables.items():
        table = Table(
            number=Category.values.index(code) + 1,
            code=code,
            label=Category(code).label,
            title=SUB_TABLES[code].title,
            headers=ledger_rows.headers(code),
        )
        for n, row in enumerate(found, start=1):
            link = reverse("cases:detail", args=[row["_case"]]) if row.get("_case") in readable else ""
            cells = []
            for header in table.headers:
                if header == "序号":
                    cells.append((str(n), ""))
                else:
                    cells.append((_cell(header, row.get(header)), link if header == "姓名" else ""))
            table.rows.append(cells)
        tables.append(table)
    return tables


def _ledger_page(
    request: HttpRequest,
    ledger: Ledger,
    *,
    status: int = 200,
    submit_form: SubmitForm | None = None,
    return_form: ReturnForm | None = None,
    errors=(),
) -> HttpResponse:
    user = request.user
    semester = ledger.semester
    categories = policy.ledger_categories_for(user)
    # Names link to the case page where the reader may open it (a section reads the tables only).
    readable = set(policy.cases_for(user).filter(student__college_id=ledger.college_id).values_list("pk", flat=True))
    tables = _tables(ledger, categories, readable, user)
    may_submit = policy.can_keep_ledger(user, ledger.college) and ledger.status in (
        LedgerStatus.DRAFT,
        LedgerStatus.RETURNED,
    )
    may_decide = policy.can_review_ledger(user) and ledger.status == LedgerStatus.SUBMITTED
    # A counselor signs as 填表人, the college's head (college_admin) as 负责人.
    head = policy.has_role(user, Role.COLLEGE_ADMIN) and not policy.has_role(user, Role.COUNSELOR)
    initial = {
        "filled_by": ledger.filled_by or ("" if head else user.name),
        "responsible": ledger.responsible or (user.name if head else ""),
    }
    context = {
        "ledger": ledger,
        "semester": semester,
        "status": selectors.display_status(ledger, semester),
        "overdue": _is_overdue(ledger, semester),
        "frozen": ledger.status in (LedgerStatus.SUBMITTED, LedgerStatus.ACCEPTED),
        "tables": tables,
        "empty_tables": [t for t in tables if not t.rows],
        "row_total": sum(len(t.rows) for t in tables),
        "all_categories": len(categories) == len(Category.values),
        "steps": ledger.steps.select_related("actor"),
        "addenda": _addenda(ledger.addenda.filter(category__in=categories).select_related("case__student")),
        "history": policy.ledgers_for(user)
        .filter(college_id=ledger.college_id)
        .exclude(pk=ledger.pk)
        .select_related("semester")
        .order_by("-semester__start"),
        "submit_form": submit_form or (SubmitForm(initial=initial) if may_submit else None),
        "return_form": return_form or (ReturnForm() if may_decide else None),
        "may_decide": may_decide,
        "may_case_files": policy.allows_endpoint(user, "ledgers:case-files", "GET"),
        "may_school": policy.allows_endpoint(user, "ledgers:school", "GET"),
        "errors": errors,
    }
    return render(request, "ledgers/ledger_detail.html", context, status=status)


@require_GET
def ledger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _ledger_page(request, policy.get_ledger_for(request.user, pk))


@require_POST
def ledger_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """上报: freeze the tables with 填表人 and 负责人 (late after the due date, still allowed)."""
    ledger = policy.get_ledger_for(request.user, pk)
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            ledger = services.ledger_submit(actor=request.user, ledger=ledger, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if ledger.late:
                messages.warning(request, _("台账已上报学工处（逾期上报）。"))
            else:
                messages.success(request, _("台账已上报学工处。"))
            return redirect("ledgers:detail", pk=ledger.pk)
    return _ledger_page(request, ledger, status=400, submit_form=form, errors=form.non_field_errors())


@require_POST
def ledger_accept(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = policy.get_ledger_for(request.user, pk)
    try:
        services.ledger_accept(actor=request.user, ledger=ledger)
    except ValidationError as exc:
        return _ledger_page(request, ledger, status=400, errors=exc.messages)
    messages.success(request, _("已接收%(college)s的台账。") % {"college": ledger.college.name})
    return redirect(_safe_next(request) or reverse("ledgers:detail", args=[ledger.pk]))


@require_POST
def ledger_return(request: HttpRequest, pk: int) -> HttpResponse:
    """退回 with a comment: the college corrects it and reports again."""
    ledger = policy.get_ledger_for(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.ledger_return(actor=request.user, ledger=ledger, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已退回%(college)s的台账。") % {"college": ledger.college.name})
            return redirect(_safe_next(request) or reverse("ledgers:detail", args=[ledger.pk]))
    return _ledger_page(request, ledger, status=400, return_form=form, errors=form.non_field_errors())


# --- downloads ---


@require_GET
def ledger_export(request: HttpRequest, pk: int) -> HttpResponse:
    """附件1 workbook of one college (the snapshot once reported; a section's categories only)."""
    ledger = policy.get_ledger_for(request.user, pk)
    return _download(exports.export_ledger(actor=request.user, ledger=ledger))


@require_GET
def ledger_case_files(request: HttpRequest, pk: int) -> HttpResponse:
    """附件2: a zip of the college's case files that the caller may read."""
    ledger = policy.get_ledger_for(request.user, pk)
    return _download(exports.export_college_case_files(actor=request.user, college=ledger.college))


@require_GET
def case_file(request: HttpRequest, case_pk: int) -> HttpResponse:
    """附件2 特殊群体学生档案表 of one student (.docx)."""
    case = policy.get_case_for(request.user, case_pk)
    return _download(exports.export_case_file(actor=request.user, case=case))


def _semester_from(semesters: list[Semester], value: str | None) -> Semester | None:
    """The semester asked for by pk, else the current one, else the latest."""
    wanted = _int(value)
    if wanted is not None:
        return next((s for s in semesters if s.pk == wanted), None)
    return next((s for s in semesters if s.is_current), semesters[0] if semesters else None)


@require_GET
def school_export(request: HttpRequest) -> HttpResponse:
    """The school-wide 附件1 workbook: every college under each sub-table (a section's categories only)."""
    semester = _semester_from(list(Semester.objects.order_by("-start")), request.GET.get("semester"))
    if semester is None:
        raise Http404("semester")
    return _download(exports.export_school_ledger(actor=request.user, semester=semester))


# --- the school's view (全校台账) ---


@dataclass
class SchoolRow:
    row: selectors.CollegeRow
    counts: list[tuple[str, int]]  # (category label, open cases in it)
    addenda: int


@require_GET
def school(request: HttpRequest) -> HttpResponse:
    """Every college's ledger for a semester: status, counts per category, survey progress, addenda."""
    user = request.user
    semesters = list(Semester.objects.order_by("-start"))
    semester = _semester_from(semesters, request.GET.get("semester"))
    if semester is None:
        if request.GET.get("semester"):
            raise Http404("semester")
        return render(request, "ledgers/school.html", {"semester": None})
    categories = policy.ledger_categories_for(user)
    addenda = selectors.addenda_for(user, semester)
    # Counted here from the caller's addenda: a section counts only its categories' addenda.
    addenda_counts = dict(
        addenda.order_by().values("ledger__college_id").annotate(n=Count("pk")).values_list("ledger__college_id", "n")
    )
    rows = [
        SchoolRow(
            row=r,
            counts=[(Category(c).label, r.by_category[c]) for c in categories],
            addenda=addenda_counts.get(r.college.pk, 0),
        )
        for r in selectors.school_overview(user, semester)
    ]
    statuses = [r.row.status for r in rows]
    context = {
        "semester": semester,
        "semesters": semesters,
        "categories": [(c, Category(c).label) for c in categories],
        "rows": rows,
        "column_totals": [(Category(c).label, sum(r.row.by_category[c] for r in rows)) for c in categories],
        "summary": {
            "colleges": len(rows),
            "reported": sum(s in ("submitted", "late", "accepted") for s in statuses),
            "accepted": statuses.count("accepted"),
            "returned": statuses.count("returned"),
            "overdue": sum(r.row.overdue for r in rows),
            "addenda": sum(addenda_counts.values()),
        },
        "addenda": _addenda(addenda, ADDENDA_SHOWN),
        # The total of open cases spans every category: only for those who see all seven.
        "show_open_cases": len(categories) == len(Category.values),
        "may_decide": policy.can_review_ledger(user),
        "may_compare": policy.allows_endpoint(user, "ledgers:compare", "GET"),
    }
    return render(request, "ledgers/school.html", context)


# --- comparing two semesters (下学期对比) ---


def _compare_colleges(user) -> list[College]:
    if policy.is_school_admin(user):
        return list(College.objects.order_by("name"))
    return _kept_colleges(user)


def _labels(codes: list[str]) -> list[str]:
    return [str(Category(c).label) if c in Category.values else c for c in codes]


def _risk(code: str | None) -> str:
    return str(RiskLevel(code).label) if code in RiskLevel.values else "—"


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Per college: students new to the ledger, no longer on it, with changed categories or risk."""
    user = request.user
    colleges = _compare_colleges(user)
    semesters = list(Semester.objects.order_by("-start"))
    g = request.GET
    asked = _int(g.get("college"))
    if asked is not None and asked not in {c.pk for c in colleges}:
        policy.audit_denied(user, object_type="college", object_id=asked, why="scope")
        raise Http404("college")
    if "college" in g or "from" in g or "to" in g:
        form = CompareForm(g, colleges=colleges, semesters=semesters)
    else:  # the first college, the semester before the current one → the current one
        current = _semester_from(semesters, None)
        earlier = [s for s in semesters if current and s.start < current.start]
        defaults = {
            "college": colleges[0].pk if colleges else None,
            "from": earlier[0].pk if earlier else None,
            "to": current.pk if current else None,
        }
        complete = all(v is not None for v in defaults.values())
        form = CompareForm(defaults if complete else None, colleges=colleges, semesters=semesters, initial=defaults)
    result = None
    if form.is_valid():
        college, before, after = form.chosen()
        found = selectors.compare_semesters(user, college, before, after)
        result = {
            "college": college,
            "before": before,
            "after": after,
            "new": [{**x, "labels": _labels(x["categories"])} for x in found.new],
            "closed": [{**x, "labels": _labels(x["categories"])} for x in found.closed],
            "changed": [
                {
                    **x,
                    "added_labels": _labels(x["added"]),
                    "removed_labels": _labels(x["removed"]),
                    "risk_changed": x["risk_before"] != x["risk_after"],
                    "risk_before_label": _risk(x["risk_before"]),
                    "risk_after_label": _risk(x["risk_after"]),
                }
                for x in found.changed
            ],
        }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "ledgers/compare.html", {"form": form, "result": result}, status=status)
