"""Background jobs (api.md "Long work"; careledger/jobs/) and the shared cache. Part of careledger/settings.py."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from careledger.conf.paths import VAR_DIR
from careledger.core.env import env_int, env_str

# Background jobs (api.md "Long work"; careledger/jobs/) run on Django's tasks framework (the django-tasks
# backport): "database" (the default) keeps the queue in the database and `careledger worker` (started beside
# gunicorn by `careledger serve`) runs it; "rq" puts the same tasks on Redis (RQ, CARELEDGER_TASKS_REDIS_URL)
# for workers on several machines (`careledger worker` runs `rqworker`); "immediate" runs each job inside the
# request (tests and one-off scripts); settings.py adds django_rq to the apps for "rq".
CARELEDGER_TASKS_BACKEND = env_str("CARELEDGER_TASKS_BACKEND", "database")
if CARELEDGER_TASKS_BACKEND not in ("database", "rq", "immediate"):
    raise ImproperlyConfigured(
        f"CARELEDGER_TASKS_BACKEND must be database, rq or immediate, not {CARELEDGER_TASKS_BACKEND!r}"
    )

# --- the shared cache (SEC-40, SEC-52) ---

# A shared cache holds the rate-limit counters, one store for every worker process (SEC-52): Redis when
# CARELEDGER_REDIS_URL is set (e.g. redis://127.0.0.1:6379/0), otherwise the database
# (table careledger_cache, made by core's migration 0003).
CARELEDGER_REDIS_URL = env_str("CARELEDGER_REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CARELEDGER_REDIS_URL}
        if CARELEDGER_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "careledger_cache"}
    )
}

# --- the queue and the jobs ---

RQ_QUEUES = {
    "default": {
        "URL": env_str("CARELEDGER_TASKS_REDIS_URL") or CARELEDGER_REDIS_URL or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": 3600,
    }
}
TASKS = {
    "default": {
        "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
        "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }[CARELEDGER_TASKS_BACKEND]
}
# A running job whose worker has said nothing for this long is taken to be dead and runs again.
JOBS_STALE_SECONDS = env_int("CARELEDGER_JOBS_STALE_SECONDS", 120)
JOBS_MAX_ATTEMPTS = env_int("CARELEDGER_JOBS_MAX_ATTEMPTS", 3)
# Result files of jobs (zips, workbooks) live outside every web root and are removed after this many days.
JOBS_DIR = Path(env_str("CARELEDGER_JOBS_DIR", str(VAR_DIR / "jobs")))
JOBS_KEEP_DAYS = env_int("CARELEDGER_JOBS_KEEP_DAYS", 7)
# Imports of more rows than this run as a job (the endpoint answers 202 {"job": id}).
JOBS_IMPORT_ROWS = env_int("CARELEDGER_JOBS_IMPORT_ROWS", 5000)
# The worker's schedule (local time): `tick` every minute, `remind` once a day at this hour.
JOBS_REMIND_HOUR = env_int("CARELEDGER_JOBS_REMIND_HOUR", 7)
# Exports done at once up to these sizes, as a job beyond: the 附件2 zip (open cases of the college) and
# the school-wide book (open cases of the school).
JOBS_INLINE_CASE_FILES = env_int("CARELEDGER_JOBS_INLINE_CASE_FILES", 20)
JOBS_INLINE_LEDGER_CASES = env_int("CARELEDGER_JOBS_INLINE_LEDGER_CASES", 1000)
