"""首页 per role (issue 15): each role's home shows the items waiting on it, read within its scope.

The clock is fixed at 2026-11-20 10:00 Beijing time inside the semester 2026-09-01 – 2027-01-15 (ledger due
2026-09-19, so a college without a submitted ledger is late). 李四 (dave's class) has an open case paired
with erin and an urgent escalation to the psych centre (frank) reported 30 minutes ago.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.support.testing import build_school, make_escalation, make_semester

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_clock")]


@pytest.fixture
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    school = build_school()
    make_semester(school)
    escalation = make_escalation(school)
    escalation.created_at = NOW - timedelta(minutes=30)
    escalation.due_at = NOW + timedelta(minutes=30)
    escalation.save()
    case = escalation.case
    case.categories.create(category="physical", detail="先天性心脏病", added_on=date(2026, 9, 1))
    return school, escalation


def home_of(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_department_home_shows_the_waiting_report_with_its_clock(client, world):
    school, escalation = world
    page = home_of(client, school.frank)
    assert 'id="home-reports"' in page
    assert reverse("escalations:detail", args=[escalation.pk]) in page
    assert "距确认期限还有 30 分钟" in page
    # The department's home names no student: severity and college only.
    assert "李四" not in page


def test_department_home_marks_a_missed_deadline(client, world):
    school, escalation = world
    escalation.due_at = NOW - timedelta(minutes=5)
    escalation.save()
    assert "确认已超时 5 分钟" in home_of(client, school.frank)


def test_class_teacher_home_lists_entries_waiting_for_verification(client, world):
    school, _ = world
    page = home_of(client, school.dave)
    assert 'id="home-verify"' in page and "李四" in page
    entry = world[1].case.categories.get(category="physical")
    entry.verification = "已核实：有诊断证明"
    entry.save()
    assert "没有待核实的记录" in home_of(client, school.dave)


def test_class_teacher_sees_no_entry_outside_her_classes(client, world):
    school, _ = world
    world[1].case.student.school_class = school.c2023_1
    world[1].case.student.save()
    assert "没有待核实的记录" in home_of(client, school.dave)


def test_mentor_home_has_a_search_over_her_mentees(client, world):
    school, _ = world
    page = home_of(client, school.erin)
    assert 'id="home-search"' in page and 'name="mine" value="1"' in page
    assert 'id="my-cases"' in page and "李四" in page


def test_school_admin_home_shows_ledgers_late_colleges_and_unacknowledged_escalations(client, world):
    school, _ = world
    page = home_of(client, school.alice)
    assert 'id="home-escalations"' in page and 'data-count="escalations-waiting">1<' in page
    assert 'id="home-ledgers"' in page and "已过截止日期仍未上报" in page
    assert school.wenxue.name in page and school.shuxue.name in page


def test_college_admin_home_shows_only_her_college_ledger(client, world):
    school, _ = world
    page = home_of(client, school.ivan)
    assert 'id="home-ledgers"' in page
    assert school.shuxue.name in page and school.wenxue.name not in page
    # The escalation belongs to the other college.
    assert 'id="home-escalations"' not in page


def test_counselor_home_shows_survey_progress(client, world):
    school, _ = world
    page = home_of(client, school.carol)
    assert 'id="home-survey"' in page and school.c2023_2.name in page
    assert 'id="home-reports"' not in page


def test_auditor_and_no_grant_homes_show_no_case_panels(client, world):
    school, _ = world
    for persona in ("grace", "harry"):
        page = home_of(client, school.users[persona])
        for panel in ("home-reports", "home-verify", "home-ledgers", "home-escalations", "my-cases"):
            assert f'id="{panel}"' not in page


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "erin", "frank"])
def test_home_query_count_does_not_grow_with_rows(client, world, persona):
    school, _ = world
    user = school.users[persona]
    client.force_login(user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for i in range(5):
        e = make_escalation_copy(world[1], i)
        e.case.categories.create(category="physical", detail="", added_on=date(2026, 9, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def make_escalation_copy(escalation, i):
    """Another open case of 李四's class with its own urgent escalation to the same department."""
    from careledger.cases.models import Case, Mentorship
    from careledger.escalations.models import Escalation
    from tests.support.testing import make_student

    school_class = escalation.case.student.school_class
    student = make_student(f"2023010199{i:02d}", f"学生{i}", school_class)
    case = Case.objects.create(student=student, opened_on=date(2026, 9, 1), opened_by=escalation.created_by)
    case.categories.create(category="economic", detail="", added_on=date(2026, 9, 1))
    Mentorship.objects.create(
        case=case, mentor=escalation.created_by, started_at=NOW, assigned_by=escalation.created_by
    )
    e = Escalation.objects.create(
        case=case, severity="urgent", description="x", created_by=escalation.created_by, created_at=NOW, due_at=NOW
    )
    e.departments.set(escalation.departments.all())
    return e
