"""gunicorn settings used by ``careledger serve``: the background worker runs beside the web workers.

The master starts ``careledger worker`` (jobs and the tick/remind schedule; careledger/jobs/) when it
starts, starts it again if it exits, and stops it when gunicorn stops. ``careledger serve --no-worker``
(or CARELEDGER_WORKER=false) leaves it out, for a machine whose workers run elsewhere.
"""

import os
import subprocess
import sys
import threading
import time

_state: dict = {"process": None, "stopping": False}


def _worker_argv() -> list[str]:
    return [sys.executable, "-c", "from careledger.cli import main; main(['worker'])"]


def _keep_running() -> None:
    while not _state["stopping"]:
        process = subprocess.Popen(_worker_argv())  # noqa: S603 - our own interpreter and module
        _state["process"] = process
        process.wait()
        if not _state["stopping"]:
            time.sleep(2)  # a crash loop must not spin


def on_starting(server) -> None:
    if os.environ.get("CARELEDGER_WORKER", "true").lower() in ("0", "false", "no", "off"):
        return
    threading.Thread(target=_keep_running, daemon=True, name="careledger-worker").start()


def on_exit(server) -> None:
    _state["stopping"] = True
    process = _state["process"]
    if process is not None and process.poll() is None:
        process.terminate()  # the worker finishes its current job's step; an unfinished job runs again
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
