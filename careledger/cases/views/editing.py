"""Opening a case file and editing it: the whole-file form (fields and categories)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careledger.accounts import policy
from careledger.cases import services
from careledger.cases.forms import CaseFileForm
from careledger.cases.models import CaseStatus
from careledger.cases.views.case_page import _audit_read


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
    form = CaseFileForm(
        request.POST if request.method == "POST" else None, can_verify=policy.can_verify_physical(roles=roles)
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, student=student, **form.open_fields())
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
    form = CaseFileForm(
        request.POST if request.method == "POST" else None,
        can_verify=policy.can_verify_physical(roles=roles),
        case=case,
    )
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
