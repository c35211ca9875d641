"""The survey (摸排), the college ledger (台账), the school's view (全校台账), the semester comparison and
the official downloads (附件1 workbook, 附件2 case files).

Each view starts with a policy fetch; writes go through ledgers.services and files through
exports.services, which hold the rules and the audit. A service's ValidationError re-renders the page
with the message (400); on success the browser is sent back to the page.
"""

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careledger.accounts import policy
from careledger.cases.categories import SUB_TABLES, Category, ledger_columns
from careledger.cases.models import RiskLevel
from careledger.cases.selectors import current_semester
from careledger.core import clock, http
from careledger.core.errors import RateLimited
from careledger.core.models import Semester, mark_current
from careledger.exports import services as exports
from careledger.jobs import starters
from careledger.ledgers import rows as ledger_rows
from careledger.ledgers import rules, selectors, services
from careledger.ledgers.forms import CompareForm, OpenForm, ReturnForm, SubmitForm
from careledger.ledgers.models import Ledger, LedgerStatus
from careledger.roster.models import College
from careledger.roster.rules import mask_phone

ADDENDA_SHOWN = 50
# Columns of 附件1 holding phone numbers: masked on screen (SEC-16), in full in the downloaded workbook.
PHONE_COLUMNS = frozenset({"本人联系方式", "家长姓名及联系方式", "帮扶人姓名及联系方式"})
_PHONE = re.compile(r"\d{7,}")


# --- helpers ---


_download = http.download
_safe_next = http.safe_next
_add_errors = http.add_errors


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _kept_colleges(user) -> list[College]:
    """The colleges whose ledger ``user`` keeps (counselor, college_admin): the policy decides."""
    return list(policy.kept_colleges(user).order_by("name"))


@dataclass
class AddendumRow:
    addendum: object
    category: str  # the category's label


def _addenda(queryset, limit: int | None = None) -> list[AddendumRow]:
    items = queryset[:limit] if limit else queryset
    return [AddendumRow(a, _labels([a.category])[0]) for a in items]


def _is_overdue(ledger: Ledger | None, semester: Semester) -> bool:
    """Not yet reported (no ledger, a draft or a returned one) after the due date."""
    return rules.is_overdue(ledger.status if ledger else None, due=semester.ledger_due, today=clock.today())


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
    count: int = 0  # rows in the whole sub-table; ``rows`` holds the page shown (the selected table only)


def _cell(header: str, value) -> str:
    text = "" if value is None else str(value)
    return _PHONE.sub(lambda m: mask_phone(m.group()), text) if header in PHONE_COLUMNS else text


# perf (issue 13): the page shows one sub-table at a time, a page of rows at a time.
LEDGER_ROWS_PER_PAGE = 100


