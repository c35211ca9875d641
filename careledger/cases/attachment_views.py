"""Web views for 过程材料: upload to a case, download through the policy."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careledger.accounts import policy
from careledger.cases import attachments
from careledger.core import http


def file_response(attachment, data: bytes) -> HttpResponse:
    """Always a download, never rendered inline: an uploaded file is never served as a page (ASVS 12.5.2)."""
    response = http.file_download(
        data, filename=attachments.download_name(attachment), content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = policy.get_attachment_for(request.user, pk)
    if not policy.can_read_case_text(request.user, attachment.case):
        raise PermissionDenied
    return file_response(attachment, attachments.attachment_read(actor=request.user, attachment=attachment))


@require_POST
def upload(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = policy.get_case_for(request.user, case_pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件。"))
    else:
        try:
            attachments.attachment_add(
                actor=request.user, case=case, upload=upload, title=request.POST.get("title", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "已上传过程材料。")
    return redirect(f"/cases/{case.pk}/")
