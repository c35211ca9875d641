"""``careledger demo [--students N] [--if-empty] [--seed S]``: a made-up university to try CareLedger on.

Everything it writes is invented (see ``careledger.web.demo_data``) and it only ever writes into an
empty database: with any student or account present it refuses (or, with ``--if-empty``, quietly
does nothing — that is what ``make run`` uses). All of it is written in one transaction.
"""

import random
import time
from datetime import datetime, timedelta
from datetime import time as clock_time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from careledger.accounts.models import Grant, Role, User
from careledger.accounts.services import GrantSpec, grant_spec_validate
from careledger.audit.services import Action, record
from careledger.cases.models import Case, CaseEvent, CasePeriod, CategoryEntry, Mentorship
from careledger.contacts.compliance import rebuild
from careledger.contacts.models import Contact
from careledger.core import clock
from careledger.core.management import text_table
from careledger.core.services import semester_create
from careledger.escalations.models import Department
from careledger.roster import rules
from careledger.roster.models import College, Dorm, Major, SchoolClass, Student
from careledger.web import demo_data

BANNER = "演示数据 DEMO DATA — not real students"
URL = "http://127.0.0.1:8000/"
BATCH = 2000
MIN_STUDENTS, MAX_STUDENTS = 100, 200_000

DEPARTMENTS = (
    ("psych_center", "心理健康教育中心"),
    ("security", "保卫处"),
    ("aid_center", "资助中心"),
    ("academic_affairs", "教务处"),
    ("hospital", "校医院"),
    ("logistics", "后勤保障处（一卡通）"),
    ("dorm", "宿舍管理中心"),
)