def _tables(
    records_by_category: dict, readable: set[int], *, shown: str | None = None, page_number=None
) -> tuple[list[Table], Table | None, object]:
    """Every sub-table with its count; cells only for one page of the ``shown`` one (else the first with rows)."""
    tables = []
    non_empty = [code for code, found in records_by_category.items() if found]
    if shown not in non_empty:
        shown = non_empty[0] if non_empty else None
    selected, page = None, None
    for code, found in records_by_category.items():
        columns = ledger_columns(code)
        table = Table(
            number=Category.values.index(code) + 1,
            code=code,
            label=Category(code).label,
            title=SUB_TABLES[code].title,
            headers=tuple(header for header, _field in columns),
            count=len(found),
        )
        tables.append(table)
        if code != shown:
            continue
        selected = table
        page = Paginator(found, LEDGER_ROWS_PER_PAGE).get_page(page_number)
        for n, record in enumerate(page.object_list, start=page.start_index()):
            link = reverse("cases:detail", args=[record.case]) if record.case in readable else ""
            cells = []
            for header, field_name in columns:
                if field_name == "serial":
                    cells.append((str(n), ""))
                else:
                    cells.append((_cell(header, record.value(field_name)), link if field_name == "name" else ""))
            table.rows.append(cells)
    return tables, selected, page


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
    # SEC-45: no case text outside the reader's case scope.
    text_ids = policy.ledger_text_case_ids(user, ledger.college_id, in_scope=readable)
    records = ledger_rows.for_reader(ledger_rows.ledger_tables(ledger, categories), text_ids)
    tables, shown, rows_page = _tables(
        records, readable, shown=request.GET.get("table"), page_number=request.GET.get("page")
    )
    addenda = _addenda(ledger.addenda.filter(category__in=categories).select_related("case__student"))
    may_case_files = policy.allows_endpoint(user, "ledgers:case-files", "GET")
    # The number of case files the zip holds, shown on its button (no extra query: the ledger's cases
    # and addenda since submission, within the reader's case scope).
    on_ledger = {r.case for found in records.values() for r in found} | {
        item.addendum.case_id
        for item in addenda
        if ledger.submitted_at is None or item.addendum.reported_at >= ledger.submitted_at
    }
    may_submit = policy.can_keep_ledger(user, ledger.college) and ledger.status in (
        LedgerStatus.DRAFT,
        LedgerStatus.RETURNED,
    )
    may_decide = policy.can_review_ledger(user) and ledger.status == LedgerStatus.SUBMITTED
    # A counselor signs as 填表人 and the ledger waits for the college's head (college_admin), who confirms
    # it as 负责人 and so sends it.
    head = policy.can_confirm_ledger(user, ledger.college)
    initial = {
        "filled_by": ledger.filled_by or ("" if head else user.name),
        "responsible": (ledger.responsible or user.name) if head else "",
    }
    warnings = selectors.submission_warnings(ledger) if may_submit else []
    context = {
        "ledger": ledger,
        "semester": semester,
        "status": selectors.display_status(ledger, semester),
        "overdue": _is_overdue(ledger, semester),
        "frozen": rules.is_frozen(ledger.status),
        "tables": tables,
        "shown": shown,
        "rows_page": rows_page,
        "empty_tables": [t for t in tables if not t.count],
        "row_total": sum(t.count for t in tables),
        "all_categories": len(categories) == len(Category.values),
        "steps": ledger.steps.select_related("actor"),
        "addenda": addenda,
        "history": policy.ledgers_for(user)
        .filter(college_id=ledger.college_id)
        .exclude(pk=ledger.pk)
        .select_related("semester")
        .order_by("-semester__start"),
        "submit_form": submit_form or (SubmitForm(initial=initial) if may_submit else None),
        "return_form": return_form or (ReturnForm() if may_decide else None),
        "may_decide": may_decide,
        "may_case_files": may_case_files,
        "case_file_count": len(on_ledger & readable) if may_case_files else 0,
        "head": head,
        "warnings": warnings,
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
        except services.SubmitWarnings:
            form.add_error("confirm", _("请核对上方的提示，勾选确认后再上报。"))
        else:
            if ledger.awaiting_confirmation:
                messages.success(request, _("已提交，待学院负责人确认后上报学工处。"))
            elif ledger.late:
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


def ledger_case_files(request: HttpRequest, pk: int) -> HttpResponse:
    """附件2: a zip of the case files of the ledger's cases that the caller may read. An admin not on
    the cases first sees how many files there are and states one reason (POST), then gets the zip."""
    ledger = policy.get_ledger_for(request.user, pk)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.ledger_case_files_reveal(actor=request.user, ledger=ledger, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            errors = exc.messages
        except RateLimited as exc:
            return render(
                request, "ledgers/case_files.html", _case_files_context(request, ledger, [str(exc)]), status=429
            )
    if not errors:
        try:
            if not exports.ledger_case_files(actor=request.user, ledger=ledger).need_reason:
                job = starters.case_files_job(actor=request.user, ledger=ledger)
                if job is not None:  # a large ledger: built in the background, the page shows its progress
                    return redirect("jobs:detail", job.pk)
            return _download(exports.export_ledger_case_files(actor=request.user, ledger=ledger))
        except exports.ReasonRequired:
            pass
    status = 400 if errors else 200
    return render(request, "ledgers/case_files.html", _case_files_context(request, ledger, errors), status=status)


def _case_files_context(request: HttpRequest, ledger: Ledger, errors: list[str]) -> dict:
    files = exports.ledger_case_files(actor=request.user, ledger=ledger)
    return {"ledger": ledger, "files": files, "errors": errors}


@require_GET
def case_file(request: HttpRequest, case_pk: int) -> HttpResponse:
    """附件2 特殊群体学生档案表 of one student (.docx)."""
    case = policy.get_case_for(request.user, case_pk)
    return _download(exports.export_case_file(actor=request.user, case=case))


def _semester_from(semesters: list[Semester], value: str | None) -> Semester | None:
    """The semester asked for by pk, else the current one, else the latest."""
    wanted = _int(value)
    current = mark_current(semesters)
    if wanted is not None:
        return next((s for s in semesters if s.pk == wanted), None)
    return current or (semesters[0] if semesters else None)


@require_GET
def school_export(request: HttpRequest) -> HttpResponse:
    """The school-wide 附件1 workbook: every college under each sub-table (a section's categories only)."""
    semester = _semester_from(list(Semester.objects.order_by("-start")), request.GET.get("semester"))
    if semester is None:
        raise Http404("semester")
    job = starters.school_ledger_job(actor=request.user, semester=semester)
    if job is not None:
        return redirect("jobs:detail", job.pk)
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
    return list(policy.comparable_colleges(user).order_by("name"))


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
