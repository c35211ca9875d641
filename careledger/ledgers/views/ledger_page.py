"""A college's ledger (台账): the keeper's index, starting the draft, the ledger page and its decisions
(上报, 接收, 退回).

Each view starts with a policy fetch; writes go through ledgers.services, which holds the rules and the
audit. A service's ValidationError re-renders the page with the message (400); on success the browser
is sent back to the page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careledger.accounts import policy
from careledger.cases.categories import Category
from careledger.cases.selectors import current_semester
from careledger.core import http
from careledger.ledgers import rows as ledger_rows
from careledger.ledgers import rules, selectors, services
from careledger.ledgers.forms import OpenForm, ReturnForm, SubmitForm
from careledger.ledgers.models import Ledger, LedgerStatus
from careledger.ledgers.views.common import addenda_rows, is_overdue, kept_colleges
from careledger.ledgers.views.ledger_table import tables_shown
from careledger.roster.models import College

_safe_next = http.safe_next
_add_errors = http.add_errors


@require_GET
def ledger_index(request: HttpRequest) -> HttpResponse:
    """A keeper's current ledger: straight to it when there is one, else the button that starts it."""
    user = request.user
    colleges = kept_colleges(user)
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
            "overdue": is_overdue(current.get(c.pk), semester) if semester else False,
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
        return _index_page(request, kept_colleges(user), current_semester(), status=400)
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
    readable = set(
        policy.cases_for(user).filter(student__college_id=ledger.college_id).order_by().values_list("pk", flat=True)
    )
    # SEC-45: no case text outside the reader's case scope.
    text_ids = policy.ledger_text_case_ids(user, ledger.college_id, in_scope=readable)
    # perf (issue 13): the sub-tables counted in SQL (or from the snapshot); records built for the page shown.
    counts = ledger_rows.ledger_counts(ledger, categories)

    def page_records(code: str, start: int, stop: int) -> list:
        return ledger_rows.for_reader({code: ledger_rows.ledger_slice(ledger, code, start, stop)}, text_ids)[code]

    tables, shown, rows_page = tables_shown(
        counts, page_records, readable, shown=request.GET.get("table"), page_number=request.GET.get("page")
    )
    addenda = addenda_rows(ledger.addenda.filter(category__in=categories).select_related("case__student"))
    may_case_files = policy.allows_endpoint(user, "ledgers:case-files", "GET")
    # The number of case files the zip holds, shown on its button: the ledger's cases (ids only) and its
    # addenda since submission, within the reader's case scope.
    on_ledger = (
        ledger_rows.ledger_case_ids_in(ledger, categories)
        | {
            item.addendum.case_id
            for item in addenda
            if ledger.submitted_at is None or item.addendum.reported_at >= ledger.submitted_at
        }
        if may_case_files
        else set()
    )
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
        "overdue": is_overdue(ledger, semester),
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
