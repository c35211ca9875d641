"""What each kind of job does. A handler is ``handler(job, progress)``; it does its heavy work outside
any write transaction and ends with ``services.job_finish`` in the transaction that writes its effects.

Screening imports (engineer "evidence"): register the handler with ``@register(JobKind.SCREENING_IMPORT)``
in the screening module and start the job with ``job_start(actor=…, kind=JobKind.SCREENING_IMPORT,
params={"upload": stage_upload(job_id…)})`` — see ``roster_import`` below for an import's whole shape
(the upload staged encrypted with ``stage_upload``, the report returned as the job's result).
"""

import io
import zipfile
from collections.abc import Callable

from django.db import transaction

from careledger.core import crypto
from careledger.jobs.models import Job, JobKind
from careledger.jobs.services import Progress, job_finish, result_dir

HANDLERS: dict[str, Callable[[Job, Progress], None]] = {}


def register(kind: str):
    def wrap(fn):
        HANDLERS[kind] = fn
        return fn

    return wrap


def stage_upload(job_id, data: bytes) -> str:
    """Keep an uploaded file for its job (encrypted, outside the web root); the name goes in params."""
    name = f"{job_id}.upload"
    (result_dir() / name).write_bytes(crypto.encrypt(data))
    return name


def read_upload(name: str) -> bytes:
    return crypto.decrypt((result_dir() / name).read_bytes())


def drop_upload(name: str) -> None:
    (result_dir() / name).unlink(missing_ok=True)


@register(JobKind.CASE_FILES)
def case_files(job: Job, progress: Progress) -> None:
    """附件2 zip of a college's open cases that the owner may read (as exports.export_college_case_files).

    Built here file by file so that the page can show progress; the audit row is written with the
    job's end. (Engineer "docs" is rewriting the .docx internals and keeps a function that builds the zip
    from a list of cases into a file with a progress callback: call it here once merged.)"""
    from careledger.accounts import policy
    from careledger.cases.models import CaseStatus
    from careledger.exports import case_docx
    from careledger.exports import services as exports
    from careledger.exports.safe import watermark_for
    from careledger.roster.models import College

    actor = job.owner
    college = College.objects.get(pk=job.params["college"])
    cases = [
        case
        for case in policy.cases_for(actor)
        .filter(student__college=college, status=CaseStatus.OPEN)
        .select_related("student__school_class")
        .prefetch_related("categories")
        .order_by("student__student_no")
        if policy.can_read_case_text(actor, case)
    ]
    watermark = watermark_for(actor)
    buf = io.BytesIO()
    progress(0, len(cases))
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, case in enumerate(cases):
            name = f"{case.student.student_no}_{case.student.name}_档案表.docx"
            archive.writestr(name, case_docx.build(exports._case_file_data(case), watermark))
            progress(n + 1)
    export = exports.ExportFile(
        filename=f"{college.name}_特殊群体学生档案表.zip",
        content_type="application/zip",
        data=buf.getvalue(),
        export_id=watermark.export_id,
    )
    with transaction.atomic():
        exports._audited(actor, export, object_type="college", object_id=college.pk, cases=len(cases))
        job_finish(
            job=job,
            data=export.data,
            name=export.filename,
            content_type=export.content_type,
            report={"cases": len(cases), "export_id": export.export_id},
        )


@register(JobKind.SCHOOL_LEDGER)
def school_ledger(job: Job, progress: Progress) -> None:
    from careledger.core.models import Semester
    from careledger.exports import services as exports

    semester = Semester.objects.get(pk=job.params["semester"])
    export, detail = exports.school_ledger_file(actor=job.owner, semester=semester, progress=progress)
    with transaction.atomic():
        exports._audited(job.owner, export, object_type="semester", object_id=semester.pk, **detail)
        job_finish(
            job=job,
            data=export.data,
            name=export.filename,
            content_type=export.content_type,
            report={"rows": detail["rows"], "export_id": export.export_id},
        )


@register(JobKind.ROSTER_IMPORT)
def roster_import(job: Job, progress: Progress) -> None:
    from careledger.roster import importers
    from careledger.roster.import_job import roster_import_in_steps

    data = read_upload(job.params["upload"])
    filename = job.params["filename"]
    if job.params.get("dry_run"):  # reads only: the importer as it is
        report = importers.roster_import(actor=job.owner, data=data, filename=filename, dry_run=True)
        with transaction.atomic():
            job_finish(job=job, report=report.as_dict())
    else:
        roster_import_in_steps(actor=job.owner, data=data, filename=filename, job=job, progress=progress)
    drop_upload(job.params["upload"])


@register(JobKind.DELIVER)
def deliver(job: Job, progress: Progress) -> None:
    from careledger.notify.services import deliver_due

    sent = deliver_due(limit=job.params.get("limit", 200))
    job_finish(job=job, report={"sent": sent})


@register(JobKind.TICK)
def tick(job: Job, progress: Progress) -> None:
    """``careledger tick`` on the worker's schedule, plus the jobs' own upkeep (each step idempotent)."""
    from careledger.core import clock
    from careledger.escalations.services import raise_overdue
    from careledger.jobs.services import jobs_prune, jobs_recover
    from careledger.notify.services import deliver_due

    now = clock.now()
    raised = raise_overdue(now=now)
    sent = deliver_due(now=now)
    again = jobs_recover()
    pruned = jobs_prune()
    job_finish(job=job, report={"raised": raised, "sent": sent, "recovered": again, "pruned": pruned})


@register(JobKind.REMIND)
def remind(job: Job, progress: Progress) -> None:
    from careledger.notify.reminders import remind_digests, remind_ledgers

    job_finish(job=job, report={"digests": remind_digests(), "ledgers": remind_ledgers()})
