"""Pages: the offices' upload page, the college view of pending suggestions, and the survey's
confirm/decline buttons (the survey page shows them through templates/evidence/_survey_suggestions.html)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from careledger.accounts import policy
from careledger.cases.selectors import current_semester
from careledger.core.models import Semester
from careledger.core.tabular import TableError, check_size
from careledger.evidence import importers, selectors, services
from careledger.evidence.models import SOURCE_LABELS, Scale

SCALES = [s for s in Scale.values]


class EvidenceUploadForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("文件类型"))
    semester = forms.ModelChoiceField(
        label=gettext_lazy("学期（心理普查）"), queryset=Semester.objects.order_by("-start"), required=False
    )
    file = forms.FileField(label=gettext_lazy("文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=gettext_lazy("仅检查，不写入"), required=False, initial=True)

    def __init__(self, *args, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, SOURCE_LABELS[s]) for s in sources]
        current = current_semester()
        if current is not None:
            self.fields["semester"].initial = current.pk


def _sources(user) -> list[str]:
    return (SCALES if policy.can_import_screening(user) else []) + policy.signal_kinds_for(user)


def upload(request: HttpRequest) -> HttpResponse:
    """One page for every office: choose what the file is, check it (dry run), then import it."""
    sources = _sources(request.user)
    report, size_error = None, ""
    if request.method == "POST":
        form = EvidenceUploadForm(request.POST, request.FILES, sources=sources)
        if form.is_valid():
            source, f = form.cleaned_data["source"], form.cleaned_data["file"]
            try:
                check_size(f.size)
            except TableError as exc:
                size_error = str(exc)
            else:
                if source in SCALES:
                    semester = form.cleaned_data["semester"]
                    if semester is None:
                        form.add_error("semester", _("请选择学期。"))
                    else:
                        report = importers.screening_import(
                            actor=request.user,
                            data=f.read(),
                            filename=f.name,
                            scale=source,
                            semester=semester,
                            dry_run=form.cleaned_data["dry_run"],
                        )
                else:
                    report = importers.signal_import(
                        actor=request.user,
                        data=f.read(),
                        filename=f.name,
                        kind=source,
                        dry_run=form.cleaned_data["dry_run"],
                    )
    else:
        form = EvidenceUploadForm(sources=sources)
    bad = (report is not None and not report.ok) or bool(size_error) or bool(form.errors)
    context = {
        "form": form,
        "report": report,
        "size_error": size_error,
        "sources": sources,
        "columns": [
            (SOURCE_LABELS[s], [name for _k, name, _r in cols])
            for s, cols in importers.SIGNAL_COLUMNS.items()
            if s in sources
        ],
    }
    return render(request, "evidence/upload.html", context, status=400 if bad else 200)


@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """The college view: pending suggestions per college and class."""
    semester = current_semester()
    rows = selectors.pending_by_college(request.user, semester) if semester else []
    return render(request, "evidence/pending.html", {"semester": semester, "rows": rows})


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok else reverse("ledgers:survey")


@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = policy.get_suggestion_for(request.user, pk)
    try:
        case = services.suggestion_confirm(actor=request.user, suggestion=suggestion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(request))
    messages.success(
        request,
        _("已确认：%(name)s 的“%(category)s”已记入档案 #%(case)d。")
        % {"name": suggestion.student.name, "category": suggestion.get_category_display(), "case": case.pk},
    )
    return redirect(_back(request))


@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = policy.get_suggestion_for(request.user, pk)
    try:
        services.suggestion_decline(actor=request.user, suggestion=suggestion, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(request))
    messages.success(request, _("已排除该建议，理由已记录。"))
    return redirect(_back(request))
