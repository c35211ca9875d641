"""Jobs: start one, run it, report its progress, finish it once, and run again a job whose worker died.

Each job's work is a handler (``jobs/handlers.py``) given the job and a ``progress(done, total)``
callback. A handler does its heavy work outside any write transaction and finishes with
``job_finish`` inside the one transaction that also writes its effects (the export's audit row, the
import's last chunk), so a job run again after a crash has its effects once.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from careledger.accounts.models import User
from careledger.audit.services import Action, record
from careledger.core import clock, crypto
from careledger.jobs.models import Job, JobKind, JobStatus

log = logging.getLogger(__name__)

# Progress is written at most this often (each write is one short UPDATE).
PROGRESS_EVERY_SECONDS = 1.0
SCHEDULE_KINDS = frozenset({JobKind.TICK, JobKind.REMIND})


class JobKilled(BaseException):
    """Not an error the job could catch: the process stops here, as under SIGKILL."""


# The task that runs a job (jobs/tasks.py) and the handler of each kind (jobs/handlers.py) import this module;
# the app connects them when it is ready (jobs/apps.py), so that this module imports neither (no cycle).
_run_job = None
HANDLERS: dict[str, Callable] = {}


def connect(*, run_job, handlers: dict[str, Callable]) -> None:
    global _run_job
    _run_job = run_job
    HANDLERS.update(handlers)


def _enqueue(job: Job) -> None:
    """Queue the job's task. The database backend's queue is a table: the task row commits with the job
    (one transaction). RQ is outside the database: it is told once the job's row has committed."""
    run_job = _run_job
    if run_job is None:
        raise RuntimeError("careledger.jobs is not ready: no task runs jobs")
    if settings.CARELEDGER_TASKS_BACKEND == "rq":
        transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    else:
        run_job.enqueue(str(job.pk))


@transaction.atomic
def job_start(*, actor: User | None, kind: str, params: dict | None = None, total: int = 0) -> Job:
    """Record the job and queue it in the same transaction (the database backend's queue is a table)."""
    job = Job.objects.create(kind=kind, owner=actor, params=params or {}, total=total)
    if actor is not None:
        record(actor=actor, action=Action.CREATE, object_type="job", object_id=job.pk, detail={"kind": kind})
    _enqueue(job)
    return job


def job_progress(job: Job, done: int, total: int | None = None, *, force: bool = False) -> None:
    """Show progress and renew the job's lease; a short UPDATE of its own, throttled."""
    now = timezone.now()
    last = getattr(job, "_progress_at", None)
    if not force and last is not None and (now - last).total_seconds() < PROGRESS_EVERY_SECONDS:
        return
    job._progress_at = now
    job.done = done
    fields = {"done": done, "heartbeat_at": now}
    if total is not None:
        job.total = fields["total"] = total
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)


def _claim(job_id) -> Job | None:
    """Mark the job running (one attempt more); None when it is finished already or unknown."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return None
        now = timezone.now()
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
        return job


def job_run(*, job_id) -> str:
    """Run one job (the task's body). A finished job is not run again: its effects happened once."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    try:
        HANDLERS[job.kind](job, lambda done, total=None: job_progress(job, done, total))
    except Exception as exc:  # the job fails; the worker goes on with the next one
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job_fail(job=job, error=str(exc) or type(exc).__name__)
        return "failed"
    return "done"


def job_finish(
    *, job: Job, report: dict | None = None, data: bytes | None = None, name: str = "", content_type: str = ""
) -> None:
    """Inside the handler's last transaction: store the result (a file is kept encrypted) and mark it done."""
    now = timezone.now()
    if data is not None:
        path = result_dir() / f"{job.pk}.bin"
        tmp = path.with_suffix(".part")
        tmp.write_bytes(crypto.encrypt(data))
        tmp.replace(path)
        job.result_path, job.result_name, job.content_type = path.name, name, content_type
    job.report = report or {}
    job.status = JobStatus.DONE
    job.finished_at = job.heartbeat_at = now
    job.done = max(job.done, job.total)
    job.save(
        update_fields=[
            "result_path",
            "result_name",
            "content_type",
            "report",
            "status",
            "finished_at",
            "heartbeat_at",
            "done",
        ]
    )


def job_fail(*, job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now(), heartbeat_at=timezone.now()
    )
    job.status = JobStatus.FAILED


def job_checkpoint(*, job: Job, checkpoint: dict, done: int | None = None) -> None:
    """Inside a step's transaction: what the job has done so far, so a rerun goes on from there."""
    job.checkpoint = checkpoint
    fields = {"checkpoint": checkpoint, "heartbeat_at": timezone.now()}
    if done is not None:
        job.done = fields["done"] = done
    Job.objects.filter(pk=job.pk).update(**fields)


def result_dir() -> Path:
    path = Path(settings.JOBS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_result_read(*, actor: User, job: Job) -> bytes:
    """The result file, decrypted; the download is audited."""
    data = crypto.decrypt((result_dir() / job.result_path).read_bytes())
    record(actor=actor, action=Action.READ, object_type="job", object_id=job.pk, detail={"file": job.result_name})
    return data


# --- a dead worker's job, the schedule, clean-up ---


def jobs_recover(*, now: datetime | None = None) -> int:
    """Jobs whose worker stopped renewing the lease run again (or fail after JOBS_MAX_ATTEMPTS)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    again = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stale):
        with transaction.atomic():
            claimed = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__lt=stale)
            if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
                claimed.update(status=JobStatus.FAILED, error="worker stopped", finished_at=now)
                continue
            if claimed.update(status=JobStatus.QUEUED, heartbeat_at=now):
                _enqueue(job)
                again += 1
    return again


def _schedule_slots(now: datetime) -> list[tuple[str, str]]:
    local = clock.local_time(now)
    slots = [(JobKind.TICK, f"tick:{local:%Y-%m-%dT%H:%M}")]
    if local.hour >= settings.JOBS_REMIND_HOUR:
        slots.append((JobKind.REMIND, f"remind:{local:%Y-%m-%d}"))
    return slots


def schedule_due(*, now: datetime | None = None) -> int:
    """Queue this minute's ``tick`` and today's ``remind`` unless queued already (by any worker)."""
    now = now or timezone.now()
    queued = 0
    for kind, slot in _schedule_slots(now):
        if Job.objects.filter(slot=slot).exists():
            continue
        with transaction.atomic():
            job, created = Job.objects.get_or_create(slot=slot, defaults={"kind": kind})
            if created:
                _enqueue(job)
                queued += 1
    return queued


def jobs_prune(*, now: datetime | None = None) -> int:
    """Forget the schedule's finished jobs after a day and users' jobs (and their files) after JOBS_KEEP_DAYS."""
    now = now or timezone.now()
    finished = Q(status__in=[JobStatus.DONE, JobStatus.FAILED])
    old = Job.objects.filter(finished & Q(kind__in=SCHEDULE_KINDS, finished_at__lt=now - timedelta(days=1))) | (
        Job.objects.filter(finished & Q(finished_at__lt=now - timedelta(days=settings.JOBS_KEEP_DAYS)))
    )
    gone = 0
    for job in old:
        if job.result_path:
            (result_dir() / job.result_path).unlink(missing_ok=True)
        (result_dir() / f"{job.pk}.upload").unlink(missing_ok=True)
        job.delete()
        gone += 1
    return gone


Progress = Callable[..., None]
