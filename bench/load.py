"""Load test: 4 gunicorn workers on a throw-away database, driven by locust (headless, loopback only).

    .venv/bin/pip install -c constraints.txt -e '.[bench]'     # locust (make bench does it)
    .venv/bin/python bench/load.py [--users 25,50,100] [--seconds 60] [--students 10000] [--cases 2000]
                                   [--contacts 100000] [--workers 4] [--import-rows 60000] [--per-page]

Builds a school with bench/scale.py's builder (SQLite, or a new PostgreSQL database when DATABASE_URL names
a server), starts ``gunicorn`` on 127.0.0.1 with ``--workers`` workers (no background worker), then runs
locust for ``--seconds`` at each user count in turn: mentors recording contacts, counselors browsing, admins
on the dashboards (bench/load/locustfile.py). Prints throughput, p50/p95/p99 and failures per run (and
what failed), the load average before and after it, and the CPU the web workers and locust used over the run
(cores busy on average; with the throughput, the CPU a request costs). Locust resets its statistics once
every user is started (``--reset-stats``), so the ramp-up is left out; a sign-in that ends after that is
still counted (``--with-sign-in`` keeps the whole ramp-up in).

``--import-rows N``: during each run a roster import of N new students runs as a background job (queued the
way the upload endpoint queues it, run by ``careledger worker --batch`` beside gunicorn); the script prints
how long it took, its status, and how many "database is locked" errors the server and the worker logged.
"""

import argparse
import csv
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import ROOT, throwaway_django

PASSWORD = "bench-Password-1"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(args, workdir: Path) -> Path:
    from django.contrib.auth.hashers import MD5PasswordHasher
    from scale import build

    from careledger.accounts.models import User
    from careledger.cases.models import Case, Mentorship

    school = build(args)
    User.objects.update(
        password=MD5PasswordHasher().encode(PASSWORD, MD5PasswordHasher().salt())
    )  # one fast hash (bench/load/settings.py)
    mentors = {}
    for mentor_id, case_id in Mentorship.objects.values_list("mentor__username", "case_id"):
        mentors.setdefault(mentor_id, []).append(case_id)
    data = {
        "password": PASSWORD,
        "admin": school["admin"].username,
        "counselor": school["counselor"].username,
        "counselor_cases": list(
            Case.objects.filter(student__college_id=school["college"]).values_list("pk", flat=True)[:500]
        ),
        "mentors": [{"username": u, "cases": c[:50]} for u, c in sorted(mentors.items())],
    }
    path = workdir / "load.json"
    path.write_text(json.dumps(data))
    return path


def serve(port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": f"{ROOT / 'bench' / 'load'}:{ROOT}",
        "CARELEDGER_WORKER": "false",
    }
    argv = [str(BIN / "gunicorn"), "careledger.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", str(workers), "--timeout", "120", "--log-level", "warning"]
    with open(log, "ab") as out:  # the workers' errors, counted after each run ("database is locked")
        server = subprocess.Popen(argv, env=env, cwd=str(ROOT / "bench" / "load"), stderr=out)
    for _ in range(120):
        time.sleep(1)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
    raise SystemExit("gunicorn did not answer")


