"""The case pages. Each view starts with a policy fetch; writes go through the services, which hold the rules.

Inline forms of the case page (mentor, help group, effect, closure) post to their own URL; on bad input the
case page is shown again with that form's errors (400), on success the browser goes back to the case page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careledger.accounts import policy
from careledger.cases import selectors, services
from careledger.cases.categories import Category
from careledger.cases.forms import (
    CaseFileForm,
    CloseRequestForm,
    ContactForm,
    DecisionForm,
    EffectForm,
    HelperActivityForm,
    HelperForm,
    MentorForm,
    ReopenForm,
    SemesterForm,
)
from careledger.cases.models import (
    Case,
    CaseEffect,
    CaseStatus,
    CategoryEntry,
    CloseRequest,
    CloseStatus,
    Helper,
    HelperActivity,
    Mentorship,
    RiskLevel,
)
from careledger.contacts import rules
from careledger.contacts import services as contact_services
from careledger.contacts.models import ContactKind
from careledger.contacts.rules import RULE_KIND, Window
from careledger.core import clock, http
from careledger.core import services as core_services
from careledger.core.errors import RateLimited
from careledger.core.models import Semester, mark_current
from careledger.roster import rules as roster_rules
from careledger.roster.models import SchoolClass, StudentStatus
from careledger.roster.selectors import status_entries_on, status_entry_on

PAGE_SIZE = 30
CONTACTS_SHOWN = 50
EVENTS_SHOWN = 100


# --- rows with their compliance ---


@dataclass
class Row:
    case: Case
    overdue: list[Window]
    next_due: Window | None  # the next window the case owes (unmet, not ended), from the maintained table
    status: StudentStatus | None = None  # 学籍状态 today when not 在校 (issue 12)

    @property
    def suggested_kind(self) -> str:
        """The kind the window due now asks for (else the first overdue one): what the one-tap button preselects."""
        urgent = self.next_due or (self.overdue[0] if self.overdue else None)
        return ContactKind(RULE_KIND[urgent.rule]) if urgent else ContactKind.TALK


def _rows(cases: list[Case], cal: rules.Calendar | None = None) -> list[Row]:
    standing = selectors.standings(cases, cal)
    away = status_entries_on([c.student_id for c in cases], clock.today()) if cases else {}
    return [Row(c, standing[c.pk].overdue, standing[c.pk].next, away.get(c.student_id)) for c in cases]


SCOPE_LISTED = 20  # the work view lists this many overdue / unpaired cases; the figures count them all


def work_context(user) -> dict:
    """我的工作台: a mentor's own cases with what is due; an overseer's scope at a glance — its figures are
    SQL counts (the overdue one on the maintained compliance table) and its lists one short page each."""
    cal = selectors.current_calendar()
    context: dict = {"mine": None, "scope": None}
    if policy.has_own_cases(user):
        mine = _rows(list(selectors.case_search(user=user, mine=True)), cal)
        mine.sort(key=lambda r: (not r.overdue, r.next_due.end if r.next_due else date.max))
        context["mine"] = mine
    if policy.oversees_cases(user):
        open_cases = policy.cases_for(user).filter(status=CaseStatus.OPEN).order_by()
        risks = dict(open_cases.values_list("risk_level").annotate(n=Count("pk")))
        categories = dict(
            CategoryEntry.objects.filter(case__in=open_cases.values("pk"))
            .order_by()
            .values_list("category")
            .annotate(n=Count("pk"))
        )
        listed = selectors.case_search(user=user)
        overdue = selectors.only_overdue(listed, cal)
        no_mentor = selectors.case_search(user=user, no_mentor=True)
        pending = []
        if policy.approves_closes(user):
            pending = list(listed.filter(close_requests__status=CloseStatus.PENDING))
        context["scope"] = {
            "total": open_cases.count(),
            "by_risk": [(level, label, risks.get(level, 0)) for level, label in reversed(RiskLevel.choices)],
            "by_category": [(code, label, categories.get(code, 0)) for code, label in Category.choices],
            "overdue": _rows(list(overdue[:SCOPE_LISTED]), cal),
            "overdue_count": selectors.only_overdue(open_cases, cal).count(),
            "no_mentor": [Row(c, [], None) for c in no_mentor[:SCOPE_LISTED]],
            "no_mentor_count": no_mentor.count(),
            "pending_close": pending,
        }
    return context


@require_GET
def work(request: HttpRequest) -> HttpResponse:
    context = {"work": work_context(request.user), "semester": Semester.objects.current()}
    return render(request, "cases/work.html", context)


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    cases = selectors.case_search(
        user=request.user,
        status={"closed": CaseStatus.CLOSED, "all": ""}.get(g.get("status", ""), CaseStatus.OPEN),
        category=g.get("category", ""),
        risk_level=g.get("risk", ""),
        school_class=g.get("class", ""),
        q=g.get("q", ""),
        no_mentor=g.get("no_mentor") == "1",
        mine=g.get("mine") == "1",
    )
    if g.get("overdue") == "1":
        cases = selectors.only_overdue(cases)
    page = Paginator(cases, PAGE_SIZE).get_page(g.get("page"))
    classes = SchoolClass.objects.filter(pk__in=policy.cases_for(request.user).values("student__school_class_id"))
    context = {
        "page": page,
        "rows": _rows(list(page.object_list)),
        "filters": g,
        "categories": Category.choices,
        "risks": RiskLevel.choices,
        "classes": classes.order_by("name"),
    }
    return render(request, "cases/case_list.html", context)


# --- opening and editing ---


_add_errors = http.add_errors


def _can_verify(roles: frozenset[str]) -> bool:
    return policy.can_verify_physical(roles=roles)


def _audit_read(user, case: Case) -> None:
    """Every page showing the case file is a read of it (有据可查)."""
    http.audited_read(user, object_type="case", object_id=case.pk, student_no=case.student.student_no)


@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    student_no = request.GET.get("student", "").strip()
    if not student_no:
        return render(request, "cases/case_new_pick.html")
    student = policy.get_student_for(request.user, student_no)
    roles = policy.student_roles(request.user, student)
    if not policy.can_open_case(request.user, student, roles=roles):
        policy.audit_denied(request.user, object_type="student", object_id=student_no, student_no=student_no)
        raise PermissionDenied
    existing = policy.cases_for(request.user).filter(student=student, status=CaseStatus.OPEN).first()
    form = CaseFileForm(request.POST if request.method == "POST" else None, can_verify=_can_verify(roles))
    if request.method == "POST" and form.is_valid():
        data = form.main.cleaned_data
        try:
            case = services.case_open(
                actor=request.user,
                student=student,
                categories=form.category_inputs(),
                opened_on=data["opened_on"],
                risk_level=data["risk_level"],
                problem=data["problem"],
                life_history=data["life_history"],
                plan=data["plan"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("已为 %(name)s 建档。") % {"name": student.name})
            return redirect("cases:detail", pk=case.pk)
    context = {"form": form, "student": student, "existing": existing}
    return render(request, "cases/case_form.html", context, status=400 if form.has_errors else 200)


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = policy.get_case_for(request.user, pk)
    roles = services.require_action(request.user, "edit", case)
    if not policy.may_read_case_text(request.user, case, roles):
        # The form shows the whole file: an admin not on the case states a reason first (SEC-45).
        messages.warning(request, _("须先说明查看原因，方可查看或修改档案内容。"))
        return redirect(reverse("cases:detail", args=[case.pk]) + "#reveal")
    form = CaseFileForm(request.POST if request.method == "POST" else None, can_verify=_can_verify(roles), case=case)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.main.cleaned_data
        try:
            services.case_update(
                actor=request.user,
                case=case,
                version=data["version"],
                fields={name: data[name] for name in services.EDITABLE},
                categories=form.category_inputs(),
            )
        except services.StaleVersion as exc:
            conflict = exc.current
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("cases:detail", pk=case.pk)
    _audit_read(request.user, case)  # the form shows the whole file
    status = 409 if conflict else 400 if form.has_errors else 200
    context = {"form": form, "student": case.student, "case": case, "conflict": conflict}
    return render(request, "cases/case_form.html", context, status=status)


# --- the case page ---


def _age(born: date | None) -> int | None:
    return roster_rules.age_on(born, clock.today())


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, **bound) -> HttpResponse:
    """The case file. ``bound`` holds a submitted form with errors, shown in place of the empty one."""
    user = request.user
    _audit_read(user, case)
    roles = policy.case_roles(user, case)
    may = policy.case_actions_for(user, case, roles=roles)
    text_access = policy.case_text_access(user, case, roles)
    prefetch_related_objects(
        [case],
        "student__college",
        "student__school_class",
        "student__dorm",
        "categories",
        "attachments",
        Prefetch("mentorships", queryset=Mentorship.objects.select_related("mentor", "assigned_by")),
        Prefetch(
            "helpers",
            queryset=Helper.objects.select_related("student").prefetch_related(
                Prefetch("activities", queryset=HelperActivity.objects.select_related("recorded_by"))
            ),
        ),
        Prefetch("effects", queryset=CaseEffect.objects.select_related("semester").order_by("-semester__start")),
        Prefetch("close_requests", queryset=CloseRequest.objects.select_related("requested_by", "decided_by")),
    )
    is_open = case.status == CaseStatus.OPEN
    mentorships = list(case.mentorships.all())
    close_requests = list(case.close_requests.all())
    calendar = selectors.current_calendar()
    windows = selectors.case_compliance(case, date_from=calendar.start, date_to=calendar.end) if calendar else []

    def offer(name: str, action: str, make: Callable[[], django_forms.Form], *, when: bool = True):
        return bound.get(name) or (make() if may[action] and when else None)

    pending = next((r for r in close_requests if r.status == CloseStatus.PENDING), None)
    contacts_page = Paginator(case.contacts.select_related("recorded_by"), CONTACTS_SHOWN).get_page(
        request.GET.get("page")
    )
    has_helpers = any(h.removed_on is None for h in case.helpers.all())
    context = {
        "case": case,
        "text_access": text_access,
        "student": case.student,
        "status_entry": status_entry_on(case.student, clock.today()),
        "age": _age(case.student.birth_date),
        "may": may,
        "is_open": is_open,
        "mentor": next((m for m in mentorships if m.is_current), None),
        "mentorships": mentorships,
        "close_requests": close_requests,
        "pending": pending,
        "windows": windows,
        "periods": list(case.open_periods.all()),  # every open period: closing and reopening erase nothing
        # Paginated (perf, issue 13): the page costs one page of contacts however long the case's history.
        "contacts": contacts_page.object_list,
        "contact_count": contacts_page.paginator.count,
        "contacts_page": contacts_page,
        "events": policy.timeline_for(user, case, case.events.select_related("actor")[:EVENTS_SHOWN], text_access),
        "mentor_form": offer(
            "mentor_form",
            "assign_mentor",
            lambda: MentorForm(case=case, school_wide=policy.is_school_admin(user)),
            when=is_open,
        ),
        "helper_form": offer("helper_form", "add_helper", lambda: HelperForm(case=case), when=is_open),
        "activity_form": offer(
            "activity_form", "add_helper", lambda: HelperActivityForm(case=case), when=is_open and has_helpers
        ),
        "effect_form": offer("effect_form", "record_effect", EffectForm, when=calendar is not None),
        "close_form": offer("close_form", "request_close", CloseRequestForm, when=is_open and pending is None),
        "decision_form": offer("decision_form", "approve_close", DecisionForm, when=pending is not None),
        "reopen_form": offer(
            "reopen_form",
            "reopen",
            lambda: ReopenForm(
                case=case, school_wide=policy.is_school_admin(user), last_mentor=services.last_mentor(case)
            ),
            when=not is_open,
        ),
    }
    return render(request, "cases/case_detail.html", context, status=status)


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, policy.get_case_for(request.user, pk))


@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Break-glass: an admin not on the case states why they open its sensitive text (audited)."""
    case = policy.get_case_for(request.user, pk)
    try:
        services.case_reveal(actor=request.user, case=case, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except RateLimited as exc:
        messages.error(request, str(exc))
        return _case_page(request, case, status=429)
    return redirect("cases:detail", pk=case.pk)


def _case_action(
    request: HttpRequest,
    pk: int,
    *,
    action: str,
    form_name: str,
    make_form: Callable[[Case], django_forms.Form],
    run: Callable[[Case, dict], str],
    anchor: str,
) -> HttpResponse:
    """An inline form of the case page: check the verb, validate, call the service, go back to the page."""
    case = policy.get_case_for(request.user, pk)
    services.require_action(request.user, action, case)
    form = make_form(case)
    if form.is_valid():
        try:
            message = run(case, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(reverse("cases:detail", args=[case.pk]) + f"#{anchor}")
    return _case_page(request, case, status=400, **{form_name: form})


@require_POST
def mentor_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.mentor_assign(actor=request.user, case=case, mentor=data["mentor"])
        return _("已与 %(name)s 结对。") % {"name": data["mentor"].name or data["mentor"].username}

    school_wide = policy.is_school_admin(request.user)
    return _case_action(
        request,
        pk,
        action="assign_mentor",
        form_name="mentor_form",
        make_form=lambda case: MentorForm(request.POST, case=case, school_wide=school_wide),
        run=run,
        anchor="mentor",
    )


@require_POST
def helper_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.helper_add(actor=request.user, case=case, student=data["student_no"], role=data["role"])
        return _("已将 %(name)s 加入帮扶小组。") % {"name": data["student_no"].name}

    return _case_action(
        request,
        pk,
        action="add_helper",
        form_name="helper_form",
        make_form=lambda case: HelperForm(request.POST, case=case, user=request.user),
        run=run,
        anchor="helpers",
    )


@require_POST
def helper_activity(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.helper_activity_record(actor=request.user, helper=data["helper"], on=data["on"], what=data["what"])
        return _("已记录帮扶小组活动。")

    return _case_action(
        request,
        pk,
        action="add_helper",
        form_name="activity_form",
        make_form=lambda case: HelperActivityForm(request.POST, case=case),
        run=run,
        anchor="helpers",
    )


@require_POST
def effect_record(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.effect_record(
            actor=request.user, case=case, semester=data["semester"], text=data["text"], rating=data["rating"]
        )
        return _("已保存帮扶效果。")

    return _case_action(
        request,
        pk,
        action="record_effect",
        form_name="effect_form",
        make_form=lambda case: EffectForm(request.POST),
        run=run,
        anchor="effects",
    )


@require_POST
def close_request(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.close_request(actor=request.user, case=case, reason=data["reason"], improved=data["improved"])
        return _("已提交撤销建档申请，待学院审批。")

    return _case_action(
        request,
        pk,
        action="request_close",
        form_name="close_form",
        make_form=lambda case: CloseRequestForm(request.POST),
        run=run,
        anchor="closure",
    )


def _decide(request: HttpRequest, pk: int, decide: Callable, message: str) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        decide(actor=request.user, case=case, note=data["note"])
        return message

    return _case_action(
        request,
        pk,
        action="approve_close",
        form_name="decision_form",
        make_form=lambda case: DecisionForm(request.POST),
        run=run,
        anchor="closure",
    )


@require_POST
def close_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.close_approve, _("已同意撤销建档。"))


@require_POST
def close_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.close_reject, _("已驳回撤销建档申请。"))


@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.case_reopen(actor=request.user, case=case, mentor=data.get("mentor"))
        return _("已重新建档。")

    return _case_action(
        request,
        pk,
        action="reopen",
        form_name="reopen_form",
        make_form=lambda case: ReopenForm(request.POST, case=case, school_wide=policy.is_school_admin(request.user)),
        run=run,
        anchor="closure",
    )


# --- contacts ---


_safe_next = http.safe_next


@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    """辅导记录 quick entry, phone first: tap a kind, type one text, submit (time now, place the dorm)."""
    case = policy.get_case_for(request.user, pk)
    services.require_action(request.user, "record_contact", case)
    student = case.student
    dorm = student.dorm.name if student.dorm_id else ""
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in ContactKind.values else {}
    if kind == ContactKind.DORM_VISIT and dorm:
        initial["location"] = dorm
    form = ContactForm(request.POST if request.method == "POST" else None, dorm=dorm, initial=initial)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_services.contact_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已记录%(kind)s（%(day)s），%(name)s。")
                % {"kind": contact.get_kind_display(), "day": contact.local_date, "name": student.name},
            )
            return redirect(next_url or reverse("cases:detail", args=[case.pk]))
    context = {
        "case": case,
        "student": student,
        "form": form,
        "dorm": dorm,
        "next": next_url,
        "row": _rows([case])[0],
    }
    return render(request, "cases/contact_form.html", context, status=400 if form.errors else 200)


# --- semesters ---


@require_http_methods(["GET", "POST"])
def semester_list(request: HttpRequest) -> HttpResponse:
    form = SemesterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            semester = core_services.semester_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已创建学期 %(name)s。") % {"name": semester.name})
            return redirect("cases:semesters")
    semesters = list(Semester.objects.prefetch_related("periods").order_by("-start"))
    mark_current(semesters)
    return render(
        request, "cases/semesters.html", {"form": form, "semesters": semesters}, status=400 if form.errors else 200
    )
