"""Assessment dashboard benchmark: the school's dashboard for a 40,000-student, 6,000-case semester.

    .venv/bin/python bench/dashboard.py [--students 40000] [--cases 6000] [--contacts-per-case 20]
                                        [--semesters 6] [--profile]

Builds the demo school (``careledger demo``) on a throw-away database, then: a counselor per college
and grade, 300 mentors, six semesters (the current one began on 1 September), 6,000 open cases with
one or two categories, a risk level and a mentor, ~20 contacts each over the semester so far, 1,000
cases closed in earlier semesters, a few escalations, the survey 90 % done, ledgers (with their
frozen snapshots) for most colleges, 帮扶效果 ratings, and help-group members with activities.

Prints the time of ``indicators.load`` and of the rows of each level, then of the pages as 学工处
(school_admin) through the Django test client — the dashboard (/assessment/), the ranking, the cadre
list and the two .xlsx exports — best of 5 wall time, with the process's CPU time (on a busy machine
the wall time includes waiting for a core), each page's query count and size. See bench/README.md.
"""

import argparse
import os
import random
import sys
from datetime import date, datetime, time, timedelta
from time import process_time

from common import bench_semester, best_of, print_table, throwaway_django, timed

CATEGORIES = ["economic", "academic", "psych", "internet", "physical", "discipline", "other"]
CATEGORY_WEIGHTS = [30, 20, 18, 10, 6, 8, 8]
RISKS, RISK_WEIGHTS = ["low", "medium", "high"], [60, 30, 10]
ACTIVITIES = ["陪同谈心，聊近况", "帮助复习高数", "寝室走访", "向辅导员反馈情况", "一起参加班级活动", "陪同就医"]


DEMO_OPEN_CASES = [0]  # the demo's own case work, counted in the school's figures


def _semesters(count: int):
    """``count`` semesters ending with the current one (1 September or 1 March); returns them oldest first."""
    from careledger.core import services as core_services
    from careledger.core.clock import today

    now = today()
    if now.month >= 9:
        start = date(now.year, 9, 1)
    elif now.month >= 3:
        start = date(now.year, 3, 1)
    else:
        start = date(now.year - 1, 9, 1)
    starts = [start]
    while len(starts) < count:
        s = starts[-1]
        starts.append(date(s.year, 3, 1) if s.month == 9 else date(s.year - 1, 9, 1))
    out = []
    for s in reversed(starts):
        periods = [core_services.PeriodInput("考前", s + timedelta(days=120), s + timedelta(days=130))]
        out.append(
            bench_semester(
                actor=None,
                name=f"bench {s:%Y-%m}",
                start=s,
                end=s + timedelta(days=136),
                ledger_due=s + timedelta(days=18),
                key_periods=periods,
            )
        )
    return out


