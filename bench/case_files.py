"""附件2 case-file benchmark: one case file with 170 contacts, and the zip of a college's case files.

    .venv/bin/python bench/case_files.py [--cases 200] [--contacts 170] [--profile]

On a throw-away database (SQLite, or PostgreSQL when DATABASE_URL names a server) it builds ``--cases``
open cases, each with two categories carrying structured facts, two mentors one after the other and
``--contacts`` contact records of realistic length; then times one case file (read + .docx, best of
5), the .docx alone, and ``write_case_files_zip`` of every case to a file (the function the background
job runs), printing seconds and files per second.
"""

import argparse
import sys
import tempfile
from datetime import date, datetime, timedelta

from common import best_of, print_table, throwaway_django, timed


def build(cases: int, contacts: int):
    from django.core.management import call_command
    from django.utils import timezone

    from careledger.accounts.models import Grant, User
    from careledger.cases.models import Case, CasePeriod, CategoryEntry, Mentorship
    from careledger.contacts.models import Contact
    from careledger.roster.models import College, SchoolClass, Student
    from careledger.roster.rules import name_initials

    call_command("migrate", interactive=False, verbosity=0)
    college = College.objects.create(name="文学与新闻传播学院")
    klass = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学1班")
    students = Student.objects.bulk_create(
        Student(
            student_no=f"2023010{i:05d}",
            name=f"学生{i}",
            name_initials=name_initials(f"学生{i}"),
            gender="M" if i % 2 else "F",
            college=college,
            grade="2023",
            school_class=klass,
            phone=f"139{i:08d}",
        )
        for i in range(cases)
    )
    admin = User.objects.create_user("bench_admin", password="x", name="王辅导员")
    Grant.objects.create(user=admin, role="counselor", college=college, grades=["2023"])
    first = User.objects.create_user("bench_m1", password="x", name="李老师", phone="13900000000")
    second = User.objects.create_user("bench_m2", password="x", name="赵老师", phone="13900000001")
    opened = date(2025, 9, 1)
    case_objs = Case.objects.bulk_create(
        Case(
            student=s,
            opened_on=opened,
            opened_by=admin,
            problem="入学后情绪低落，睡眠较差，与室友交流少。" * 3,
            life_history="单亲家庭，母亲务农，弟弟读高中。" * 3,
            plan="每两周谈心一次；申请国家助学金；联系心理中心评估。",
        )
        for s in students
    )
    CasePeriod.objects.bulk_create(CasePeriod(case=c, opened_on=opened) for c in case_objs)
    CategoryEntry.objects.bulk_create(
        [
            CategoryEntry(
                case=c,
                category="psych",
                detail="焦虑",
                data={"problem_type": "焦虑", "risk_judgement": "低"},
                added_on=opened,
            )
            for c in case_objs
        ]
        + [
            CategoryEntry(
                case=c,
                category="physical",
                detail="哮喘",
                verification="已核实",
                data={"history": "哮喘"},
                added_on=opened,
            )
            for c in case_objs
        ]
    )
    start = timezone.make_aware(datetime(2025, 9, 2, 16, 0))
    switch = start + timedelta(days=120)
    Mentorship.objects.bulk_create(
        [Mentorship(case=c, mentor=first, started_at=start, ended_at=switch, assigned_by=admin) for c in case_objs]
        + [Mentorship(case=c, mentor=second, started_at=switch, assigned_by=admin) for c in case_objs]
    )
    text = "与学生在宿舍谈心，了解近期学习和生活情况，学生情绪较上次平稳，睡眠有所改善，约定下次继续交流。"
    for c in case_objs:
        Contact.objects.bulk_create(
            Contact(
                case=c,
                kind="talk" if n % 3 else "dorm_visit",
                occurred_at=start + timedelta(days=2 * n),
                local_date=(start + timedelta(days=2 * n)).date(),
                location="东区12栋305",
                content=text,
                effect="情绪稳定",
                recorded_by=first,
            )
            for n in range(contacts)
        )
    return admin, [c.pk for c in case_objs]


def run(args) -> None:
    from careledger.cases.models import Case
    from careledger.exports import case_docx
    from careledger.exports import services as exports
    from careledger.exports.safe import watermark_for

    t_build, (admin, ids) = timed(build, args.cases, args.contacts)
    watermark = watermark_for(admin)
    one = exports.case_file_queryset(Case.objects.filter(pk=ids[0]))

    def one_file():
        return case_docx.build(exports._case_file_data(one.all().get()), watermark)

    case_docx.build(exports._case_file_data(one.all().get()), watermark)  # the template, once per process
    t_one = best_of(5, one_file)
    data = exports._case_file_data(one.all().get())
    t_docx = best_of(5, case_docx.build, data, watermark)
    if args.profile:
        import cProfile
        import pstats

        with tempfile.NamedTemporaryFile(suffix=".zip") as target:
            profiler = cProfile.Profile()
            profiler.runcall(exports.write_case_files_zip, ids, target.name, watermark)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    seen = []
    with tempfile.NamedTemporaryFile(suffix=".zip") as target:
        t_zip, count = timed(
            exports.write_case_files_zip, ids, target.name, watermark, lambda d, t: seen.append((d, t))
        )
        size = target.seek(0, 2)
    assert count == len(ids) and seen[-1] == (len(ids), len(ids))
    print(f"{args.cases:,} cases × {args.contacts} contacts, two mentors each")
    print_table(
        [
            ("build", t_build, ""),
            (f"one case file ({args.contacts} contacts): read + .docx", t_one, "best of 5"),
            ("  of which the .docx alone", t_docx, "best of 5"),
            (
                f"zip of {count} case files to a file",
                t_zip,
                f"{count / t_zip:,.1f} files/s; {size / 1024:.0f} KiB; 2,000 cases ≈ {2000 * t_zip / count:,.0f} s",
            ),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--contacts", type=int, default=170)
    parser.add_argument("--profile", action="store_true", help="also cProfile one zip (by own time) first")
    args = parser.parse_args()
    with throwaway_django():
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
