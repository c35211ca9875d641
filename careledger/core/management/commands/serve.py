"""``careledger serve [--host] [--port] [--workers] [--no-worker]``: migrate, collect static files, then
run gunicorn, with the background worker (``careledger worker``: jobs and the schedule) beside it.

The process becomes gunicorn (exec), so a service manager's signals reach it directly. It refuses to
start with DEBUG on: the debug pages would show settings and data to anyone who can reach the port; and
without CARELEDGER_SECRET_KEY and CARELEDGER_ENCRYPTION_KEYS (only `make run` makes development keys).
"""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _cpus() -> int:
    """The cores this process may run on (a container's or a taskset's limit), else the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def default_workers(cpus: int | None = None) -> int:
    """Two sync workers a core, at least 2 and at most 8 (4 on the 2-core school server of issue 13).

    A request is mostly Python on the CPU (12–70 ms each under the load bench) with short waits for the
    database: two workers a core keep every core busy while one of them waits, and the rest queue in the
    listen backlog instead of fighting over the cores. Each worker holds its own copy of the application
    (about 120 MB) and, on PostgreSQL, one connection.
    """
    return max(2, min(8, 2 * (cpus or _cpus())))


DEFAULT_WORKERS = default_workers()
TIMEOUT_SECONDS = 120  # long work (large imports and exports) runs as a job in the background worker


# The keys serve will not start without: environment variable → setting.
KEYS = [
    ("CARELEDGER_SECRET_KEY", "SECRET_KEY"),
    ("CARELEDGER_ENCRYPTION_KEYS", "ENCRYPTION_KEYS"),
    ("CARELEDGER_AUDIT_KEYS", "AUDIT_CHAIN_KEYS"),
]


def _declared(setting: str):
    try:
        return getattr(settings, setting)
    except ImproperlyConfigured:  # Django refuses to read an empty SECRET_KEY
        return None


def missing_keys_message(missing: list[str]) -> str:
    return (
        f"缺少 {'、'.join(missing)}，serve 拒绝启动。 / {' and '.join(missing)} not set; serve refuses to start.\n"
        "Make them once and keep them safe (never in the repository or the database's backups):\n"
        "  CARELEDGER_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')\n"
        "  CARELEDGER_ENCRYPTION_KEYS=$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')\n"
        "  CARELEDGER_AUDIT_KEYS=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')\n"
        "(An install that ran before without CARELEDGER_AUDIT_KEYS keeps its audit key in var/audit_key: "
        "CARELEDGER_AUDIT_KEYS=$(cat var/audit_key) keeps the chain verifiable.)\n"
        "Development only: `make run` keeps development keys in var/ (CARELEDGER_DEV_KEYS=true)."
    )


def gunicorn_path() -> Path:
    """The gunicorn installed next to this Python (the same virtualenv)."""
    return Path(sys.executable).parent / "gunicorn"


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class Command(BaseCommand):
    help = "迁移数据库、收集静态文件并用 gunicorn 启动服务。 / Migrate, collect static files and serve with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 / address to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="端口 / port (default 8000)")
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=f"工作进程数 / worker processes (default {DEFAULT_WORKERS})",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="不启动后台任务进程 / do not start the background worker (it runs on another machine)",
        )

    def handle(self, *args, host: str, port: int, workers: int, no_worker: bool = False, **options):
        if settings.DEBUG:
            raise CommandError(
                "CARELEDGER_DEBUG 已开启，serve 拒绝启动：调试页面会泄露配置和数据。请关闭 CARELEDGER_DEBUG。\n"
                "CARELEDGER_DEBUG is on; serve refuses to start because debug pages leak settings and data. "
                "Unset CARELEDGER_DEBUG (use `careledger runserver` for development)."
            )
        missing = [name for name, setting in KEYS if not _declared(setting)]
        if missing:
            raise CommandError(missing_keys_message(missing))
        if not 0 < port < 65536:
            raise CommandError(f"端口无效 / Invalid port: {port}")
        if workers < 1:
            raise CommandError(f"工作进程数至少为 1 / --workers must be at least 1, not {workers}")
        gunicorn = gunicorn_path()
        if not gunicorn.exists():
            raise CommandError(f"找不到 gunicorn / gunicorn not found at {gunicorn}; run `make install`.")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            str(gunicorn),
            "careledger.wsgi:application",
            "--bind",
            bind_address(host, port),
            "--workers",
            str(workers),
            "--timeout",
            str(TIMEOUT_SECONDS),
            "--access-logfile",
            "-",
            # Starts `careledger worker` beside the web workers (careledger/gunicorn_conf.py).
            "--config",
            "python:careledger.gunicorn_conf",
        ]
        shown = host if host not in ("0.0.0.0", "::") else "127.0.0.1"  # noqa: S104  # nosec B104  # compared, not bound: only for the message
        self.stdout.write(f"CareLedger: http://{bind_address(shown, port)}/  (Ctrl-C 停止 / to stop)")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careledger.settings")
        if no_worker:
            os.environ["CARELEDGER_WORKER"] = "false"
        os.execvp(argv[0], argv)  # noqa: S606 - replaces this process with gunicorn from our own virtualenv
