"""我的工作台 and the case list: cases as rows with their compliance (what is overdue, what is due next)."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careledger.accounts import policy
from careledger.cases import selectors
from careledger.cases.categories import Category
from careledger.cases.models import Case, CaseStatus, CategoryEntry, CloseStatus, RiskLevel
from careledger.contacts import rules
from careledger.contacts.models import ContactKind
from careledger.contacts.rules import RULE_KIND, Window
from careledger.core import clock
from careledger.core.models import Semester
from careledger.roster.models import SchoolClass, StudentStatus
from careledger.roster.selectors import status_entries_on

PAGE_SIZE = 30


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
            "overdue": _rows(selectors.first_rows(overdue, SCOPE_LISTED), cal),
            "overdue_count": selectors.only_overdue(open_cases, cal).count(),
            "no_mentor": [Row(c, [], None) for c in selectors.first_rows(no_mentor, SCOPE_LISTED)],
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
