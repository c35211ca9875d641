"""`careledger demo`: a believable, made-up school, written only into an empty database."""

import io
import re
from collections import defaultdict

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from careledger.accounts.models import Grant, Role, User
from careledger.audit.models import AuditEvent
from careledger.escalations.models import Department
from careledger.roster import rules
from careledger.roster.models import College, Dorm, SchoolClass, Student
from careledger.web import demo_data
from tests.support.testing import make_user

N = 200
LOGINS = {
    "demo_admin": Role.SCHOOL_ADMIN,
    "demo_college": Role.COLLEGE_ADMIN,
    "demo_counselor": Role.COUNSELOR,
    "demo_teacher": Role.CLASS_TEACHER,
    "demo_mentor": Role.MENTOR,
    "demo_psych": Role.DEPARTMENT,
    "demo_auditor": Role.AUDITOR,
}
CLASS_NAME = re.compile(r"^(20\d\d)级(\w+?)(\d+)班$")
DORM = re.compile(r"^(东区|西区|南区|北区|黄金校区)\d+栋[1-9]\d{2}$")
PHONE = re.compile(r"^1[3-9]\d{9}$")


def run_demo(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return run_demo("--students", str(N), "--seed", "7")


def test_counts_and_banner(demo):
    assert "演示数据 DEMO DATA — not real students" in demo
    assert settings.CARELEDGER_DEMO_PASSWORD in demo
    assert "http://127.0.0.1:8000/" in demo
    assert Student.objects.count() == N
    assert College.objects.count() == demo_data.MIN_COLLEGES
    assert set(Department.objects.values_list("code", flat=True)) >= {
        "psych_center",
        "security",
        "aid_center",
        "academic_affairs",
        "hospital",
    }
    assert set(User.objects.values_list("username", flat=True)) == set(LOGINS)
    assert set(Student.objects.values_list("grade", flat=True)) == set(demo_data.GRADES)
    assert AuditEvent.objects.filter(object_type="demo", actor_username="cli").count() == 1


def test_id_numbers_match_gender_and_birth_date(demo):
    students = list(Student.objects.all())
    assert len({s.id_number for s in students}) == N
    for s in students:
        assert rules.id_number_valid(s.id_number), s.id_number
        assert rules.id_number_gender(s.id_number) == s.gender
        assert rules.id_number_birth_date(s.id_number) == s.birth_date
        # About 18 on entering in September of the grade year.
        assert 16 <= int(s.grade) - s.birth_date.year <= 21


def test_roster_values_look_real(demo):
    for klass in SchoolClass.objects.select_related("major"):
        m = CLASS_NAME.match(klass.name)
        assert m, klass.name
        assert m.group(1) == klass.grade
        assert m.group(2) == klass.major.name
    genders = defaultdict(set)
    for s in Student.objects.select_related("dorm", "school_class"):
        assert re.fullmatch(r"\d{12}", s.student_no)
        assert s.student_no.startswith(s.grade)
        assert s.school_class.grade == s.grade
        assert s.name_initials == rules.name_initials(s.name)
        assert PHONE.match(s.phone) and PHONE.match(s.parent_phone)
        assert s.parent_name[0] == s.name[0]
        assert s.native_place.endswith(("市", "区"))
        assert DORM.match(s.dorm.name), s.dorm.name
        genders[s.dorm_id].add(s.gender)
    assert all(len(g) == 1 for g in genders.values()), "a dorm room holds one gender"
    assert Dorm.objects.count() == len(genders)
    sizes = [c.students.count() for c in SchoolClass.objects.all()]
    assert all(demo_data.CLASS_MIN <= n <= demo_data.CLASS_MAX for n in sizes)


def test_demo_logins_authenticate_with_their_roles(demo):
    first_college = College.objects.get(name=demo_data.COLLEGES[0][0])
    for username, role in LOGINS.items():
        user = authenticate(None, username=username, password=settings.CARELEDGER_DEMO_PASSWORD)
        assert user is not None, username
        assert not user.must_change_password
        assert user.name and user.name != username
        assert list(user.grants.values_list("role", flat=True)) == [role]
    counselor = Grant.objects.get(user__username="demo_counselor")
    assert counselor.college == first_college and counselor.grades == ["2023"]
    teacher = Grant.objects.get(user__username="demo_teacher")
    [klass] = teacher.classes.all()
    assert klass.college == first_college and klass.grade == "2023"
    assert Grant.objects.get(user__username="demo_psych").department.code == "psych_center"


def test_if_empty_does_nothing_the_second_time(demo):
    before = (Student.objects.count(), User.objects.count(), College.objects.count())
    out = run_demo("--students", str(N), "--if-empty")
    assert "DEMO DATA" not in out
    assert (Student.objects.count(), User.objects.count(), College.objects.count()) == before


def test_if_empty_fills_an_empty_database(db):
    run_demo("--students", str(N), "--if-empty")
    assert Student.objects.count() == N


def test_refuses_over_existing_data(db):
    make_user("real_admin", role=Role.SCHOOL_ADMIN)
    with pytest.raises(CommandError, match="empty database"):
        run_demo("--students", str(N))
    assert "already holds data" in run_demo("--students", str(N), "--if-empty")
    assert Student.objects.count() == 0
    assert College.objects.count() == 0
    assert list(User.objects.values_list("username", flat=True)) == ["real_admin"]


def test_refuses_a_second_run(demo):
    with pytest.raises(CommandError):
        run_demo("--students", str(N))
    assert Student.objects.count() == N


def test_generator_is_reproducible_and_scales():
    a = demo_data.build_university(N, seed=3)
    b = demo_data.build_university(N, seed=3)
    c = demo_data.build_university(N, seed=4)
    assert a.students == b.students
    assert a.students != c.students
    assert [demo_data.college_count(n) for n in (200, 3000, 9000, 30000, 100000)] == [4, 4, 6, 20, 24]
    big = demo_data.build_university(12000, seed=1)
    assert len(big.students) == 12000
    assert len({s.student_no for s in big.students}) == 12000
    assert len({c.college for c in big.classes}) == 8
    assert all(demo_data.CLASS_MIN <= k.size <= demo_data.CLASS_MAX for k in big.classes)