def build(students: int, cases: int, per_case: int, semesters: int, seed: int):
    from django.core.management import call_command
    from django.utils import timezone

    from careledger.accounts.models import Grant, Role, User
    from careledger.cases.models import Case, CaseEffect, CategoryEntry, Helper, HelperActivity, Mentorship
    from careledger.contacts.models import Contact
    from careledger.core.clock import today
    from careledger.escalations.models import Escalation
    from careledger.ledgers.models import Ledger, SurveyReview
    from careledger.roster.models import College, Student

    rng = random.Random(seed)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", students=students, seed=seed, stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = User.objects.get(username="demo_admin")
    terms = _semesters(semesters)
    current = terms[-1]
    start, now = current.start, today()
    colleges = list(College.objects.order_by("pk"))

    # Staff: a counselor per college and grade, 300 mentors spread over the colleges.
    staff = [User(username=f"counselor{c.pk}_{g}", name=f"辅导员{c.pk}-{g}") for c in colleges for g in "2345"]
    staff += [User(username=f"mentor{i}", name=f"导师{i:03d}") for i in range(300)]
    User.objects.bulk_create(staff, batch_size=1000)
    users = {u.username: u for u in User.objects.filter(username__in=[u.username for u in staff])}
    grants = [
        Grant(user=users[f"counselor{c.pk}_{g}"], role=Role.COUNSELOR, college=c, grades=[f"202{g}"])
        for c in colleges
        for g in "2345"
    ]
    mentors_of: dict[int, list[User]] = {c.pk: [] for c in colleges}
    for i in range(300):
        college = colleges[i % len(colleges)]
        grants.append(Grant(user=users[f"mentor{i}"], role=Role.MENTOR, college=college))
        mentors_of[college.pk].append(users[f"mentor{i}"])
    Grant.objects.bulk_create(grants, batch_size=1000)

    # Cases: 6,000 open ones (opened over the last two years), 1,000 closed in earlier semesters.
    # Students the demo's own case work left alone (one open case per student).
    pool = list(Student.objects.exclude(pk__in=Case.objects.values("student_id")).values_list("pk", "college_id"))
    rng.shuffle(pool)
    open_students, closed_students = pool[:cases], pool[cases : cases + cases // 6]
    earliest = terms[0].start
    rows = []
    for pk, _college in open_students:
        opened = earliest + timedelta(days=rng.randrange((start + timedelta(days=20) - earliest).days))
        rows.append(
            Case(
                student_id=pk,
                opened_on=opened,
                risk_level=rng.choices(RISKS, RISK_WEIGHTS)[0],
                opened_by=admin,
                problem="bench",
            )
        )
    for pk, _college in closed_students:
        opened = earliest + timedelta(days=rng.randrange((start - earliest).days - 60))
        closed = opened + timedelta(days=rng.randrange(30, 200))
        rows.append(
            Case(
                student_id=pk,
                opened_on=opened,
                closed_on=min(closed, start - timedelta(days=1)),
                status="closed",
                risk_level=rng.choices(RISKS, RISK_WEIGHTS)[0],
                opened_by=admin,
            )
        )
    demo_cases = set(Case.objects.values_list("pk", flat=True))  # the demo's own, with their categories
    DEMO_OPEN_CASES[0] = Case.objects.filter(status="open").count()
    Case.objects.bulk_create(rows, batch_size=2000)
    all_cases = [
        row
        for row in Case.objects.values_list("pk", "student_id", "opened_on", "status", "student__college_id")
        if row[0] not in demo_cases
    ]
    CategoryEntry.objects.bulk_create(
        [
            CategoryEntry(case_id=pk, category=code, added_on=opened)
            for pk, _s, opened, _st, _c in all_cases
            for code in set(rng.choices(CATEGORIES, CATEGORY_WEIGHTS, k=rng.choice([1, 1, 1, 2])))
        ],
        batch_size=5000,
    )
    open_cases = [(pk, opened, college) for pk, _s, opened, status, college in all_cases if status == "open"]
    Mentorship.objects.bulk_create(
        [
            Mentorship(
                case_id=pk,
                mentor=rng.choice(mentors_of[college]),
                started_at=timezone.make_aware(datetime.combine(opened, time(9))),
                assigned_by=admin,
            )
            for pk, opened, college in open_cases
            if rng.random() < 0.93
        ],
        batch_size=5000,
    )

    # ~20 contacts per open case over the semester so far.
    mentor = users["mentor0"]
    contacts = []
    for pk, opened, _college in open_cases:
        first = max(opened, start)
        span = max((now - first).days, 1)
        for _ in range(per_case):
            day = first + timedelta(days=rng.randrange(span))
            contacts.append(
                Contact(
                    case_id=pk,
                    kind=rng.choice(["talk", "talk", "dorm_visit", "dorm_visit", "parent"]),
                    occurred_at=timezone.make_aware(datetime.combine(day, time(15))),
                    local_date=day,
                    content="bench",
                    recorded_by=mentor,
                )
            )
    Contact.objects.bulk_create(contacts, batch_size=10_000)

    # A few escalations in the current semester.
    escalations = []
    student_of = {pk: student for pk, student, _o, _st, _c in all_cases}  # bulk_create skips Escalation.save
    for pk, _opened, _college in rng.sample(open_cases, min(40, len(open_cases))):
        at = timezone.make_aware(datetime.combine(start + timedelta(days=rng.randrange((now - start).days)), time(10)))
        ack = rng.randrange(5, 600)
        resolved = rng.random() < 0.6
        escalations.append(
            Escalation(
                case_id=pk,
                student_id=student_of[pk],
                severity=rng.choice(["urgent", "high"]),
                description="bench",
                created_by=mentor,
                created_at=at,
                due_at=at + timedelta(hours=24),
                acknowledged_at=at + timedelta(minutes=ack),
                resolved_at=at + timedelta(minutes=ack + rng.randrange(60, 2000)) if resolved else None,
                status="resolved" if resolved else "acknowledged",
            )
        )
    Escalation.objects.bulk_create(escalations)

    # The survey 90 % done; ledgers (frozen snapshots of ~250 rows) for all but four colleges.
    SurveyReview.objects.bulk_create(
        [
            SurveyReview(semester=current, student_id=pk, outcome="no_concern", reviewed_by=admin)
            for pk, _c in pool
            if rng.random() < 0.9
        ],
        batch_size=5000,
    )
    row = {"姓名": "某某", "班级": "2024级某专业1班", "帮扶措施": "每周谈心" * 10, "_risk": "low", "_case": 1}
    ledgers = []
    for college in colleges[:-4]:
        late = rng.random() < 0.2
        ledgers.append(
            Ledger(
                semester=current,
                college=college,
                status="submitted",
                submitted_at=timezone.make_aware(datetime.combine(current.ledger_due, time(9)))
                + timedelta(days=3 if late else -2),
                late=late,
                created_by=admin,
                snapshot={"rows": {"economic": [row] * 250}},
            )
        )
    Ledger.objects.bulk_create(ledgers)
    CaseEffect.objects.bulk_create(
        [
            CaseEffect(case_id=pk, semester=current, text="好转", rating=rng.randint(2, 5))
            for pk, _o, _c in rng.sample(open_cases, min(2000, len(open_cases) // 3))
        ]
    )

    # Help groups: 3,000 cadre roles on open cases, 10,000 activities this semester.
    helper_pool = [pk for pk, _c in pool[cases + cases // 6 :]]
    helpers = [
        Helper(
            case_id=pk,
            student_id=rng.choice(helper_pool),
            role=rng.choice(["psych_committee", "dorm_liaison", "student_leader"]),
            added_on=start,
        )
        for pk, _o, _c in rng.sample(open_cases, min(3000, len(open_cases) // 2))
    ]
    Helper.objects.bulk_create(helpers, batch_size=5000)
    helper_ids = list(Helper.objects.values_list("pk", flat=True))
    HelperActivity.objects.bulk_create(
        [
            HelperActivity(
                helper_id=rng.choice(helper_ids),
                on=start + timedelta(days=rng.randrange((now - start).days)),
                what=rng.choice(ACTIVITIES),
                recorded_by=mentor,
            )
            for _ in range(10_000)
        ],
        batch_size=5000,
    )
    return admin, current, len(contacts)


def _cpu(fn, *args) -> float:
    """The CPU time of one call in this process (SQLite runs in it): the wall time a busy machine's
    other work does not inflate."""
    started = process_time()
    fn(*args)
    return process_time() - started


def run(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from careledger.assessment import indicators, selectors

    # Pages render their static URLs from the manifest in production; no collectstatic here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    t_build, (admin, semester, contacts) = timed(
        build, args.students, args.cases, args.contacts_per_case, args.semesters, args.seed
    )
    results = [("build the school (demo + cases + contacts)", t_build, f"{contacts:,} contacts")]
    demo_open = DEMO_OPEN_CASES[0]
    data = indicators.load(semester)
    (school,) = [indicators.row(data, u) for u in selectors.visible_units(admin, data, "school")]
    # A wrong figure cannot pass as a fast one (the demo's own open cases count too).
    assert school["open_cases"] == args.cases + demo_open, (school["open_cases"], args.cases, demo_open)
    results.append(("indicators.load(semester)", best_of(5, indicators.load, semester), "best of 5"))
    for level in indicators.LEVELS:
        units = selectors.visible_units(admin, data, level)
        seconds = best_of(3, lambda units=units: [indicators.row(data, u) for u in units])
        results.append((f"rows, level {level}", seconds, f"best of 3; {len(units)} units"))

    client = Client()
    client.force_login(admin)
    pages = [
        ("GET /assessment/ (school dashboard)", "/assessment/"),
        ("GET /assessment/?level=counselor", "/assessment/?level=counselor"),
        ("GET /assessment/?level=mentor", "/assessment/?level=mentor"),
        ("GET /assessment/ranking/", "/assessment/ranking/"),
        ("GET /assessment/cadres/", "/assessment/cadres/"),
        ("GET /assessment/cadres/export/ (.xlsx)", "/assessment/cadres/export/"),
        ("GET /assessment/export/ (.xlsx)", "/assessment/export/"),
    ]
    for label, url in pages:
        queries: list[str] = []
        with connection.execute_wrapper(lambda execute, sql, *a, seen=queries: seen.append(sql) or execute(sql, *a)):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seconds = best_of(5, client.get, url)
        cpu = min(_cpu(client.get, url) for _ in range(5))
        note = f"best of 5 (CPU {cpu:.3f} s); {len(queries)} queries; {len(response.content):,} bytes"
        results.append((label, seconds, note))
    print(
        f"database: {connection.vendor}; {args.students:,} students, {args.cases:,} open cases, "
        f"{args.semesters} semesters; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print_table(results)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(client.get, "/assessment/")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40_000)
    parser.add_argument("--cases", type=int, default=6_000)
    parser.add_argument("--contacts-per-case", type=int, default=20)
    parser.add_argument("--semesters", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="cProfile one dashboard request")
    args = parser.parse_args()
    os.environ.setdefault("CARELEDGER_OTP_REQUIRED", "false")  # the test client signs in without a code
    with throwaway_django():
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
