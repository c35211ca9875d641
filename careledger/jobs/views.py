"""A job seen from a page: its progress bar (polled by htmx) and, once done, its file."""

from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from careledger.accounts import policy
from careledger.jobs import services
from careledger.jobs.models import JobStatus


def file_response(job, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=job.content_type or "application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.result_name, safe='')}"
    response["Cache-Control"] = "no-store"
    if job.report.get("export_id"):
        response["X-Export-Id"] = job.report["export_id"]
    return response


def progress_context(job) -> dict:
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    return {
        "job": job,
        "running": running,
        "percent": int(100 * job.done / job.total) if job.total else 0,
        "download": reverse("jobs:download", args=[job.pk]) if job.status == JobStatus.DONE and job.result_path else "",
    }


@require_GET
@never_cache
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The job's progress: the bar alone for htmx's poll, else a page around it."""
    job = policy.get_job_for(request.user, pk)
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"
    return render(request, template, progress_context(job))


@require_GET
def download(request: HttpRequest, pk: str) -> HttpResponse:
    job = policy.get_job_for(request.user, pk)
    if job.status != JobStatus.DONE or not job.result_path:
        raise Http404("job")
    return file_response(job, services.job_result_read(actor=request.user, job=job))
