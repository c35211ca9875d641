"""The audit trail pages (/audit/): search for school_admin and the auditor, exports for the auditor.

Read-only: there is no form, URL or API anywhere that changes or deletes an audit row.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.audit import exports
from careledger.audit.models import Action, Outcome
from careledger.audit.selectors import FILTERS, FilterError, audit_search, parse_filter
from careledger.audit.services import record
from careledger.core import http

PAGE_SIZE = 50


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


def audit_list(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    try:
        f = parse_filter(request.GET)
    except FilterError as exc:
        errors = exc.errors
        f = parse_filter({k: v for k, v in request.GET.items() if k not in exc.errors})
    page = Paginator(audit_search(f), PAGE_SIZE).get_page(request.GET.get("page"))
    # The rows are read before this read's own row is written, so it never pushes one off the page.
    page.object_list = list(page.object_list)
    # Reading the trail is itself audited (MLPS 8.1.5: the audit admin's operations are recorded).
    record(
        actor=request.user,
        action=Action.READ,
        object_type="auditevent",
        detail={"filters": f.used, "page": page.number},
    )
    context = {
        "page": page,
        "values": {name: request.GET.get(name, "") for name in FILTERS},
        "errors": errors,
        "actions": Action.choices,
        "outcomes": Outcome.choices,
        "query": _query_without_page(request),
        "may_export": policy.can_export_audit(request.user),
    }
    return render(request, "audit/list.html", context, status=400 if errors else 200)


def audit_export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    try:
        f = parse_filter(request.GET)
    except FilterError as exc:
        return HttpResponse(
            "; ".join(m for ms in exc.errors.values() for m in ms), status=400, content_type="text/plain"
        )
    if fmt not in exports.FORMATS:
        return HttpResponse(_("导出格式只能是 csv 或 xlsx。"), status=400, content_type="text/plain; charset=utf-8")
    try:
        export = exports.export_audit(actor=request.user, qs=audit_search(f), fmt=fmt, used=f)
    except exports.TooManyRows as exc:
        return HttpResponse(
            _("超过 %(n)d 行，请缩小筛选范围。") % {"n": exc.args[0]},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return http.file_download(
        export.data, filename=export.filename, content_type=export.content_type, export_id=export.export_id
    )
