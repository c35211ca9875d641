"""辅导记录 quick entry from a case (phone first)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careledger.accounts import policy
from careledger.cases import services
from careledger.cases.forms import ContactForm
from careledger.cases.views.work import _rows
from careledger.contacts import services as contact_services
from careledger.contacts.models import ContactKind
from careledger.core import http


@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    """辅导记录 quick entry, phone first: tap a kind, type one text, submit (time now, place the dorm)."""
    case = policy.get_case_for(request.user, pk)
    services.require_action(request.user, "record_contact", case)
    student = case.student
    dorm = student.dorm.name if student.dorm_id else ""
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in ContactKind.values else {}
    if kind == ContactKind.DORM_VISIT and dorm:
        initial["location"] = dorm
    form = ContactForm(request.POST if request.method == "POST" else None, dorm=dorm, initial=initial)
    next_url = http.safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_services.contact_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            http.add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已记录%(kind)s（%(day)s），%(name)s。")
                % {"kind": contact.get_kind_display(), "day": contact.local_date, "name": student.name},
            )
            return redirect(next_url or reverse("cases:detail", args=[case.pk]))
    context = {
        "case": case,
        "student": student,
        "form": form,
        "dorm": dorm,
        "next": next_url,
        "row": _rows([case])[0],
    }
    return render(request, "cases/contact_form.html", context, status=400 if form.errors else 200)
