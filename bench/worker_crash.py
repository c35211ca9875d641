"""A background job whose worker is killed (SIGKILL) mid-way runs again, and its effects happen once.

    .venv/bin/python bench/worker_crash.py [--rows 30000]

On a throw-away database (SQLite, or PostgreSQL when DATABASE_URL names a server): queue a roster import
of ``--rows`` rows as a job, start ``careledger worker``, kill it with SIGKILL once three chunks have
committed, let the next tick's recovery queue the job again, run a worker until the queue is empty, and
check: the job is done, every student is there once, one audit row, the same report as a direct import.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from common import ROOT, throwaway_django


def worker(*args: str) -> list[str]:
    return [sys.executable, "-c", f"from careledger.cli import main; main(['worker', *{list(args)!r}])"]


def run(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from careledger.accounts.models import Grant, User
    from careledger.audit.models import AuditEvent
    from careledger.jobs import services
    from careledger.jobs.models import Job
    from careledger.jobs.starters import roster_import_or_job
    from careledger.roster.models import Student
    from careledger.roster.tests.test_import import csv_bytes

    call_command("migrate", interactive=False, verbosity=0)
    admin = User.objects.create_user("bench_admin", password="bench-Password-1")
    Grant.objects.create(user=admin, role="school_admin")
    table = [
        [f"2023{i:08d}", f"学生{i}", "男" if i % 2 else "女", "外国语学院", "英语", "2023级", f"2023级英语{i % 40}班"]
        + [""] * 7
        for i in range(rows)
    ]
    job = roster_import_or_job(actor=admin, data=csv_bytes(table), filename="roster.csv")
    assert isinstance(job, Job), "the file must be large enough to be a job"
    connections.close_all()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(worker("--no-schedule"), env=env, stdout=subprocess.DEVNULL)
    while Job.objects.get(pk=job.pk).checkpoint.get("chunk", 0) < 3:
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed = Job.objects.get(pk=job.pk)
    print(
        f"killed after chunk {killed.checkpoint['chunk']}: status {killed.status}, {Student.objects.count():,} students"
    )
    again = services.jobs_recover(now=timezone.now() + timedelta(seconds=3600))
    print(f"recovery queued {again} job(s) again")
    subprocess.run(worker("--batch"), env=env, stdout=subprocess.DEVNULL, check=True)
    done = Job.objects.get(pk=job.pk)
    audits = AuditEvent.objects.filter(action="import", object_type="roster").count()
    print(
        f"status {done.status} after {done.attempts} attempts in {time.perf_counter() - started:.1f} s: "
        f"{Student.objects.count():,} students, report created {done.report['created']:,}, {audits} audit row(s)"
    )
    assert done.status == "done" and Student.objects.count() == rows == done.report["created"] and audits == 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=30_000)
    args = parser.parse_args()
    os.environ.setdefault("CARELEDGER_LOG_LEVEL", "ERROR")
    with throwaway_django():
        run(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
