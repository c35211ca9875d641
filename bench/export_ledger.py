"""Ledger export benchmark: the 附件1 workbook of a college with 2,000 open cases.

    .venv/bin/python bench/export_ledger.py [--cases 2000] [--docx 200]

Builds one college of 2,400 students with 2,000 open cases (1–2 categories each, mentors, texts of
realistic length), then times the .xlsx export of the draft (live rows), the submission (freezing the
snapshot), the export of the submitted ledger, and — for reference — the 附件2 case files of the first
``--docx`` cases as a zip. Prints seconds and rows per second.
"""

import argparse
import random
import sys
from datetime import date, timedelta

from common import bench_semester, best_of, print_table, throwaway_django, timed


def build(cases: int, seed: int):
    from django.core.management import call_command
    from django.utils import timezone

    from careledger.accounts.models import Grant, User
    from careledger.cases.models import Case, CategoryEntry, Mentorship
    from careledger.core.clock import today
    from careledger.ledgers.models import Ledger
    from careledger.roster.models import College, SchoolClass, Student
    from careledger.roster.rules import name_initials

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(seed)
    college = College.objects.create(name="文学与新闻传播学院")
    classes = [
        SchoolClass.objects.create(college=college, grade="2023", name=f"2023级汉语言文学{i}班") for i in range(1, 49)
    ]
    students = Student.objects.bulk_create(
        Student(
            student_no=f"2023010{i:05d}",
            name=f"学生{i}",
            name_initials=name_initials(f"学生{i}"),
            gender="M" if i % 2 else "F",
            college=college,
            grade="2023",
            school_class=classes[i % len(classes)],
            phone=f"139{i:08d}",
            parent_name=f"家长{i}",
            parent_phone=f"137{i:08d}",
        )
        for i in range(int(cases * 1.2))
    )
    admin = User.objects.create_user("bench_admin", password="x", name="王辅导员")
    Grant.objects.create(user=admin, role="college_admin", college=college)
    Grant.objects.create(user=admin, role="counselor", college=college, grades=["2023"])
    mentor = User.objects.create_user("bench_mentor", password="x", name="李老师", phone="13900000000")
    Grant.objects.create(user=mentor, role="mentor", college=college)
    start = date(today().year if today().month >= 9 else today().year - 1, 9, 1)
    semester = bench_semester(
        actor=admin,
        name="bench",
        start=start,
        end=start + timedelta(days=136),
        ledger_due=start + timedelta(days=18),
    )
    text = "家庭经济困难，单亲家庭，母亲务农，弟弟读高中，生活费主要靠助学贷款；入学后情绪低落，睡眠较差。"
    case_objs = Case.objects.bulk_create(
        Case(student=s, opened_on=start, opened_by=admin, plan="每两周谈心一次；申请国家助学金", note="")
        for s in students[:cases]
    )
    codes = ["economic", "academic", "psych", "internet", "physical", "discipline", "other"]
    entries = []
    for case in case_objs:
        for code in rng.sample(codes, rng.choice([1, 1, 2])):
            entries.append(CategoryEntry(case=case, category=code, detail=text, added_on=start))
    CategoryEntry.objects.bulk_create(entries, batch_size=2000)
    now = timezone.now()
    Mentorship.objects.bulk_create(
        Mentorship(case=c, mentor=mentor, started_at=now, assigned_by=admin) for c in case_objs
    )
    ledger = Ledger.objects.create(semester=semester, college=college, created_by=admin)
    return admin, ledger, len(entries)


def run(args) -> None:
    from careledger.cases.models import Case
    from careledger.exports import services as exports
    from careledger.ledgers import services as ledger_services
    from careledger.roster.models import College

    t_build, (admin, ledger, rows) = timed(build, args.cases, args.seed)
    t_draft = best_of(3, exports.export_ledger, actor=admin, ledger=ledger)
    t_submit, _ = timed(
        ledger_services.ledger_submit,
        actor=admin,
        ledger=ledger,
        filled_by="王辅导员",
        responsible="李书记",
        confirm=True,  # past the submission warnings (survey coverage, unpaired cases)
    )
    ledger.refresh_from_db()
    t_frozen = best_of(3, exports.export_ledger, actor=admin, ledger=ledger)
    size = len(exports.export_ledger(actor=admin, ledger=ledger).data)
    college = College.objects.get()
    few = Case.objects.order_by("pk")[args.docx :]
    Case.objects.filter(pk__in=few.values("pk")).update(status="closed")  # zip only the first --docx cases
    t_zip, export = timed(exports.export_college_case_files, actor=admin, college=college)
    print(f"{args.cases:,} open cases, {rows:,} ledger rows (a student in two categories is in two tables)")
    print_table(
        [
            ("build the college", t_build, ""),
            (
                "附件1 .xlsx, draft (live rows)",
                t_draft,
                f"best of 3; {rows / t_draft:,.0f} rows/s; {size / 1024:.0f} KiB",
            ),
            ("submit (freeze the snapshot)", t_submit, ""),
            ("附件1 .xlsx, submitted (snapshot)", t_frozen, f"best of 3; {rows / t_frozen:,.0f} rows/s"),
            (
                f"附件2 .docx × {args.docx} as a zip",
                t_zip,
                f"{args.docx / t_zip:,.0f} files/s; {len(export.data) / 1024:.0f} KiB",
            ),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--docx", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with throwaway_django():
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