class Command(BaseCommand):
    help = (
        "在空数据库中生成一所虚构大学的演示数据（学院、班级、寝室、学生、各角色账号）。 / "
        "Fill an empty database with a made-up university: colleges, classes, dorms, students, one account per role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=3000, help="学生人数 / number of students (default 3000)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有数据时什么也不做 / do nothing (and succeed) when the database already holds data",
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子 / random seed (same seed, same data)")

    def handle(self, *args, students: int, if_empty: bool, seed: int, **options):
        if not MIN_STUDENTS <= students <= MAX_STUDENTS:
            raise CommandError(
                f"--students 应在 {MIN_STUDENTS}–{MAX_STUDENTS} 之间 / must be {MIN_STUDENTS}–{MAX_STUDENTS}."
            )
        if Student.objects.exists() or User.objects.exists():
            if if_empty:
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        "数据库中已有数据，未生成演示数据。 / The database already holds data; no demo data added."
                    )
                return
            raise CommandError(
                "数据库中已有学生或账号，演示数据只写入空数据库。 / "
                "The database already holds students or accounts; demo data goes only into an empty database."
            )
        started = time.perf_counter()
        uni = demo_data.build_university(students, seed)
        with transaction.atomic():
            if Student.objects.exists() or User.objects.exists():  # someone else got there first
                raise CommandError("数据库已不为空。 / The database is no longer empty.")
            first_class = self._write_roster(uni)
            departments = self._departments()
            logins = self._accounts(uni, first_class, departments, seed)
            cases = self._casework(first_class.college, seed)
            self._evidence(first_class.college, seed)
            record(
                actor="cli",
                action=Action.CREATE,
                object_type="demo",
                detail={
                    "demo": True,
                    "students": len(uni.students),
                    "seed": seed,
                    "accounts": [u for u, _r, _s in logins],
                    "cases": cases,
                },
            )
        elapsed = time.perf_counter() - started
        self._report(uni, logins, elapsed)

    def _write_roster(self, uni: demo_data.DemoUniversity) -> SchoolClass:
        College.objects.bulk_create([College(name=c.name, code=c.code) for c in uni.colleges])
        colleges = {c.name: c for c in College.objects.filter(name__in=[c.name for c in uni.colleges])}
        Major.objects.bulk_create([Major(college=colleges[c.name], name=m) for c in uni.colleges for m in c.majors])
        majors = {(m.college_id, m.name): m for m in Major.objects.filter(college__in=colleges.values())}
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(
                    college=colleges[k.college],
                    major=majors[(colleges[k.college].pk, k.major)],
                    grade=k.grade,
                    name=k.name,
                )
                for k in uni.classes
            ],
            batch_size=BATCH,
        )
        classes = {(c.college_id, c.name): c for c in SchoolClass.objects.filter(college__in=colleges.values())}
        Dorm.objects.bulk_create([Dorm(name=d) for d in uni.dorms], batch_size=BATCH)
        dorms = dict(Dorm.objects.values_list("name", "pk"))
        initials: dict[str, str] = {}
        rows = []
        for s in uni.students:
            college = colleges[s.college]
            if s.name not in initials:
                initials[s.name] = rules.name_initials(s.name)
            rows.append(
                Student(
                    student_no=s.student_no,
                    name=s.name,
                    name_initials=initials[s.name],
                    gender=s.gender,
                    college=college,
                    major=majors[(college.pk, s.major)],
                    grade=s.grade,
                    school_class=classes[(college.pk, s.school_class)],
                    dorm_id=dorms[s.dorm],
                    phone=s.phone,
                    parent_name=s.parent_name,
                    parent_phone=s.parent_phone,
                    birth_date=s.birth_date,
                    native_place=s.native_place,
                    id_number=s.id_number,
                )
            )
        Student.objects.bulk_create(rows, batch_size=BATCH)
        # The first college's first 2023 class: the demo class teacher's.
        first = uni.colleges[0].name
        name = next(k.name for k in uni.classes if k.college == first and k.grade == "2023")
        return classes[(colleges[first].pk, name)]

    def _departments(self) -> dict[str, Department]:
        out = {}
        for code, name in DEPARTMENTS:
            out[code], _created = Department.objects.get_or_create(code=code, defaults={"name": name})
        return out

    def _accounts(self, uni, first_class: SchoolClass, departments: dict[str, Department], seed: int):
        """One login per role, all with the demo password; returns (username, role label, scope) rows."""
        rng = random.Random(seed + 1)
        names = demo_data.NameMaker(rng)
        college = first_class.college
        psych = departments["psych_center"]
        plan = [
            ("demo_admin", GrantSpec(role=Role.SCHOOL_ADMIN), "全校 / whole school"),
            ("demo_college", GrantSpec(role=Role.COLLEGE_ADMIN, college=college), college.name),
            (
                "demo_counselor",
                GrantSpec(role=Role.COUNSELOR, college=college, grades=["2023"]),
                f"{college.name} 2023级",
            ),
            (
                "demo_teacher",
                GrantSpec(role=Role.CLASS_TEACHER, college=college, classes=[first_class]),
                first_class.name,
            ),
            ("demo_mentor", GrantSpec(role=Role.MENTOR, college=college), college.name),
            ("demo_psych", GrantSpec(role=Role.DEPARTMENT, department=psych), psych.name),
            ("demo_auditor", GrantSpec(role=Role.AUDITOR), "审计日志 / audit log"),
        ]
        password_hash = make_password(settings.CARELEDGER_DEMO_PASSWORD)  # hashed once, shared by all
        logins = []
        for i, (username, spec, scope) in enumerate(plan, start=1):
            grant_spec_validate(spec)
            user = User.objects.create(
                username=username,
                name=names.full(rng.choice("MF")),
                phone="",
                staff_no=f"DEMO{i:03d}",
                password=password_hash,
                must_change_password=False,
            )
            grant = Grant.objects.create(
                user=user, role=spec.role, college=spec.college, grades=spec.grades, department=spec.department
            )
            if spec.classes:
                grant.classes.set(spec.classes)
            logins.append((username, str(Role(spec.role).label), scope))
        return logins

    def _casework(self, college, seed: int) -> int:
        """A current semester and some case work in the first college, so every page has something to show:
        open cases (some paired with demo_mentor), talks and dorm visits — with a few gaps, so that some
        windows are overdue."""
        rng = random.Random(seed + 2)
        today = clock.today()
        semester = semester_create(actor=None, **demo_data.semester_around(today))
        counselor = User.objects.get(username="demo_counselor")
        mentor = User.objects.get(username="demo_mentor")
        students = list(Student.objects.filter(college=college).order_by("student_no"))
        chosen = [s for s in students if rng.random() < 0.07]
        opened = semester.start
        cases = Case.objects.bulk_create(
            Case(
                student=s,
                opened_on=opened,
                opened_by=counselor,
                risk_level=rng.choice(["low", "low", "medium", "high"]),
                problem="（演示）" + rng.choice(demo_data.CASE_PROBLEMS),
                plan="（演示）每半月谈心一次，每月两次下寝室；联系家长了解情况。",
            )
            for s in chosen
        )
        entries, events, pairings, contacts = [], [], [], []
        start_moment = timezone.make_aware(datetime.combine(opened, clock_time(9)))
        for case in cases:
            for code in rng.sample(list(demo_data.CATEGORY_TEXTS), rng.choice([1, 1, 2])):
                entries.append(
                    CategoryEntry(
                        case=case, category=code, detail="（演示）" + demo_data.CATEGORY_TEXTS[code], added_on=opened
                    )
                )
            events.append(CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, actor=counselor, summary="演示数据"))
            if case.student.grade != "2023" or rng.random() < 0.2:
                continue  # outside demo_counselor's grade, or not yet paired: shows as 未结对
            pairings.append(Mentorship(case=case, mentor=mentor, started_at=start_moment, assigned_by=counselor))
            diligent = rng.random() < 0.7
            day = opened
            while day < today:
                for kind, every in (("talk", 9), ("dorm_visit", 12)):
                    if (day - opened).days % every == rng.randrange(every) or (
                        diligent and (day - opened).days % every == 0
                    ):
                        moment = timezone.make_aware(datetime.combine(day, clock_time(rng.choice([10, 15, 19]))))
                        contacts.append(
                            Contact(
                                case=case,
                                kind=kind,
                                occurred_at=moment,
                                local_date=day,
                                location=case.student.dorm.name if case.student.dorm else "",
                                content="（演示）谈学习、生活和近况。",
                                effect="情绪稳定",
                                recorded_by=mentor,
                            )
                        )
                day += timedelta(days=1)
        CategoryEntry.objects.bulk_create(entries)
        CaseEvent.objects.bulk_create(events)
        Mentorship.objects.bulk_create(pairings)
        Contact.objects.bulk_create(contacts, batch_size=2000)
        CasePeriod.objects.bulk_create(CasePeriod(case=c, opened_on=opened) for c in cases)
        rebuild([semester.pk])  # the rows above bypassed the services: compute the compliance table once
        return len(cases)

    def _evidence(self, college, seed: int) -> None:
        """Evidence for the survey (issue 16): a 演示 UPI screening by demo_psych and four offices' lists by
        demo_admin for the first college's 2023 grade (demo_counselor's), imported as the offices would —
        so the survey opens with suggestions from several sources, and one urgent escalation."""
        from careledger.cases.selectors import current_semester
        from careledger.core import clock
        from careledger.evidence.importers import screening_import, signal_import

        semester = current_semester()
        nos = list(
            Student.objects.filter(college=college, grade="2023")
            .order_by("student_no")
            .values_list("student_no", flat=True)
        )
        tables = demo_data.demo_evidence(nos, seed)
        today = clock.today()
        month = f"{today:%Y-%m}"
        for row in tables["card"][1]:
            row[1] = month
        for row in tables["dorm"][1]:
            row[1] = today.isoformat()

        def csv(kind: str) -> bytes:
            header, rows = tables[kind]
            return "\n".join(",".join(r) for r in [header, *rows]).encode()

        psych, admin = User.objects.get(username="demo_psych"), User.objects.get(username="demo_admin")
        screening_import(actor=psych, data=csv("upi"), filename="演示-新生心理普查.csv", scale="upi", semester=semester)
        for kind in ("aid", "academic", "card", "dorm"):
            if tables[kind][1]:
                signal_import(actor=admin, data=csv(kind), filename=f"演示-{kind}.csv", kind=kind)
        from django.db.models import Value
        from django.db.models.functions import Concat

        from careledger.evidence.models import Suggestion

        Suggestion.objects.update(reason=Concat(Value("（演示）"), "reason"))  # marked as demo on every page

    def _report(self, uni, logins, elapsed: float) -> None:
        out = self.stdout
        out.write("=" * 60)
        out.write(f"  {BANNER}")
        out.write("  全部为虚构数据，切勿当作真实学生信息使用。 / Everything below is invented.")
        out.write("=" * 60)
        out.write(
            f"学院 colleges {len(uni.colleges)}，班级 classes {len(uni.classes)}，"
            f"寝室 dorm rooms {len(uni.dorms)}，学生 students {len(uni.students)} "
            f"({elapsed:.1f} s)"
        )
        out.write("")
        out.write(text_table(("用户名 Username", "角色 Role", "范围 Scope"), logins))
        out.write("")
        out.write(f"密码 Password: {settings.CARELEDGER_DEMO_PASSWORD}")
        out.write(f"打开 Open: {URL}")
