"""Each role's day in one screen (issue 15): the home page of every role shows its waiting items, with counts
that match the API, on a desktop and on a 390 px phone (no sideways scroll, no row taller than the screen);
and a 44-student class surveyed in a handful of clicks with htmx swaps only (no full-page reload).

The live server runs on the real clock: the semester began a month ago, its ledger was due yesterday.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.cases.models import Case, Mentorship
from careledger.core.models import Semester
from careledger.escalations.models import Department, Escalation
from careledger.ledgers.models import SurveyReview
from careledger.roster.models import College, SchoolClass, Student
from careledger.roster.rules import name_initials

PASSWORD = "Role-Homes-2026"
CLASS_SIZE = 44


def user(username: str, name: str, role: str, **scope) -> User:
    u = User.objects.create_user(username=username, password=PASSWORD, name=name)
    classes = scope.pop("classes", [])
    grant = Grant.objects.create(user=u, role=role, **scope)
    grant.classes.set(classes)
    return u


@pytest.fixture
def school(transactional_db, settle_cases) -> dict:
    today = timezone.localdate()
    college = College.objects.create(name="文学与新闻传播学院")
    other = College.objects.create(name="数学与计算机科学学院")
    cls = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学1班")
    students = [
        Student.objects.create(
            student_no=f"2023010100{i:02d}",
            name=f"学生{i:02d}",
            name_initials=name_initials(f"学生{i:02d}"),
            gender="M" if i % 2 else "F",
            college=college,
            grade="2023",
            school_class=cls,
        )
        for i in range(CLASS_SIZE)
    ]
    psych = Department.objects.create(code="psych_center", name="心理健康教育中心")
    people = {
        "alice": user("alice", "学工处甲", Role.SCHOOL_ADMIN),
        "bob": user("bob", "学院乙", Role.COLLEGE_ADMIN, college=college),
        "ivan": user("ivan", "学院丙", Role.COLLEGE_ADMIN, college=other),
        "carol": user("carol", "辅导员丁", Role.COUNSELOR, college=college, grades=["2023"]),
        "dave": user("dave", "班主任戊", Role.CLASS_TEACHER, college=college, classes=[cls]),
        "erin": user("erin", "导师己", Role.MENTOR, college=college),
        "frank": user("frank", "心理中心庚", Role.DEPARTMENT, department=psych),
    }
    Semester.objects.create(
        name="本学期",
        start=today - timedelta(days=30),
        end=today + timedelta(days=90),
        ledger_due=today - timedelta(days=1),
    )
    now = timezone.now()
    for i, s in enumerate(students[:3]):
        case = Case.objects.create(student=s, opened_on=today - timedelta(days=60), opened_by=people["carol"])
        case.categories.create(category="physical", detail="先天性心脏病", added_on=case.opened_on)
        Mentorship.objects.create(case=case, mentor=people["erin"], started_at=now, assigned_by=people["carol"])
        if i == 0:
            e = Escalation.objects.create(
                case=case,
                severity="urgent",
                description="情绪激动",
                created_by=people["erin"],
                created_at=now - timedelta(minutes=20),
                due_at=now + timedelta(minutes=40),
            )
            e.departments.set([psych])
    settle_cases()
    return {"class": cls, "students": students, **people}


def sign_in(page: Page, base: str, u: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名（工号）").fill(u.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，{u.name}")).to_be_visible()


def api(u: User, path: str) -> dict:
    client = Client()
    client.force_login(u)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.json()


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    tallest = page.evaluate("Math.max(0, ...Array.from(document.querySelectorAll('tr')).map(r => r.offsetHeight))")
    assert tallest <= 844, f"a table row is {tallest}px tall"


def check_home(page: Page, school: dict, persona: str) -> None:
    u = school[persona]
    if persona == "frank":
        waiting = [e for e in api(u, "/api/v1/escalations/")["results"] if e["status"] != "resolved"]
        expect(page.locator("#home-reports .work-item")).to_have_count(len(waiting))
        expect(page.locator("#home-reports")).to_contain_text("距确认期限还有")
    elif persona == "alice":
        waiting = [e for e in api(u, "/api/v1/escalations/")["results"] if e["status"] == "open"]
        expect(page.locator('[data-count="escalations-waiting"]')).to_have_text(str(len(waiting)))
        expect(page.locator("#home-ledgers")).to_contain_text("已过截止日期仍未上报")
    elif persona == "dave":
        physical = api(u, "/api/v1/cases/?category=physical")["count"]
        expect(page.locator("#home-verify li")).to_have_count(physical)
    elif persona == "erin":
        mine = api(u, "/api/v1/cases/")["count"]
        expect(page.locator("#my-cases .work-item")).to_have_count(mine)
        expect(page.locator("#home-search input[type=search]")).to_be_visible()
    elif persona == "carol":
        students = api(u, f"/api/v1/students/?class={school['class'].name}")["count"]
        expect(page.locator("#home-survey tbody tr", has_text=school["class"].name)).to_contain_text(str(students))
    elif persona in ("bob", "ivan"):
        expect(page.locator("#home-ledgers")).to_contain_text("已过截止日期仍未上报")
        escalations = api(u, "/api/v1/escalations/")["count"]
        expect(page.locator("#home-escalations")).to_have_count(1 if escalations else 0)


@pytest.mark.parametrize("persona", ["alice", "bob", "ivan", "carol", "dave", "erin", "frank"])
def test_each_role_home_shows_its_waiting_items_on_a_desktop(page: Page, live_server, school, artifacts, persona):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, school[persona])
    check_home(page, school, persona)
    # The top menu stays on one line at 1366 px.
    assert page.evaluate("document.querySelector('.nav-desktop .nav').offsetHeight") < 60
    page.screenshot(path=str(artifacts / f"home-{persona}-desktop.png"), full_page=True)


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "erin", "frank"])
def test_each_role_home_fits_a_phone(phone_page: Page, live_server, school, artifacts, persona):
    sign_in(phone_page, live_server.url, school[persona])
    check_home(phone_page, school, persona)
    fits_the_phone(phone_page)
    phone_page.screenshot(path=str(artifacts / f"home-{persona}-phone.png"), full_page=True)


def test_pages_fit_a_phone(phone_page: Page, live_server, school, artifacts):
    page = phone_page
    sign_in(page, live_server.url, school["carol"])
    for path in ("/survey/", "/cases/", "/work/"):
        page.goto(live_server.url + path)
        fits_the_phone(page)
    page.goto(live_server.url + "/ledgers/")
    page.get_by_role("button", name="开始填报").click()
    expect(page.locator("#table-physical")).to_contain_text("学生00")
    fits_the_phone(page)
    page.screenshot(path=str(artifacts / "phone-ledger-cards.png"), full_page=True)
    page.context.clear_cookies()
    sign_in(page, live_server.url, school["alice"])
    page.goto(live_server.url + "/ledgers/school/")
    fits_the_phone(page)


def test_a_44_student_class_surveyed_in_a_few_clicks_without_a_reload(page: Page, live_server, school, artifacts):
    sign_in(page, live_server.url, school["carol"])
    page.goto(f"{live_server.url}/survey/?class={school['class'].pk}")
    students = page.locator("#students")
    expect(students.locator("tbody tr")).to_have_count(CLASS_SIZE)
    page.evaluate("window.__noReload = true")
    clicks = 0
    # The three students with a case: their existing case confirmed, one tap each.
    for s in school["students"][:3]:
        students.locator("tr", has_text=s.name).get_by_role("button", name="确认已有档案").click()
        clicks += 1
        expect(students.locator("tr", has_text=s.name).get_by_role("button", name="撤销")).to_be_visible()
    # One by mistake, then undone.
    row = students.locator("tr", has_text=school["students"][3].name)
    row.get_by_role("button", name="无需关注").click()
    row.get_by_role("button", name="撤销").click()
    clicks += 2
    expect(row.get_by_role("button", name="无需关注")).to_be_visible()
    # The rest of the class: 41 students, confirmed with their count.
    page.get_by_label("我已逐一了解，其余 41 名学生无需关注").check()
    page.get_by_role("button", name="其余 41 人无需关注").click()
    clicks += 2
    expect(page.locator("#progress")).to_contain_text("100%")
    assert page.evaluate("window.__noReload") is True, "the page was reloaded"
    assert clicks < 60
    assert SurveyReview.objects.filter(student__school_class=school["class"]).count() == CLASS_SIZE
    expect(students.locator("tbody tr .badge", has_text="无需关注")).to_have_count(CLASS_SIZE - 3)
    page.screenshot(path=str(artifacts / "desktop-survey-done.png"), full_page=True)
