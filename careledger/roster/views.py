from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careledger.accounts import policy
from careledger.core import clock, http
from careledger.roster import services
from careledger.roster.forms import StudentStatusForm
from careledger.roster.models import College, EnrolmentStatus, SchoolClass, StudentStatus
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
    # order_by(): without it DISTINCT also takes the model's ordering column and returns every student.
    context["grades"] = sorted(scope.order_by().values_list("grade", flat=True).distinct(), reverse=True)
    context["classes"] = SchoolClass.objects.filter(pk__in=scope.values("school_class_id")).order_by("name")
    return render(request, "roster/student_list.html", context)


@require_GET
def student_detail(request: HttpRequest, student_no: str) -> HttpResponse:
    student = policy.get_student_for(request.user, student_no)
    http.audited_read(request.user, object_type="student", object_id=student.pk, student_no=student_no)
    return _detail_page(request, student)


def _detail_page(request: HttpRequest, student, status_form: StudentStatusForm | None = None) -> HttpResponse:
    history = list(
        StudentStatus.objects.filter(student=student).select_related("recorded_by").order_by("-since", "-id")
    )
    today = clock.today()
    current = next((e for e in history if e.since <= today), None)
    may_set = policy.can_set_student_status(request.user, student)
    if may_set and status_form is None:
        status_form = StudentStatusForm(initial={"status": current.status if current else EnrolmentStatus.ENROLLED})
    context = {
        "student": student,
        "status_entry": current,
        "status_history": history,
        "status_form": status_form if may_set else None,
    }
    return render(
        request, "roster/student_detail.html", context, status=400 if status_form and status_form.errors else 200
    )


@require_POST
def student_status(request: HttpRequest, student_no: str) -> HttpResponse:
    """Record a 学籍状态 change from a date (school_admin, the college's admin, the student's counselor)."""
    student = policy.get_student_for(request.user, student_no)
    if not policy.can_set_student_status(request.user, student):
        policy.audit_denied(request.user, object_type="student", object_id=student.pk, student_no=student_no)
        raise PermissionDenied
    form = StudentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.student_status_set(actor=request.user, student=student, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("已记录学籍状态。"))
            return redirect("students:detail", student_no=student.student_no)
    return _detail_page(request, student, form)
