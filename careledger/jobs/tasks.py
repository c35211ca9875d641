"""The tasks the queue runs (Django's tasks framework, django-tasks backport). There is one: a job's
row says what to do, so that progress, ownership and recovery live in one place (jobs/services.py)."""

from django_tasks import task


@task()
def run_job(job_id: str) -> str:
    from careledger.jobs.services import job_run

    return job_run(job_id=job_id)