def run_locust(port: int, users: int, args, data: Path, workdir: Path) -> dict:
    prefix = workdir / f"locust_{users}"
    argv = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless"]
    argv += ["-u", str(users), "-r", str(max(1, users // 5)), "--run-time", f"{args.seconds}s"]
    argv += ["--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"]
    if not args.with_sign_in:
        argv.append("--reset-stats")  # statistics start once every user is started: the ramp-up is left out
    subprocess.run(argv, env={**os.environ, "BENCH_LOAD_DATA": str(data)}, check=False, capture_output=True)
    with open(f"{prefix}_stats.csv") as fh:
        rows = list(csv.DictReader(fh))
    with open(f"{prefix}_failures.csv") as fh:  # what failed, and how often
        for failure in csv.DictReader(fh):
            print(
                f"       failed: {failure['Occurrences']} × {failure['Method']} {failure['Name']}: {failure['Error']}"
            )
    return {r["Name"]: r for r in rows}


def queue_import(rows: int, run: int):
    """Queue a roster import of ``rows`` new students as a job, as the upload endpoint does past the threshold."""
    from careledger.accounts.models import User
    from careledger.jobs.models import Job
    from careledger.jobs.starters import roster_import_or_job
    from careledger.roster.tests.test_import import csv_bytes

    admin = User.objects.get(username="bench_admin")
    table = [
        [f"9{run}{i:09d}", f"导入{i}", "男" if i % 2 else "女", "外国语学院", "英语", "2025级", f"2025级英语{i % 40}班"]
        + [""] * 7
        for i in range(rows)
    ]
    job = roster_import_or_job(actor=admin, data=csv_bytes(table), filename=f"roster-{run}.csv")
    assert isinstance(job, Job), "the file must be large enough to be a job (CARELEDGER_JOBS_IMPORT_ROWS)"
    return job


def start_worker(log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-c", "from careledger.cli import main; main(['worker', '--batch', '--no-schedule'])"]
    with open(log, "ab") as out:
        return subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=out)


def import_report(job, worker: subprocess.Popen, started: float) -> str:
    from django.db import connections

    from careledger.jobs.models import Job

    try:
        worker.wait(timeout=600)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    ended = time.perf_counter()
    done = Job.objects.get(pk=job.pk)
    connections.close_all()
    created = (done.report or {}).get("created", 0)
    return f"import: {job.total:,} rows, status {done.status}, {created:,} created, worker exited after {ended - started:.0f} s"


def errors_in(path: Path, since: int) -> list[str]:
    """The exception lines the server logged after byte ``since`` (the last line of each traceback)."""
    if not path.exists():
        return []
    with open(path, "rb") as fh:
        fh.seek(since)
        lines = fh.read().decode(errors="replace").splitlines()
    return [ln for ln in lines if ln and not ln.startswith(" ") and "Error" in ln and ":" in ln][:10]


def count_in(path: Path, *needles: str) -> dict[str, int]:
    text = path.read_text(errors="replace") if path.exists() else ""
    return {n: text.count(n) for n in needles}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc; 0 where it cannot be read)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def web_workers(master: int) -> list[int]:
    """The gunicorn master and its worker processes."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return [master, *map(int, children)]


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="25", help="user counts to run in turn (default 25)")
    parser.add_argument("--seconds", type=int, default=60, help="each run's length (default 60)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-page", action="store_true", help="also print each request type's figures")
    parser.add_argument(
        "--import-rows", type=int, default=0, help="run a roster import of this many rows (a job) during each run"
    )
    parser.add_argument("--with-sign-in", action="store_true", help="count the sign-ins of the ramp-up too")
    args = parser.parse_args()
    os.environ["CARELEDGER_OTP_REQUIRED"] = "false"
    os.environ["CARELEDGER_RATE_CASE_READS_PER_HOUR"] = "1000000"
    os.environ["CARELEDGER_PASSWORD_MAX_AGE_DAYS"] = "0"
    with throwaway_django() as workdir:
        from django.db import connection, connections

        (workdir / "static").mkdir(exist_ok=True)
        data = prepare(args, workdir)
        vendor = connection.vendor
        connections.close_all()
        port = free_port()
        log = workdir / "server.log"
        server = serve(port, args.workers, log)
        locked = ("sqlite3.OperationalError: database is locked", "audit write failed")
        seen = dict.fromkeys(locked, 0)
        log_seen = 0
        try:
            print(
                f"database: {vendor}; gunicorn --workers {args.workers}; {args.seconds} s a run; {os.cpu_count()} CPUs"
            )
            print(
                f"{'users':>5}  {'req/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  {'requests':>8}  "
                "failures  load avg before → after"
            )
            for n, users in enumerate(int(u) for u in args.users.split(",")):
                before = load_average()
                if args.import_rows:
                    job = queue_import(args.import_rows, n)
                    connections.close_all()
                    worker_started = time.perf_counter()
                    worker = start_worker(log)
                pids = web_workers(server.pid)
                cpu0, wall0, locust0 = (
                    cpu_seconds(pids),
                    time.perf_counter(),
                    resource.getrusage(resource.RUSAGE_CHILDREN),
                )
                stats = run_locust(port, users, args, data, workdir)
                wall, locust1 = time.perf_counter() - wall0, resource.getrusage(resource.RUSAGE_CHILDREN)
                web_cores = (cpu_seconds(pids) - cpu0) / wall
                locust_cores = (locust1.ru_utime + locust1.ru_stime - locust0.ru_utime - locust0.ru_stime) / wall
                total = stats["Aggregated"]
                print(
                    f"{users:>5}  {float(total['Requests/s']):>7.1f}  {total['50%']:>7}  {total['95%']:>7}  "
                    f"{total['99%']:>7}  {total['Request Count']:>8}  {total['Failure Count']:>8}  "
                    f"{before} → {load_average()}",
                    flush=True,
                )
                rate = float(total["Requests/s"])
                print(
                    f"       CPU over the run: web workers {web_cores:.2f} cores"
                    f"{f' (≈ {web_cores / rate * 1000:.0f} ms a request)' if rate else ''}, locust {locust_cores:.2f} cores"
                )
                if args.import_rows:
                    print(f"       {import_report(job, worker, worker_started)}", flush=True)
                counts = count_in(log, *locked)
                print(f"       server and worker log: {', '.join(f'{v - seen[k]} × {k!r}' for k, v in counts.items())}")
                seen = counts
                for line in errors_in(log, since=log_seen):
                    print(f"       server error: {line}")
                log_seen = log.stat().st_size if log.exists() else 0
                if args.per_page:
                    for name, row in sorted(stats.items()):
                        if name != "Aggregated":
                            print(
                                f"       {name:<16} p50 {row['50%']:>6}  p95 {row['95%']:>6}  n {row['Request Count']}"
                            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
