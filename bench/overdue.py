"""Overdue-list benchmark: a counselor with 300 open cases and 20,000 contacts in a 40,000-student school.

    .venv/bin/python bench/overdue.py [--students 40000] [--cases 300] [--contacts 20000]

Prints the time of the compliance computation alone and of the whole API request
(GET /api/v1/compliance/overdue/, as the counselor), with its query count. See bench/README.md.
"""

import argparse
import random
import sys
from datetime import date, datetime, time, timedelta

from common import bench_semester, best_of, print_table, throwaway_django, timed


def build(students: int, cases: int, contacts: int, seed: int):
    from django.core.management import call_command
    from django.utils import timezone

    from careledger.accounts import policy
    from careledger.accounts.models import User
    from careledger.cases.models import Case, CategoryEntry, Mentorship
    from careledger.contacts.models import Contact
    from careledger.core import services as core_services
    from careledger.core.clock import today

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", students=students, seed=seed, stdout=open("/dev/null", "w"))  # noqa: SIM115
    counselor = User.objects.get(username="demo_counselor")
    mentor = User.objects.get(username="demo_mentor")
    start = date(today().year if today().month >= 9 else today().year - 1, 9, 1)
    bench_semester(
        actor=None, name="bench", start=start, end=start + timedelta(days=136), ledger_due=start + timedelta(days=18),
        key_periods=[core_services.PeriodInput("考前", start + timedelta(days=120), start + timedelta(days=130))],
    )  # fmt: skip
    # Students the demo's own case work left alone (one open case per student).
    scope = list(
        policy.students_for(counselor).exclude(pk__in=Case.objects.values("student_id")).order_by("student_no")[:cases]
    )
    assert len(scope) == cases, f"only {len(scope)} students in the counselor's scope"
    made = Case.objects.bulk_create(Case(student=s, opened_on=start, opened_by=counselor) for s in scope)
    case_ids = [c.pk for c in made]
    CategoryEntry.objects.bulk_create(CategoryEntry(case_id=c, category="economic", added_on=start) for c in case_ids)
    now = timezone.now()
    Mentorship.objects.bulk_create(
        Mentorship(case_id=c, mentor=mentor, started_at=now, assigned_by=counselor) for c in case_ids
    )
    rng = random.Random(seed)
    days = max((today() - start).days, 1)
    rows = []
    for _ in range(contacts):
        day = start + timedelta(days=rng.randrange(days))
        rows.append(
            Contact(
                case_id=rng.choice(case_ids),
                kind=rng.choice(["talk", "talk", "dorm_visit", "dorm_visit", "parent"]),
                occurred_at=timezone.make_aware(datetime.combine(day, time(15))),
                local_date=day,
                content="bench",
                recorded_by=mentor,
            )
        )
    Contact.objects.bulk_create(rows, batch_size=5000)
    return counselor


def run(args) -> None:
    from django.db import connection
    from django.test import Client

    from careledger.cases import selectors

    t_build, counselor = timed(build, args.students, args.cases, args.contacts, args.seed)
    overdue = selectors.overdue_for(counselor)
    t_compute = best_of(5, selectors.overdue_for, counselor)
    client = Client()
    client.force_login(counselor)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        response = client.get("/api/v1/compliance/overdue/")
    assert response.status_code == 200, response.status_code
    t_api = best_of(5, client.get, "/api/v1/compliance/overdue/")
    print(f"database: {connection.vendor}; {args.students:,} students, {args.cases} cases, {args.contacts:,} contacts")
    print_table(
        [
            ("build the school (demo + cases + contacts)", t_build, ""),
            ("selectors.overdue_for(counselor)", t_compute, f"best of 5; {len(overdue)} cases overdue"),
            ("GET /api/v1/compliance/overdue/", t_api, f"best of 5; {len(queries)} queries"),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40_000)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with throwaway_django():
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
