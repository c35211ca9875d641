"""A year of data: each page's time and queries next to the bare SQL of its main query.

    .venv/bin/python bench/scale.py [--contacts 1000000] [--students 40000] [--cases 6000]
                                    [--requests 10] [--json FILE]

Builds the school of issue 13 on a throw-away database (SQLite, or a new PostgreSQL database when
DATABASE_URL names a server): 40,000 students in 20 colleges, 6,000 open cases (2,000 of them in one
college, all in one counselor's scope), 200 mentors, 1,000,000 contacts of the current semester (one case
with 200 of them) each with its case-timeline event, a risk change on every tenth case, the maintained
compliance table rebuilt from them, and that college's draft ledger. Rows go in by executemany / COPY with each distinct
value prepared (and encrypted) once, so the build takes about a minute per million contacts.

Then each page is requested in-process (django.test.Client, server time only): one warm-up, then
``--requests`` timed requests; p50/p95 (nearest rank), the query count of one request, and the best of 5
runs of the page's main query as bare SQL. ``--json FILE`` also writes
``{"contacts": N, "pages": {"<page>": {"p50_ms", "p95_ms", "queries", "bare_ms"}}}``.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dtime

from common import bench_semester, throwaway_django, timed

COLLEGES = 20
GRADES = ["2023", "2024", "2025", "2026"]
CLASSES_PER_GRADE = 10
KINDS = ["talk", "talk", "dorm_visit", "dorm_visit", "parent", "other"]


def fast_insert(model, rows: list[dict]) -> None:
    """INSERT rows given as {attname: value}; absent fields take their defaults. Each distinct value of a
    field is prepared once (an encrypted field's value is encrypted once): PostgreSQL COPY, SQLite
    executemany."""
    from django.db import connection
    from django.utils import timezone

    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    spec = []
    for f in fields:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        spec.append((f, f.attname, now if auto else f.get_default(), {}))

    def prep(field, cache, value):
        if value is None:
            return None
        try:
            return cache[value]
        except KeyError:
            cache[value] = out = field.get_db_prep_save(value, connection)
            return out
        except TypeError:  # unhashable (a list for a JSON field)
            return field.get_db_prep_save(value, connection)

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            values = [
                [prep(f, cache, row.get(attname, default)) for f, attname, default, cache in spec]
                for row in rows[start : start + 20_000]
            ]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def build(args) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from careledger.accounts.models import Grant, User
    from careledger.cases.models import Case, CaseEvent, CasePeriod, CategoryEntry, Mentorship
    from careledger.contacts import compliance
    from careledger.contacts.models import Contact
    from careledger.core import clock
    from careledger.ledgers.models import Ledger
    from careledger.roster.models import College, SchoolClass, Student

    rng = random.Random(args.seed)
    call_command("migrate", interactive=False, verbosity=0)
    today = clock.today()
    start = today - timedelta(days=100)
    semester = bench_semester(
        actor=None,
        name="bench",
        start=start,
        end=start + timedelta(days=140),
        ledger_due=start + timedelta(days=18),
    )
    colleges = College.objects.bulk_create(College(name=f"第{i + 1:02d}学院") for i in range(COLLEGES))
    colleges = list(College.objects.order_by("pk"))
    SchoolClass.objects.bulk_create(
        SchoolClass(college=c, grade=g, name=f"{c.name}{g}级{k + 1}班")
        for c in colleges
        for g in GRADES
        for k in range(CLASSES_PER_GRADE)
    )
    classes: dict[int, list] = {}
    for klass in SchoolClass.objects.order_by("pk"):
        classes.setdefault(klass.college_id, []).append(klass)
    per_college = args.students // COLLEGES
    fast_insert(
        Student,
        [
            {
                "student_no": f"{2023 + (i % per_college) % 4}{c_i:02d}{i:06d}",
                "name": f"学生{i}",
                "name_initials": "xs",
                "gender": "M" if i % 2 else "F",
                "college_id": college.pk,
                "grade": GRADES[(i % per_college) % 4],
                "school_class_id": classes[college.pk][
                    ((i % per_college) % 4) * CLASSES_PER_GRADE + i % CLASSES_PER_GRADE
                ].pk,
                "phone": f"139{i:08d}",
                "parent_name": "家长",
                "parent_phone": "13700000000",
                "id_number": "360702200501150011",
                "is_active": True,
            }
            for c_i, college in enumerate(colleges)
            for i in range(c_i * per_college, (c_i + 1) * per_college)
        ],
    )
    # People: a school admin, a counselor of the first college (every grade), 200 mentors.
    admin = User.objects.create_user("bench_admin", password="bench-Password-1", name="学工处")
    Grant.objects.create(user=admin, role="school_admin")
    counselor = User.objects.create_user("bench_counselor", password="bench-Password-1", name="辅导员")
    Grant.objects.create(user=counselor, role="counselor", college=colleges[0], grades=GRADES)
    mentors = User.objects.bulk_create(User(username=f"mentor{i}", name=f"导师{i}") for i in range(200))
    mentors = list(User.objects.filter(username__startswith="mentor").order_by("pk"))
    Grant.objects.bulk_create(
        Grant(user=m, role="mentor", college=colleges[i % COLLEGES]) for i, m in enumerate(mentors)
    )

    # Cases: the first college's 2,000 (all the counselor's), the rest spread over the other colleges.
    first = list(Student.objects.filter(college=colleges[0]).order_by("pk").values_list("pk", flat=True))
    first = first[: min(2000, args.cases)]
    others = list(Student.objects.exclude(college=colleges[0]).values_list("pk", flat=True))
    rng.shuffle(others)
    students = first + others[: args.cases - len(first)]
    opened = start - timedelta(days=30)
    fast_insert(
        Case,
        [
            {"student_id": s, "opened_on": opened, "risk_level": "low", "opened_by_id": admin.pk, "problem": "bench"}
            for s in students
        ],
    )
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    fast_insert(CasePeriod, [{"case_id": c, "opened_on": opened} for c in case_ids])
    fast_insert(CategoryEntry, [{"case_id": c, "category": "economic", "added_on": opened} for c in case_ids])
    now = timezone.now()
    fast_insert(
        Mentorship,
        [
            {"case_id": c, "mentor_id": mentors[i % len(mentors)].pk, "started_at": now, "assigned_by_id": admin.pk}
            for i, c in enumerate(case_ids)
        ],
    )
    fast_insert(
        CaseEvent,
        [{"case_id": c, "kind": "opened", "at": now, "actor_id": admin.pk, "summary": "建档"} for c in case_ids],
    )

    def timeline(contacts: list[dict]) -> None:  # each contact's timeline event, as contacts.services writes it
        event = {"kind": "contact", "changes": ()}
        fast_insert(
            CaseEvent,
            [
                {**event, "case_id": c["case_id"], "at": c["occurred_at"], "actor_id": c["recorded_by_id"],
                 "summary": f"{c['kind']} {c['local_date']}"}
                for c in contacts
            ],
        )  # fmt: skip

    # Contacts of this semester: 200 on the case page's case, the rest at random, each with its timeline
    # event (a year of contacts is a year of timeline: the pages that read the timeline must not walk it).
    page_case = case_ids[0]
    days = [start + timedelta(days=d) for d in range((today - start).days)]
    at = {d: timezone.make_aware(datetime.combine(d, dtime(15))) for d in days}
    rows = []
    for n in range(args.contacts):
        day = days[rng.randrange(len(days))]
        rows.append(
            {
                "case_id": page_case if n < 200 else case_ids[1 + rng.randrange(len(case_ids) - 1)],
                "kind": KINDS[n % len(KINDS)],
                "occurred_at": at[day],
                "local_date": day,
                "location": "办公室",
                "content": "了解近况，鼓励按时作息。",
                "effect": "良好",
                "recorded_by_id": mentors[n % len(mentors)].pk,
            }
        )
        if len(rows) == 100_000:
            fast_insert(Contact, rows)
            timeline(rows)
            rows = []
    fast_insert(Contact, rows)
    timeline(rows)
    # Every tenth case had its risk raised during the semester (the assessment reads the level on its
    # as-of day from these); then the maintained compliance table, as the services would have kept it.
    fast_insert(
        CaseEvent,
        [
            {
                "case_id": c,
                "kind": "updated",
                "at": at[days[i % len(days)]],
                "actor_id": counselor.pk,
                "changes": ({"field": "risk_level", "old": "low", "new": "medium"},),
                "summary": "修改",
            }
            for i, c in enumerate(case_ids[::10])
        ],
    )
    compliance.rebuild()
    ledger = Ledger.objects.create(semester=semester, college=colleges[0], created_by=counselor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "admin": admin,
        "counselor": counselor,
        "semester": semester,
        "ledger": ledger,
        "case": page_case,
        "college": colleges[0].pk,
    }


def pages(s: dict) -> dict[str, tuple[str, str, str, list]]:
    """page → (user, URL, bare SQL of its main query, params)."""
    from django.urls import reverse

    open_cases = (
        "SELECT c.id, s.student_no, s.name FROM cases_case c JOIN roster_student s ON s.id = c.student_id "
        "WHERE c.status = 'open' {extra} ORDER BY s.student_no LIMIT 50"
    )
    window = (
        "SELECT case_id, kind, COUNT(*) FROM contacts_contact WHERE local_date >= %s AND local_date <= %s "
        "GROUP BY case_id, kind"
    )
    sem = [s["semester"].start, s["semester"].end]
    return {
        "admin_home": ("admin", reverse("home"), "SELECT COUNT(*) FROM cases_case WHERE status = 'open'", []),
        "admin_work": ("admin", reverse("cases:work"), open_cases.format(extra=""), []),
        "admin_overdue": ("admin", "/api/v1/compliance/overdue/", window, sem),
        "assessment": ("admin", reverse("assessment:dashboard"), window, sem),
        "counselor_home": (
            "counselor",
            reverse("home"),
            open_cases.format(extra="AND s.college_id = %s"),
            [s["college"]],
        ),
        "ledger_page": (
            "counselor",
            reverse("ledgers:detail", args=[s["ledger"].pk]),
            open_cases.format(extra="AND s.college_id = %s"),
            [s["college"]],
        ),
        "student_list": (
            "admin",
            reverse("students:list"),
            "SELECT id, student_no, name FROM roster_student WHERE is_active ORDER BY student_no LIMIT 50",
            [],
        ),
        "case_page": (
            "counselor",
            reverse("cases:detail", args=[s["case"]]),
            "SELECT id, kind, occurred_at, content FROM contacts_contact WHERE case_id = %s "
            "ORDER BY occurred_at DESC, id DESC LIMIT 50",
            [s["case"]],
        ),
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p * len(ordered) + 0.5) - 1))]


def measure(s: dict, requests: int, only: list[str]) -> dict:
    from django.db import connection
    from django.test import Client

    clients = {}
    for who in ("admin", "counselor"):
        clients[who] = Client()
        clients[who].force_login(s[who])
    out = {}
    for name, (who, url, sql, params) in pages(s).items():
        if only and name not in only:
            continue
        client = clients[who]
        response = client.get(url)  # warm-up
        assert response.status_code == 200, (name, url, response.status_code)
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a, q=queries: q.append(sql) or execute(sql, *a)):
            client.get(url)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        bare = []
        with connection.cursor() as cursor:
            for _ in range(5):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                bare.append(time.perf_counter() - started)
        out[name] = {
            "p50_ms": round(percentile(times, 0.5) * 1000, 1),
            "p95_ms": round(percentile(times, 0.95) * 1000, 1),
            "queries": len(queries),
            "bare_ms": round(min(bare) * 1000, 2),
        }
        print(
            f"{name:<15} p50 {out[name]['p50_ms']:>9.1f} ms  p95 {out[name]['p95_ms']:>9.1f} ms  "
            f"{out[name]['queries']:>4} queries  bare SQL {out[name]['bare_ms']:>8.2f} ms",
            flush=True,
        )
    return out


def profile(s: dict, name: str) -> None:
    import cProfile
    import pstats

    from django.test import Client

    who, url, _sql, _params = pages(s)[name]
    client = Client()
    client.force_login(s[who])
    client.get(url)
    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--students", type=int, default=40_000)
    parser.add_argument("--cases", type=int, default=6_000)
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page (default 10)")
    parser.add_argument("--pages", default="", help="only these pages (comma-separated)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", default="", help="cProfile one request of this page and print the top entries")
    parser.add_argument("--json", dest="json_file", default="", help="also write the figures to this file")
    args = parser.parse_args()
    os.environ["CARELEDGER_OTP_REQUIRED"] = "false"  # two-factor is not what is measured
    os.environ.setdefault("CARELEDGER_RATE_CASE_READS_PER_HOUR", "100000")
    with throwaway_django() as workdir:
        from django.conf import settings

        (workdir / "static").mkdir(exist_ok=True)
        from django.db import connection

        # Pages render their static URLs from the manifest in production; no collectstatic here.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        t_build, school = timed(build, args)
        print(
            f"database: {connection.vendor}; {args.students:,} students, {args.cases:,} open cases, "
            f"{args.contacts:,} contacts; built in {t_build:.0f} s; {args.requests} requests a page",
            flush=True,
        )
        figures = measure(school, args.requests, [p for p in args.pages.split(",") if p])
        if args.profile:
            profile(school, args.profile)
    if args.json_file:
        with open(args.json_file, "w") as fh:
            json.dump({"contacts": args.contacts, "pages": figures}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
