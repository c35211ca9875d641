"""The upload page shared by the roster and staff imports."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from careledger.core.tabular import TableError, check_size


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=_("仅检查，不写入"), required=False, initial=True)


def run_upload_import(request: HttpRequest, *, importer, template: str, columns) -> HttpResponse:
    report = None
    size_error = ""
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_size(upload.size)
            except TableError as exc:
                size_error = str(exc)
            else:
                report = importer(
                    actor=request.user, data=upload.read(), filename=upload.name, dry_run=form.cleaned_data["dry_run"]
                )
                if not hasattr(report, "ok"):  # a large file became a background job: show its progress
                    return redirect("jobs:detail", report.pk)
    else:
        form = UploadForm()
    return render(
        request,
        template,
        {"form": form, "report": report, "size_error": size_error, "columns": columns},
        status=400 if (report is not None and not report.ok) or size_error else 200,
    )
