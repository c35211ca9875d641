"""Long work as jobs (api.md "Long work (jobs)"): 202 {"job": id}, the owner's view of it, its file, and
a job whose worker dies runs again with its effects once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.jobs import roster_import_job, services
from careledger.jobs.models import Job, JobKind, JobStatus
from careledger.roster import importers
from careledger.roster.models import Student
from careledger.roster.tests.test_import import csv_bytes, post, roster_rows
from tests.support.testing import make_case, make_ledger

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def run_queued() -> None:
    """What the worker does: run each queued task (here in the test's own transaction)."""
    for result in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        result.task.call(*result.task_result.args, **result.task_result.kwargs)
        result.delete()


def test_a_large_college_zip_is_a_job_its_owner_follows_and_downloads(school, settings):
    settings.JOBS_INLINE_CASE_FILES = 0
    make_case(school, "li", mentor=school.erin)
    ledger = make_ledger(school)
    client = api(school.carol)
    response = client.get(f"/api/v1/ledgers/{ledger.pk}/case-files/")
    assert response.status_code == 202
    job_id = response.json()["job"]
    assert DBTaskResult.objects.filter(task_path="careledger.jobs.tasks.run_job", status="READY").count() == 1
    body = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert body == {
        "id": job_id,
        "kind": "case_files",
        "status": "queued",
        "done": 0,
        "total": 1,
        "result": None,
        "error": "",
    }

    run_queued()

    body = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "done" and body["done"] == body["total"] == 1
    assert body["result"] == f"/api/v1/jobs/{job_id}/download/"
    download = client.get(body["result"])
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert download["Cache-Control"] == "no-store" and download["Content-Type"] == "application/zip"
    assert AuditEvent.objects.filter(action="export", object_type="college").count() == 1
    assert AuditEvent.objects.filter(action="read", object_type="job", object_id=job_id).count() == 1
    # Nobody else sees it, whatever their role; a malformed id is the same 404.
    for other in (school.alice, school.bob, school.erin):
        assert api(other).get(f"/api/v1/jobs/{job_id}/").status_code == 404
        assert api(other).get(f"/api/v1/jobs/{job_id}/download/").status_code == 404
    assert client.get("/api/v1/jobs/not-a-uuid/").status_code == 404


def test_a_small_export_is_still_answered_at_once(school):
    make_case(school, "li", mentor=school.erin)
    ledger = make_ledger(school)
    response = api(school.carol).get(f"/api/v1/ledgers/{ledger.pk}/case-files/")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert not Job.objects.exists()


def test_the_page_shows_a_progress_bar_that_polls_until_done(client, school, settings):
    settings.JOBS_INLINE_CASE_FILES = 0
    make_case(school, "li", mentor=school.erin)
    ledger = make_ledger(school)
    client.force_login(school.carol)
    response = client.get(f"/ledgers/{ledger.pk}/case-files/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<progress" in html and 'hx-trigger="every 1s"' in html
    run_queued()
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "/download/" in partial


def test_a_large_roster_import_answers_202_and_reports_as_the_importer_does(school, settings):
    settings.JOBS_IMPORT_ROWS = 5
    data = csv_bytes(roster_rows(12))
    expected = importers.roster_import(actor=school.alice, data=data, filename="r.csv", dry_run=True).as_dict()
    response = post(api(school.alice), data, "r.csv")
    assert response.status_code == 202
    job_id = response.json()["job"]
    run_queued()
    body = api(school.alice).get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "done"
    assert body["result"] == {**expected, "dry_run": False}
    assert Student.objects.filter(student_no__startswith="2023050").count() == 12


def test_a_bad_large_roster_writes_nothing_and_lists_the_rows(school, settings):
    settings.JOBS_IMPORT_ROWS = 5
    rows = roster_rows(12)
    rows[9][2] = "?"
    before = Student.objects.count()
    job_id = post(api(school.alice), csv_bytes(rows), "r.csv").json()["job"]
    run_queued()
    body = api(school.alice).get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "done" and [e["row"] for e in body["result"]["errors"]] == [11]
    assert Student.objects.count() == before


def test_a_job_whose_worker_dies_runs_again_and_its_effects_happen_once(school, settings):
    settings.JOBS_IMPORT_ROWS = 5
    data = csv_bytes(roster_rows(12))
    before = Student.objects.count()
    job_id = post(api(school.alice), data, "r.csv").json()["job"]
    real_apply = importers.apply_plan
    calls = []

    def dies_on_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise services.JobKilled
        return real_apply(*args, **kwargs)

    with (
        mock.patch.object(roster_import_job, "CHUNK", 4),
        mock.patch.object(importers, "apply_plan", dies_on_the_second_chunk),
        pytest.raises(services.JobKilled),
    ):
        run_queued()
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.RUNNING and job.checkpoint["chunk"] == 1
    assert Student.objects.count() == before + 4  # the first chunk committed

    # Nothing renews the lease: after JOBS_STALE_SECONDS the next tick queues it again.
    assert services.jobs_recover() == 0
    assert services.jobs_recover(now=timezone.now() + timedelta(seconds=settings.JOBS_STALE_SECONDS + 1)) == 1
    assert Job.objects.get(pk=job_id).status == JobStatus.QUEUED
    with mock.patch.object(roster_import_job, "CHUNK", 4):
        run_queued()
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert job.report["created"] == 12 and job.report["errors"] == []
    assert Student.objects.count() == before + 12
    assert AuditEvent.objects.filter(action="import", object_type="roster").count() == 1
    # A finished job run once more (a duplicate task) does nothing.
    assert services.job_run(job_id=job_id) == "skipped"
    assert AuditEvent.objects.filter(action="import", object_type="roster").count() == 1


def test_a_job_that_keeps_dying_fails_after_the_last_attempt(school, settings):
    job = Job.objects.create(kind=JobKind.TICK, status=JobStatus.RUNNING, attempts=settings.JOBS_MAX_ATTEMPTS)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    services.jobs_recover()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "worker stopped"


def test_the_schedule_queues_each_slot_once(school):
    now = timezone.now().replace(hour=3)  # 11:xx in Shanghai: tick and remind are due
    assert services.schedule_due(now=now) == 2
    assert services.schedule_due(now=now) == 0  # a second worker queues nothing more
    assert set(Job.objects.values_list("kind", flat=True)) == {JobKind.TICK, JobKind.REMIND}
    run_queued()
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}


def test_a_failing_job_is_reported_failed_with_its_error(school):
    job = services.job_start(actor=school.alice, kind=JobKind.SCHOOL_LEDGER, params={"semester": 0})
    run_queued()
    body = api(school.alice).get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "failed" and body["error"]


def test_serve_starts_the_worker_beside_gunicorn_unless_told_not_to(settings, monkeypatch):
    from django.core.management import call_command

    from careledger.core.management.commands import serve

    settings.DEBUG = False
    execs = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: None)
    monkeypatch.setattr(serve.os, "execvp", lambda path, argv: execs.append(argv))
    monkeypatch.delenv("CARELEDGER_WORKER", raising=False)
    call_command("serve")
    assert execs[0][execs[0].index("--config") + 1] == "python:careledger.gunicorn_conf"
    assert "CARELEDGER_WORKER" not in serve.os.environ
    call_command("serve", "--no-worker")
    assert serve.os.environ.pop("CARELEDGER_WORKER") == "false"


def test_deliver_can_be_queued_for_the_worker(school):
    from django.core.management import call_command

    call_command("deliver", "--queue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    job = Job.objects.get(kind=JobKind.DELIVER)
    run_queued()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.report == {"sent": 0}
