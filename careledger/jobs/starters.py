"""Where an endpoint decides between doing the work now and starting a job (api.md "Long work").

Small work is answered at once, as before; work past a threshold becomes a job and the endpoint answers
202 {"job": id} (a page shows the job's progress bar instead)."""

import uuid

from django.conf import settings

from careledger.accounts.models import User
from careledger.cases.models import CaseStatus
from careledger.core.models import Semester
from careledger.core.tabular import TableError, read_table
from careledger.jobs.handlers import stage_upload
from careledger.jobs.models import Job, JobKind
from careledger.jobs.services import job_start
from careledger.roster import importers
from careledger.roster.models import College


def roster_import_or_job(
    *, actor: User, data: bytes, filename: str, dry_run: bool = False, mode: str = importers.UPSERT
):
    """The roster import's report, or a Job when the file has more than JOBS_IMPORT_ROWS rows."""
    try:
        rows = len(read_table(data, filename).rows)
    except TableError:
        rows = 0  # the importer reports it at once
    if rows <= settings.JOBS_IMPORT_ROWS:
        return importers.roster_import(actor=actor, data=data, filename=filename, dry_run=dry_run, mode=mode)
    upload = stage_upload(uuid.uuid4(), data)
    return job_start(
        actor=actor,
        kind=JobKind.ROSTER_IMPORT,
        params={"upload": upload, "filename": filename[-200:], "dry_run": dry_run, "mode": mode},
        total=rows,
    )


def case_files_job(*, actor: User, ledger) -> Job | None:
    """A job for the ledger's 附件2 zip when the reader may have more than JOBS_INLINE_CASE_FILES files now."""
    from careledger.exports import services as exports

    count = len(exports.ledger_case_files(actor=actor, ledger=ledger).readable)
    if count <= settings.JOBS_INLINE_CASE_FILES:
        return None
    return job_start(actor=actor, kind=JobKind.CASE_FILES, params={"ledger": ledger.pk}, total=count)


def school_ledger_job(*, actor: User, semester: Semester) -> Job | None:
    """A job for the school-wide book when the school has more than JOBS_INLINE_LEDGER_CASES open cases."""
    from careledger.cases.models import Case

    if Case.objects.filter(status=CaseStatus.OPEN).count() <= settings.JOBS_INLINE_LEDGER_CASES:
        return None
    return job_start(
        actor=actor, kind=JobKind.SCHOOL_LEDGER, params={"semester": semester.pk}, total=College.objects.count() + 1
    )
