"""The school's view (全校台账): every college's ledger for a semester, for 学工处 and its sections."""

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careledger.accounts import policy
from careledger.cases.categories import Category
from careledger.core.models import Semester
from careledger.ledgers import selectors
from careledger.ledgers.views.common import ADDENDA_SHOWN, addenda_rows, semester_from


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
    semester = semester_from(semesters, request.GET.get("semester"))
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
        "addenda": addenda_rows(addenda, ADDENDA_SHOWN),
        # The total of open cases spans every category: only for those who see all seven.
        "show_open_cases": len(categories) == len(Category.values),
        "may_decide": policy.can_review_ledger(user),
        "may_compare": policy.allows_endpoint(user, "ledgers:compare", "GET"),
    }
    return render(request, "ledgers/school.html", context)
