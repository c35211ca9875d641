"""学期: the list of semesters and the form that adds one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careledger.cases.forms import SemesterForm
from careledger.core import http
from careledger.core import services as core_services
from careledger.core.models import Semester, mark_current


@require_http_methods(["GET", "POST"])
def semester_list(request: HttpRequest) -> HttpResponse:
    form = SemesterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            semester = core_services.semester_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            http.add_errors(form, exc)
        else:
            messages.success(request, _("已创建学期 %(name)s。") % {"name": semester.name})
            return redirect("cases:semesters")
    semesters = list(Semester.objects.prefetch_related("periods").order_by("-start"))
    mark_current(semesters)
    return render(
        request, "cases/semesters.html", {"form": form, "semesters": semesters}, status=400 if form.errors else 200
    )
