"""``careledger worker``: run the background jobs (api.md "Long work") and the schedule.

The queue is Django's tasks framework. With the database backend (the default) this runs
django-tasks-db's worker; with ``CARELEDGER_TASKS_BACKEND=rq`` it runs django-rq's ``rqworker`` on the
same tasks. Beside it a thread queues the schedule — ``tick`` every minute, ``remind`` once a day — as
jobs whose slot is unique, so any number of workers on any number of machines queue each once; and a
job whose worker died is run again by the next ``tick`` (jobs.services.jobs_recover).
``careledger serve`` starts one worker beside gunicorn; start more on other machines when needed.
"""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

SCHEDULE_EVERY_SECONDS = 15
log = logging.getLogger(__name__)


def _schedule_loop(stop: threading.Event) -> None:
    from careledger.jobs.services import jobs_recover, schedule_due

    first = True
    while first or not stop.wait(SCHEDULE_EVERY_SECONDS):
        try:
            close_old_connections()
            if first:
                jobs_recover()
            schedule_due()
        except Exception:  # the schedule must outlive a passing database error
            log.exception("schedule")
        first = False
    connection.close()


class Command(BaseCommand):
    help = "运行后台任务与定时任务。 / Run background jobs and the schedule (tick, remind)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-schedule", action="store_true", help="不排定时任务 / do not queue the schedule (tick, remind)"
        )
        parser.add_argument("--batch", action="store_true", help="处理完队列即退出 / run what is queued, then exit")

    def handle(self, *args, no_schedule: bool, batch: bool, **options):
        stop = threading.Event()
        if not no_schedule and not batch:
            threading.Thread(target=_schedule_loop, args=(stop,), daemon=True, name="schedule").start()
        try:
            if settings.CARELEDGER_TASKS_BACKEND == "rq":
                call_command("rqworker", "default", *(["--burst"] if batch else []))
            else:
                call_command(
                    "db_worker",
                    queue_name="default",
                    interval=1,
                    batch=batch,
                    reload=False,
                    verbosity=options["verbosity"],
                )
        finally:
            stop.set()
