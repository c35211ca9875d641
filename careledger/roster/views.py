from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from careledger.accounts import policy
from careledger.core import http
from careledger.core.uploads import run_upload_import
from careledger.roster import importers
from careledger.roster.models import College, SchoolClass
from careledger.roster.selectors import student_search

PAGE_SIZE = 30


@require_GET
def student_list(request: HttpRequest) -> HttpResponse:
    """Search by 学号, name or pinyin initials, filtered by college, grade and class; htmx swaps the table."""
    g = request.GET
    students = student_search(
        user=request.user,
        q=g.get("q", ""),
        college=g.get("college", ""),
        grade=g.get("grade", ""),
        school_class=g.get("class", ""),
        include_inactive=g.get("inactive") == "1",
    )
    page = Paginator(students, PAGE_SIZE).get_page(g.get("page"))
    context = {"page": page, "filters": g}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "roster/_student_table.html", context)
        patch_vary_headers(response, ["HX-Request"])  # never cache the fragment under the page's URL
        return response
    scope = policy.students_for(request.user)
    context["colleges"] = College.objects.filter(pk__in=scope.values("college_id")).order_by("name")
    context["grades"] = sorted(set(scope.values_list("grade", flat=True).distinct()), reverse=True)
    context["classes"] = SchoolClass.objects.filter(pk__in=scope.values("school_class_id")).order_by("name")
    return render(request, "roster/student_list.html", context)


@require_GET
def student_detail(request: HttpRequest, student_no: str) -> HttpResponse:
    student = policy.get_student_for(request.user, student_no)
    http.audited_read(request.user, object_type="student", object_id=student.pk, student_no=student_no)
    return render(request, "roster/student_detail.html", {"student": student})


@require_http_methods(["GET", "POST"])
def roster_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a roster; the report is shown as a table (row, column, message). Dry run by default."""
    return run_upload_import(
        request,
        importer=importers.roster_import,
        template="roster/import.html",
        columns=importers.ROSTER_COLUMNS,
    )
