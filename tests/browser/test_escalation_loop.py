"""The reporting loop in the browser: a mentor, on a phone, reports an urgent escalation; the psychological
centre cannot resolve it before acknowledging, confirms receipt, then resolves it past a confirm step; the
mentor's bell shows the acknowledgement and the resolution, and the inbox tells them apart.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.cases.models import Case, Mentorship
from careledger.core.models import Semester
from careledger.escalations.models import Department, Escalation
from careledger.roster.models import College, Dorm, SchoolClass, Student
from careledger.roster.rules import name_initials

PASSWORD = "Loop-Pages-2026"


@pytest.fixture
def school(transactional_db, settle_cases) -> dict:
    today = timezone.localdate()
    college = College.objects.create(name="文学与新闻传播学院")
    school_class = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学2班")
    student = Student.objects.create(
        student_no="202301010002",
        name="李四",
        name_initials=name_initials("李四"),
        gender="F",
        college=college,
        grade="2023",
        school_class=school_class,
        dorm=Dorm.objects.create(name="东区12栋305"),
        phone="13987654321",
    )
    Semester.objects.create(
        name="本学期",
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
        ledger_due=today - timedelta(days=10),
    )
    mentor = User.objects.create_user(username="erin", password=PASSWORD, name="周老师", phone="13700001111")
    Grant.objects.create(user=mentor, role=Role.MENTOR, college=college)
    psych = Department.objects.create(code="psych_center", name="心理健康教育中心")
    centre = User.objects.create_user(username="frank", password=PASSWORD, name="心理中心值班")
    Grant.objects.create(user=centre, role=Role.DEPARTMENT, department=psych)
    counselor = User.objects.create_user(username="carol", password=PASSWORD, name="陈老师")
    Grant.objects.create(user=counselor, role=Role.COUNSELOR, college=college, grades=["2023"])
    case = Case.objects.create(student=student, opened_on=date.today() - timedelta(days=20), opened_by=counselor)
    case.categories.create(category="psych", detail="情绪低落", added_on=case.opened_on)
    Mentorship.objects.create(case=case, mentor=mentor, started_at=timezone.now(), assigned_by=counselor)
    settle_cases()
    return {"case": case, "mentor": mentor, "centre": centre}


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名（工号）").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，{user.name}")).to_be_visible()


def test_mentor_reports_the_centre_acknowledges_then_resolves_and_the_mentor_hears_back(
    page: Page, phone_page: Page, live_server, school, artifacts
):
    base, case = live_server.url, school["case"]
    # The mentor, on a phone, reports from the case page.
    sign_in(phone_page, base, school["mentor"])
    phone_page.goto(f"{base}/escalations/new/?case={case.pk}")
    phone_page.get_by_label("紧急", exact=True).check()
    phone_page.get_by_label("情况说明").fill("深夜发消息说不想活了")
    phone_page.get_by_label("心理健康教育中心").check()
    phone_page.get_by_role("button", name="立即上报").click()
    expect(phone_page.get_by_text("已上报，学院和所选部门已收到通知。")).to_be_visible()
    escalation = Escalation.objects.get()

    # The centre opens it: the reporter can be called back, and 处置完毕 is not offered before 确认收到.
    sign_in(page, base, school["centre"])
    page.goto(f"{base}/escalations/{escalation.pk}/")
    expect(page.locator('a[href="tel:13700001111"]')).to_be_visible()
    expect(page.locator(".told")).to_contain_text("心理中心值班")
    expect(page.get_by_role("button", name="处置完毕")).to_have_count(0)
    # Even a hand-made POST is refused until it is acknowledged.
    page.evaluate(
        """([url, token]) => fetch(url, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"},
            body: "resolution=x&confirmed=1&csrfmiddlewaretoken=" + token})""",
        [
            f"{base}/escalations/{escalation.pk}/resolve/",
            page.locator("input[name=csrfmiddlewaretoken]").first.input_value(),
        ],
    )
    escalation.refresh_from_db()
    assert escalation.status == "open"

    page.get_by_role("button", name="确认收到").click()
    expect(page.locator("[data-status]")).to_have_text("已确认")
    page.get_by_label("处置结果").fill("已联系家长并陪同就医")
    page.get_by_role("button", name="处置完毕").click()
    # A confirm step before the escalation closes.
    expect(page.get_by_role("heading", name="确认处置完毕？")).to_be_visible()
    page.get_by_role("button", name="确认处置完毕").click()
    expect(page.get_by_text("已处置。")).to_be_visible()
    expect(page.locator("table.history")).to_contain_text("文学与新闻传播学院")
    expect(page.locator("table.history")).not_to_contain_text("李四")
    escalation.refresh_from_db()
    assert escalation.status == "resolved"

    # The mentor's bell shows two unread messages: the acknowledgement and the resolution.
    phone_page.goto(f"{base}/")
    expect(phone_page.locator(".bell-count")).to_have_text("2")
    phone_page.locator(".bell").click()
    expect(phone_page.get_by_text("您上报的安全隐患（李四）确认收到")).to_be_visible()
    expect(phone_page.get_by_text("您上报的安全隐患（李四）处置完毕")).to_be_visible()
    phone_page.screenshot(path=str(artifacts / "phone-inbox-escalation-loop.png"), full_page=True)
