"""Pages for escalations: report from a case (one step, phone-friendly), the list, and handling. They live in
web, above notify, because the detail shows who was told (notify.selectors.escalation_told)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careledger.accounts import policy
from careledger.core import http
from careledger.core.errors import Conflict
from careledger.escalations import selectors, services
from careledger.escalations.forms import EscalationForm, NoteForm, ResolveForm
from careledger.escalations.models import EscalationStatus
from careledger.notify import selectors as notify_selectors


@require_GET
def escalation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.escalation_list(request.user, status=status), 30).get_page(request.GET.get("page"))
    # A department keeps a de-identified record of what it handled (no name, no class, no text).
    history = selectors.department_history(request.user) if policy.keeps_department_history(request.user) else None
    return render(request, "escalations/list.html", {"page": page, "status": status, "history": history})


@require_http_methods(["GET", "POST"])
def escalation_new(request: HttpRequest) -> HttpResponse:
    case = policy.get_case_for(request.user, request.GET.get("case", ""))
    form = EscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_create(
                actor=request.user,
                case=case,
                severity=form.cleaned_data["severity"],
                description=form.cleaned_data["description"],
                departments=list(form.cleaned_data["departments"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已上报，学院和所选部门已收到通知。"))
            return redirect("escalations:detail", pk=escalation.pk)
    return render(request, "escalations/form.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@require_GET
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    closed = policy.resolved_escalations_of_departments(request.user).filter(pk=pk).exists()
    if closed and not policy.escalations_for(request.user).filter(pk=pk).exists():
        # Resolved: the department no longer sees the student (SEC-13); say so instead of a bare 404.
        policy.audit_denied(request.user, object_type="escalation", object_id=pk, why="resolved")
        return render(request, "escalations/closed.html", {"pk": pk}, status=404)
    escalation = policy.get_escalation_for(request.user, pk)
    http.audited_read(
        request.user,
        object_type="escalation",
        object_id=escalation.pk,
        student_no=escalation.student.student_no,
    )
    full = policy.sees_case_of(request.user, escalation)
    return render(
        request,
        "escalations/detail.html",
        {
            "escalation": escalation,
            "e": policy.escalation_body(request.user, escalation, full=full),
            "full": full,
            "notes": list(escalation.notes.select_related("author")),
            "told": notify_selectors.escalation_told(escalation),
            "reporter": escalation.created_by,
            "can_handle": policy.can_handle_escalation(request.user, escalation),
            "note_form": NoteForm(),
            "resolve_form": ResolveForm(),
        },
    )


@require_POST
def escalation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    escalation = policy.get_escalation_for(request.user, pk)
    try:
        if action == "acknowledge":
            services.escalation_acknowledge(actor=request.user, escalation=escalation)
        elif action == "note":
            services.escalation_note(actor=request.user, escalation=escalation, text=request.POST.get("text", ""))
        else:
            resolution = request.POST.get("resolution", "")
            if not policy.can_handle_escalation(request.user, escalation):
                policy.audit_denied(request.user, object_type="escalation", object_id=escalation.pk, why="handle")
                raise PermissionDenied(_("无权处理该上报。"))
            if not resolution.strip():
                raise ValidationError(_("请填写处置结果。"))
            if escalation.status == EscalationStatus.OPEN:
                raise Conflict(_("请先确认收到，再处置。"))
            if request.POST.get("confirmed") != "1":
                # A confirm step: resolving closes the escalation and the departments lose sight of it.
                return render(request, "escalations/confirm_resolve.html", {"e": escalation, "resolution": resolution})
            services.escalation_resolve(actor=request.user, escalation=escalation, resolution=resolution)
            messages.success(request, _("已处置。"))
            if not policy.escalations_for(request.user).filter(pk=pk).exists():
                return redirect("escalations:list")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("escalations:detail", pk=pk)
