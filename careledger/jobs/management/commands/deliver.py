"""``careledger deliver [--queue]``: send the notifications that are due, once. ``careledger tick`` (and the
background worker's schedule) does the same every minute; this command is for a manual push or a separate
timer. ``--queue`` hands the push to the background worker as a job instead. It lives in the jobs app,
above notify, because it may start a job."""

from django.core.management.base import BaseCommand

from careledger.jobs.models import JobKind
from careledger.jobs.services import job_start
from careledger.notify.services import deliver_due


class Command(BaseCommand):
    help = "发送到期的通知（一次）。 / Send the notifications that are due, once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=200, help="本次最多尝试的条数 / at most this many attempts in this run"
        )
        parser.add_argument(
            "--queue", action="store_true", help="交给后台任务进程 / queue it for the background worker"
        )

    def handle(self, *args, limit: int, queue: bool = False, **options):
        if queue:
            job = job_start(actor=None, kind=JobKind.DELIVER, params={"limit": limit})
            self.stdout.write(f"已排队：任务 {job.pk} / queued as job {job.pk}")
            return
        sent = deliver_due(limit=limit)
        if options["verbosity"] >= 1:
            self.stdout.write(f"已发送 {sent} 条通知。 / {sent} notification(s) sent.")
