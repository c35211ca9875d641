"""The ledger's official downloads (附件1 workbook of a college or of the school, 附件2 case files).

They call the exporters (exports.services) and, past a size, start a background job (jobs.starters),
so they sit above both; their URLs keep their names under the ``ledgers`` namespace
(``web/ledger_urls.py``). The access policy decides every file; the exporters write the audit row.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from careledger.accounts import policy
from careledger.core import http
from careledger.core.errors import RateLimited
from careledger.core.models import Semester
from careledger.exports import services as exports
from careledger.jobs import starters
from careledger.ledgers import services
from careledger.ledgers.models import Ledger
from careledger.ledgers.views.common import semester_from

_download = http.download


@require_GET
def ledger_export(request: HttpRequest, pk: int) -> HttpResponse:
    """附件1 workbook of one college (the snapshot once reported; a section's categories only)."""
    ledger = policy.get_ledger_for(request.user, pk)
    return _download(exports.export_ledger(actor=request.user, ledger=ledger))


def ledger_case_files(request: HttpRequest, pk: int) -> HttpResponse:
    """附件2: a zip of the case files of the ledger's cases that the caller may read. An admin not on
    the cases first sees how many files there are and states one reason (POST), then gets the zip."""
    ledger = policy.get_ledger_for(request.user, pk)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.ledger_case_files_reveal(actor=request.user, ledger=ledger, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            errors = exc.messages
        except RateLimited as exc:
            return render(
                request, "ledgers/case_files.html", _case_files_context(request, ledger, [str(exc)]), status=429
            )
    if not errors:
        try:
            if not exports.ledger_case_files(actor=request.user, ledger=ledger).need_reason:
                job = starters.case_files_job(actor=request.user, ledger=ledger)
                if job is not None:  # a large ledger: built in the background, the page shows its progress
                    return redirect("jobs:detail", job.pk)
            return _download(exports.export_ledger_case_files(actor=request.user, ledger=ledger))
        except exports.ReasonRequired:
            pass
    status = 400 if errors else 200
    return render(request, "ledgers/case_files.html", _case_files_context(request, ledger, errors), status=status)


def _case_files_context(request: HttpRequest, ledger: Ledger, errors: list[str]) -> dict:
    files = exports.ledger_case_files(actor=request.user, ledger=ledger)
    return {"ledger": ledger, "files": files, "errors": errors}


@require_GET
def case_file(request: HttpRequest, case_pk: int) -> HttpResponse:
    """附件2 特殊群体学生档案表 of one student (.docx)."""
    case = policy.get_case_for(request.user, case_pk)
    return _download(exports.export_case_file(actor=request.user, case=case))


@require_GET
def school_export(request: HttpRequest) -> HttpResponse:
    """The school-wide 附件1 workbook: every college under each sub-table (a section's categories only)."""
    semester = semester_from(list(Semester.objects.order_by("-start")), request.GET.get("semester"))
    if semester is None:
        raise Http404("semester")
    job = starters.school_ledger_job(actor=request.user, semester=semester)
    if job is not None:
        return redirect("jobs:detail", job.pk)
    return _download(exports.export_school_ledger(actor=request.user, semester=semester))
