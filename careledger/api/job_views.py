"""api.md "Long work (jobs)": a job's state, and its file once done. The owner only; 404 for anyone else."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.jobs import services
from careledger.jobs.models import Job, JobStatus
from careledger.jobs.views import file_response


def job_result(job: Job):
    """The file's URL once done, or the import's report; None before."""
    if job.status != JobStatus.DONE:
        return None
    if job.result_path:
        return reverse("api:job-download", args=[job.pk])
    return job.report


class JobSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    result = serializers.JSONField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


def job_body(job: Job) -> dict:
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "result": job_result(job),
        "error": job.error,
    }


def accepted(job: Job) -> Response:
    """What an endpoint answers when its work became a job: 202 {"job": id}."""
    response = Response({"job": str(job.pk)}, status=202)
    response["Location"] = reverse("api:job-detail", args=[job.pk])
    return response


class JobDetailView(APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, pk: str):
        return Response(job_body(policy.get_job_for(request.user, pk)))


class JobDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: str):
        job = policy.get_job_for(request.user, pk)
        if job.status != JobStatus.DONE or not job.result_path:
            raise Http404("job")
        return file_response(job, services.job_result_read(actor=request.user, job=job))
