"""HTTP glue shared by the pages and the API: downloads, the audited read, the safe "next" address and
service errors on a form. One of each (they were copied between page and API views)."""

from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from careledger.audit.services import Action, record
from careledger.core.errors import Conflict, RateLimited, RevealRequired, StaleVersion
from careledger.core.export_safety import ExportFile


def file_download(data: bytes, *, filename: str, content_type: str, export_id: str = "") -> HttpResponse:
    """A file as an attachment, never cached (it holds personal data); traceable by its export id."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    response["Cache-Control"] = "no-store"
    if export_id:
        response["X-Export-Id"] = export_id
    return response


def download(export: ExportFile) -> HttpResponse:
    """An export (already audited by the service that made it) as the page's or the API's answer."""
    return file_download(
        export.data, filename=export.filename, content_type=export.content_type, export_id=export.export_id
    )


def audited_read(user, *, object_type: str, object_id: object, student_no: str = "") -> None:
    """Showing a record of a student is a read of it, audited (有据可查): pages and API alike."""
    record(actor=user, action=Action.READ, object_type=object_type, object_id=object_id, student_no=student_no)


def safe_next(request: HttpRequest) -> str:
    """The ``next`` address of a form (POST, else the query string), if it stays on this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok else ""


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the page's form: each message on its field, else on the form
    (the API answers the same error as 400 with the same messages, api/errors.py)."""
    for name, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(name if name in form.fields else None, errors)


def service_error(exc: Exception) -> tuple[int, dict[str, object]] | None:
    """The one mapping of a service's errors to an answer (status, body): 400 bad input, 409 stale,
    403 reason first, 429 too many; None for what the framework answers itself (403, 404). The API sends
    it as JSON (api/errors.py); a page shows a ValidationError on its form (``add_errors``)."""
    if isinstance(exc, ValidationError):
        return 400, exc.message_dict if hasattr(exc, "message_dict") else {"errors": exc.messages}
    if isinstance(exc, StaleVersion):
        return 409, {"detail": _("档案已被他人修改，请刷新后重试。"), "version": exc.current}
    if isinstance(exc, Conflict):
        return 409, {"detail": exc.message, exc.field: [exc.message]}
    if isinstance(exc, RevealRequired):
        return 403, {"detail": _("须先说明查看原因。"), "reveal_required": True}
    if isinstance(exc, RateLimited):
        return 429, {"detail": str(exc)}
    return None
