"""What each kind of job does. A handler is ``handler(job, progress)``; it does its heavy work outside
any write transaction and ends with ``services.job_finish`` in the transaction that writes its effects.

Screening imports (engineer "evidence"): register the handler with ``@register(JobKind.SCREENING_IMPORT)``
in the screening module and start the job with ``job_start(actor=…, kind=JobKind.SCREENING_IMPORT,
params={"upload": stage_upload(job_id…)})`` — see ``roster_import`` below for an import's whole shape
(the upload staged encrypted with ``stage_upload``, the report returned as the job's result).
"""

import io
from collections.abc import Callable

from django.db import transaction

from careledger.core import crypto
from careledger.exports.safe import safe_name, watermark_for
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
    """附件2 zip of a ledger's case files the owner may read now (exports.export_ledger_case_files), built by
    exports.write_case_files_zip with its progress; the audit row is written with the job's end."""
    from careledger.exports import services as exports
    from careledger.ledgers.models import Ledger

    actor = job.owner
    ledger = Ledger.objects.select_related("college", "semester").get(pk=job.params["ledger"])
    files = exports.ledger_case_files(actor=actor, ledger=ledger)
    watermark = watermark_for(actor)
    buf = io.BytesIO()
    count = exports.write_case_files_zip(files.readable, buf, watermark, progress=lambda done, total: progress(done))
    export = exports.ExportFile(
        filename=f"{safe_name(ledger.semester.name)}_{safe_name(ledger.college.name)}_特殊群体学生档案表.zip",
        content_type="application/zip",
        data=buf.getvalue(),
        export_id=watermark.export_id,
    )
    with transaction.atomic():
        exports._audited(
            actor, export, object_type="college", object_id=ledger.college_id, ledger=ledger.pk, cases=count
        )
        job_finish(
            job=job,
            data=export.data,
            name=export.filename,
            content_type=export.content_type,
            report={"cases": count, "export_id": export.export_id},
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
    from careledger.jobs.roster_import_job import roster_import_in_steps
    from careledger.roster import importers

    data = read_upload(job.params["upload"])
    filename = job.params["filename"]
    mode = job.params.get("mode", importers.UPSERT)
    if job.params.get("dry_run"):  # reads only: the importer as it is
        report = importers.roster_import(actor=job.owner, data=data, filename=filename, dry_run=True, mode=mode)
        with transaction.atomic():
            job_finish(job=job, report=report.as_dict())
    else:
        roster_import_in_steps(actor=job.owner, data=data, filename=filename, job=job, progress=progress, mode=mode)
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
