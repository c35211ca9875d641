"""首页: one page per role, built around what is waiting on the user (issue 15)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careledger.accounts import policy
from careledger.cases.selectors import current_semester
from careledger.cases.views import work_context
from careledger.home import selectors
from careledger.ledgers import selectors as ledger_selectors
from careledger.roster.selectors import student_counts_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    panels = policy.home_panels(user)
    semester = current_semester()
    context: dict = {
        "panels": panels,
        "grants": policy.grants_of(user),
        "semester": semester,
        "counts": student_counts_for(user),
    }
    if "work" in panels:
        context["work"] = work_context(user)
    if "verify" in panels:
        context["to_verify"] = list(selectors.to_verify(user)[:50])
    if "reports" in panels:
        context["waiting_reports"] = selectors.waiting_reports(user)
        context["recent_reports"] = list(selectors.recent_reports(user))
    if "escalations" in panels:
        context["unacknowledged"] = selectors.unacknowledged(user)
    if semester is not None:
        if "survey" in panels:
            by = "college" if "survey_by_college" in panels else "class"
            context["survey"] = ledger_selectors.survey_progress(user, semester, by=by)
            context["survey_by"] = by
        if "ledgers" in panels:
            context["ledgers"] = selectors.ledger_states(user, semester)
    return render(request, "home/home.html", context)
