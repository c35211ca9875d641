"""Comparing two semesters of a college's ledger (下学期对比)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careledger.accounts import policy
from careledger.cases.models import RiskLevel
from careledger.core.models import Semester
from careledger.ledgers import selectors
from careledger.ledgers.forms import CompareForm
from careledger.ledgers.views.common import int_or_none, labels, semester_from
from careledger.roster.models import College


def _compare_colleges(user) -> list[College]:
    return list(policy.comparable_colleges(user).order_by("name"))


def _risk(code: str | None) -> str:
    return str(RiskLevel(code).label) if code in RiskLevel.values else "—"


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Per college: students new to the ledger, no longer on it, with changed categories or risk."""
    user = request.user
    colleges = _compare_colleges(user)
    semesters = list(Semester.objects.order_by("-start"))
    g = request.GET
    asked = int_or_none(g.get("college"))
    if asked is not None and asked not in {c.pk for c in colleges}:
        policy.audit_denied(user, object_type="college", object_id=asked, why="scope")
        raise Http404("college")
    if "college" in g or "from" in g or "to" in g:
        form = CompareForm(g, colleges=colleges, semesters=semesters)
    else:  # the first college, the semester before the current one → the current one
        current = semester_from(semesters, None)
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
            "new": [{**x, "labels": labels(x["categories"])} for x in found.new],
            "closed": [{**x, "labels": labels(x["categories"])} for x in found.closed],
            "changed": [
                {
                    **x,
                    "added_labels": labels(x["added"]),
                    "removed_labels": labels(x["removed"]),
                    "risk_changed": x["risk_before"] != x["risk_after"],
                    "risk_before_label": _risk(x["risk_before"]),
                    "risk_after_label": _risk(x["risk_after"]),
                }
                for x in found.changed
            ],
        }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "ledgers/compare.html", {"form": form, "result": result}, status=status)
