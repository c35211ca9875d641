"""Load test: 4 gunicorn workers on a throw-away database, driven by locust (headless, loopback only).

    .venv/bin/pip install -c constraints.txt -e '.[bench]'     # locust (make bench does it)
    .venv/bin/python bench/load.py [--users 25,50,100] [--seconds 60] [--students 10000] [--cases 2000]
                                   [--contacts 100000] [--workers 4]

Builds a school with bench/scale.py's builder (SQLite, or a new PostgreSQL database when DATABASE_URL names
a server), starts ``gunicorn`` on 127.0.0.1 with ``--workers`` workers (no background worker), then runs
locust for ``--seconds`` at each user count in turn: mentors recording contacts, counselors browsing, admins
on the dashboards (bench/load/locustfile.py). Prints throughput, p50/p95/p99 and failures per run.
"""

import argparse
import csv
import json
import os
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


def serve(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": f"{ROOT / 'bench' / 'load'}:{ROOT}",
        "CARELEDGER_WORKER": "false",
    }
    argv = [str(BIN / "gunicorn"), "careledger.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", str(workers), "--timeout", "120", "--log-level", "warning"]
    server = subprocess.Popen(argv, env=env, cwd=str(ROOT / "bench" / "load"))
    for _ in range(120):
        time.sleep(1)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
    raise SystemExit("gunicorn did not answer")


def run_locust(port: int, users: int, seconds: int, data: Path, workdir: Path) -> dict:
    prefix = workdir / f"locust_{users}"
    argv = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless"]
    argv += ["-u", str(users), "-r", str(max(1, users // 5)), "--run-time", f"{seconds}s"]
    argv += ["--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"]
    subprocess.run(argv, env={**os.environ, "BENCH_LOAD_DATA": str(data)}, check=False, capture_output=True)
    with open(f"{prefix}_stats.csv") as fh:
        rows = list(csv.DictReader(fh))
    return {r["Name"]: r for r in rows}


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
        server = serve(port, args.workers)
        try:
            print(f"database: {vendor}; gunicorn --workers {args.workers}; {args.seconds} s a run")
            print(f"{'users':>5}  {'req/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  {'requests':>8}  failures")
            for users in [int(u) for u in args.users.split(",")]:
                stats = run_locust(port, users, args.seconds, data, workdir)
                total = stats["Aggregated"]
                print(
                    f"{users:>5}  {float(total['Requests/s']):>7.1f}  {total['50%']:>7}  {total['95%']:>7}  "
                    f"{total['99%']:>7}  {total['Request Count']:>8}  {total['Failure Count']}",
                    flush=True,
                )
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
