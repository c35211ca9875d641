"""The roster import page (roster:import, /roster/import/): upload, dry run, the report as a table.

It lives with the pages, not in roster/, because it decides between answering at once and starting a
background job (jobs.starters) for a large file; the import itself is roster/importers.py.
"""

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from careledger.core.tabular import TableError, check_size
from careledger.jobs.models import Job
from careledger.jobs.starters import roster_import_or_job
from careledger.roster import importers
from careledger.roster.forms import RosterUploadForm


@require_http_methods(["GET", "POST"])
def roster_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a roster; the report is shown as a table (row, column, message). Dry run by default.

    A full-roster (sync) import first shows who would leave the roster (a dry run) and is applied only when
    that list is confirmed: the confirming upload carries the SHA-256 of the file the list was made from."""
    report, size_error, confirm = None, "", ""
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
        except TableError as exc:
            size_error = str(exc)
        else:
            data = upload.read()
            digest = hashlib.sha256(data).hexdigest()
            mode = form.cleaned_data["mode"]
            confirmed = form.cleaned_data["confirm"] == digest
            dry_run = form.cleaned_data["dry_run"] or (mode == importers.SYNC and not confirmed)
            report = roster_import_or_job(
                actor=request.user, data=data, filename=upload.name, dry_run=dry_run, mode=mode
            )
            if isinstance(report, Job):  # a large file: imported in the background, the page shows progress
                return redirect("jobs:detail", report.pk)
            if report.ok and dry_run and mode == importers.SYNC:
                confirm = digest  # the next upload of this same file, unticked, applies it
                form = RosterUploadForm(initial={"mode": mode, "dry_run": False, "confirm": digest})
    context = {
        "form": form,
        "report": report,
        "size_error": size_error,
        "columns": importers.ROSTER_COLUMNS,
        "confirm": confirm,
    }
    failed = (report is not None and not report.ok) or size_error or (request.method == "POST" and form.errors)
    return render(request, "roster/import.html", context, status=400 if failed else 200)
