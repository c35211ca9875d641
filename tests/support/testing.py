"""Test data: a small school with named personas (alice, bob …), one per role of security.md §3.

Imported by tests only. Personas:
  alice  school_admin            bob    college_admin of 文学院
  carol  counselor 文学院 2023级   dave   class_teacher of 2023级汉语言文学2班
  erin   mentor (文学院)           frank  department 心理健康教育中心
  grace  auditor                 harry  no grant (stands for a student cadre)
  ivan   college_admin of 数学院      judy   section 资助中心 (学工处科室; reads the economic sub-table)
"""

from dataclasses import dataclass, field

from careledger.accounts.models import Grant, Role, User
from careledger.escalations.models import Department
from careledger.ledgers.models import Section
from careledger.roster.models import College, Dorm, Gender, SchoolClass, Student
from careledger.roster.rules import id_number_check_char, name_initials

PASSWORD = "Test-Password-2026"


def make_id_number(birth: str, order: int, area: str = "360702") -> str:
    """A valid 身份证号 for a birth date YYYYMMDD and a 3-digit order code (odd = male)."""
    first17 = f"{area}{birth}{order:03d}"
    return first17 + id_number_check_char(first17)


def make_user(username: str, *, role: str | None = None, name: str = "", **scope) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, name=name or username)
    if role:
        classes = scope.pop("classes", [])
        grant = Grant.objects.create(user=user, role=role, **scope)
        if classes:
            grant.classes.set(classes)
    return user


def make_student(
    student_no: str, name: str, school_class: SchoolClass, *, gender: str = Gender.MALE, **extra
) -> Student:
    return Student.objects.create(
        student_no=student_no,
        name=name,
        name_initials=name_initials(name),
        gender=gender,
        college=school_class.college,
        grade=school_class.grade,
        school_class=school_class,
        **extra,
    )


@dataclass
class School:
    wenxue: College
    shuxue: College
    c2023_1: SchoolClass
    c2023_2: SchoolClass
    c2024_1: SchoolClass
    math2023: SchoolClass
    students: dict[str, Student] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_school() -> School:
    wenxue = College.objects.create(name="文学与新闻传播学院")
    shuxue = College.objects.create(name="数学与计算机科学学院")
    s = School(
        wenxue=wenxue,
        shuxue=shuxue,
        c2023_1=SchoolClass.objects.create(college=wenxue, grade="2023", name="2023级汉语言文学1班"),
        c2023_2=SchoolClass.objects.create(college=wenxue, grade="2023", name="2023级汉语言文学2班"),
        c2024_1=SchoolClass.objects.create(college=wenxue, grade="2024", name="2024级新闻学1班"),
        math2023=SchoolClass.objects.create(college=shuxue, grade="2023", name="2023级数学与应用数学1班"),
    )
    dorm = Dorm.objects.create(name="东区12栋305")
    s.students = {
        "zhang": make_student("202301010001", "张三丰", s.c2023_1, dorm=dorm, phone="13812345678"),
        "li": make_student("202301010002", "李四", s.c2023_2, gender=Gender.FEMALE, phone="13987654321"),
        "wang": make_student("202401010001", "王小明", s.c2024_1),
        "zhao": make_student("202302010001", "赵六", s.math2023),
    }
    psych = Department.objects.create(code="psych_center", name="心理健康教育中心")
    funding = Section.objects.create(code="funding_center", name="资助中心", categories=["economic"])
    s.users = {
        "alice": make_user("alice", role=Role.SCHOOL_ADMIN, name="学工处 Alice"),
        "bob": make_user("bob", role=Role.COLLEGE_ADMIN, college=wenxue),
        "carol": make_user("carol", role=Role.COUNSELOR, college=wenxue, grades=["2023"]),
        "dave": make_user("dave", role=Role.CLASS_TEACHER, college=wenxue, classes=[s.c2023_2]),
        "erin": make_user("erin", role=Role.MENTOR, college=wenxue),
        "frank": make_user("frank", role=Role.DEPARTMENT, department=psych),
        "grace": make_user("grace", role=Role.AUDITOR),
        "harry": make_user("harry"),
        "ivan": make_user("ivan", role=Role.COLLEGE_ADMIN, college=shuxue),
        "judy": make_user("judy", role=Role.SECTION, section=funding),
    }
    return s


def make_case(school: School, student_key: str = "li", mentor: User | None = None):
    """An open case for one of the school's students, opened by the counselor, paired with ``mentor``."""
    from datetime import date

    from django.utils import timezone

    from careledger.cases.models import Case, CasePeriod, Mentorship
    from careledger.contacts.compliance import compliance_refresh_for_case

    case = Case.objects.create(student=school.students[student_key], opened_on=date(2026, 9, 1), opened_by=school.carol)
    CasePeriod.objects.create(case=case, opened_on=case.opened_on)
    case.categories.create(category="economic", detail="家庭经济困难", added_on=date(2026, 9, 1))
    if mentor is not None:
        Mentorship.objects.create(case=case, mentor=mentor, started_at=timezone.now(), assigned_by=school.carol)
    compliance_refresh_for_case(case)  # made without the services: its windows as they would have made them
    return case


def make_attachment(case):
    """A small PDF attached to ``case`` (stored in settings.ATTACHMENTS_DIR)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from careledger.cases.attachments import attachment_add

    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    return attachment_add(actor=case.opened_by, case=case, upload=upload, title="测试")


def make_semester(school: School):
    """The semester 2026-09-01 – 2027-01-15, ledger due 2026-09-19 (current while today falls in it)."""
    from datetime import date

    from careledger.core.services import semester_create

    return semester_create(
        actor=school.alice,
        name="2026-2027学年第一学期",
        start=date(2026, 9, 1),
        end=date(2027, 1, 15),
        ledger_due=date(2026, 9, 19),
    )


def make_ledger(school: School):
    """文学院's draft ledger for the current semester."""
    from careledger.ledgers.models import Ledger

    return Ledger.objects.create(semester=make_semester(school), college=school.wenxue, created_by=school.carol)


def make_escalation(school: School):
    """An open, urgent escalation on 李四's case (mentor erin), addressed to the psych centre (frank)."""
    from datetime import timedelta

    from django.utils import timezone

    from careledger.escalations.models import Department, Escalation

    now = timezone.now()
    escalation = Escalation.objects.create(
        case=make_case(school, "li", mentor=school.erin),
        severity="urgent",
        description="情绪激动",
        created_by=school.erin,
        created_at=now,
        due_at=now + timedelta(hours=1),
    )
    escalation.departments.set([Department.objects.get(code="psych_center")])
    return escalation


def make_suggestion(school: School, student_key: str = "li", category: str = "psych", source: str = "upi"):
    """A pending evidence suggestion (issue 16) for one of the school's students, in the current semester."""
    from django.utils import timezone

    from careledger.core.models import Semester
    from careledger.evidence.models import Suggestion

    semester = Semester.objects.current() or make_semester(school)
    return Suggestion.objects.create(
        student=school.students[student_key],
        semester=semester,
        category=category,
        source=source,
        reason="UPI 第一类：总分 27 分（≥25）",
        evidence_at=timezone.now(),
    )


def audited_read_queries() -> int:
    """Queries one audited read adds to a page (SEC-52): the audit row and its chain head; PostgreSQL also
    takes the chain's advisory lock."""
    from django.db import connection

    return 7 if connection.vendor == "postgresql" else 6
