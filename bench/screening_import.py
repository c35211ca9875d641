"""Screening import benchmark: a 5,000-student UPI file with 30 urgent answers (issue 16).

    .venv/bin/python bench/screening_import.py [--students 5000] [--urgent 30] [--seed 2026]

Runs against a fresh, throw-away database (a temporary SQLite file, or a new PostgreSQL database when
DATABASE_URL names a server; see bench/README.md). Prints the import time (target: under 5 s) and checks
that the 30 urgent escalations are raised exactly once: a second import of the same file raises none.
"""

import argparse
import sys
from datetime import date, timedelta

from common import print_table, throwaway_django, timed
from import_roster import write_xlsx


def run(students: int, urgent: int, seed: int, workdir) -> int:
    from django.core.management import call_command
    from django.db import connection

    from careledger.accounts.models import Grant, Role, User
    from careledger.core.services import semester_create
    from careledger.escalations.models import Department, Escalation
    from careledger.evidence.importers import screening_import
    from careledger.evidence.models import ScreeningResult, Suggestion
    from careledger.notify.models import Delivery
    from careledger.roster.models import Student
    from careledger.web.demo_data import build_university, upi_screening_rows
    from careledger.web.management.commands.demo import Command as DemoCommand

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", interactive=False, verbosity=0)
    uni = build_university(students, seed)
    DemoCommand()._write_roster(uni)  # the roster as `careledger demo` writes it (bulk inserts)
    today = date.today()
    semester = semester_create(
        actor=None,
        name="bench",
        start=today - timedelta(days=20),
        end=today + timedelta(days=100),
        ledger_due=today,
    )
    psych_dept = Department.objects.create(code="psych_center", name="心理健康教育中心")
    # Unusable passwords: hashing one per account would cost more than the import under test.
    psych = User.objects.create(username="psych", password="!")
    Grant.objects.create(user=psych, role=Role.DEPARTMENT, department=psych_dept)
    grades = ["2022", "2023", "2024", "2025"]
    for i, college_id in enumerate(Student.objects.order_by().values_list("college_id", flat=True).distinct()):
        counselor = User.objects.create(username=f"counselor{i}", password="!")
        Grant.objects.create(user=counselor, role=Role.COUNSELOR, college_id=college_id, grades=grades)

    nos = list(Student.objects.order_by("student_no").values_list("student_no", flat=True))[:students]
    path = workdir / "upi.xlsx"
    write_xlsx(path, upi_screening_rows(nos, urgent=urgent, seed=seed))
    data = path.read_bytes()

    t_dry, dry = timed(
        screening_import, actor=psych, data=data, filename=path.name, scale="upi", semester=semester, dry_run=True
    )
    t_first, first = timed(screening_import, actor=psych, data=data, filename=path.name, scale="upi", semester=semester)
    t_again, again = timed(screening_import, actor=psych, data=data, filename=path.name, scale="upi", semester=semester)
    escalations = Escalation.objects.filter(severity="urgent").count()
    print_table(
        [
            ("dry run", t_dry, f"{dry.scored} scored, {dry.flagged} flagged, {dry.urgent} urgent"),
            ("import #1", t_first, f"{first.scored} scored, {first.flagged} flagged, {first.urgent} urgent"),
            ("import #2 (same file)", t_again, f"{again.urgent} urgent raised (must be 0)"),
        ]
    )
    print(
        f"\nresults {ScreeningResult.objects.count()}, suggestions {Suggestion.objects.count()}, "
        f"urgent escalations {escalations} (expected {urgent}), in-app messages {Delivery.objects.count()}; "
        f"target < 5 s: "
        f"{'met' if t_first < 5 else 'MISSED'}"
    )
    ok = (
        first.ok and first.scored == len(nos) and first.urgent == urgent and again.urgent == 0 and escalations == urgent
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--urgent", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with throwaway_django() as workdir:
        return run(args.students, args.urgent, args.seed, workdir)


if __name__ == "__main__":
    sys.exit(main())
