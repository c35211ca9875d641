"""Pages for escalations: report from a case (one step, phone-friendly), the list, and handling."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careledger.accounts import policy
from careledger.api.escalation_views import escalation_body
from careledger.audit.services import Action, record
from careledger.escalations import selectors, services
from careledger.escalations.forms import EscalationForm, NoteForm, ResolveForm


@require_GET
def escalation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.escalation_list(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "escalations/list.html", {"page": page, "status": status})


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
    escalation = policy.get_escalation_for(request.user, pk)
    record(
        actor=request.user,
        action=Action.READ,
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
            "e": escalation_body(request.user, escalation, full=full),
            "full": full,
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
            services.escalation_resolve(
                actor=request.user, escalation=escalation, resolution=request.POST.get("resolution", "")
            )
            messages.success(request, _("已处置。"))
            if not policy.escalations_for(request.user).filter(pk=pk).exists():
                return redirect("escalations:list")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("escalations:detail", pk=pk)
