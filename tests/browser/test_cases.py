"""Case files in the browser: a counselor opens a case and pairs a mentor; a mentor, on a phone, records a
dorm visit and the overdue mark goes away.

The live server runs on the real clock, so the semester and the contacts are laid out around today.
"""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.cases.models import Case, Mentorship
from careledger.contacts.models import Contact
from careledger.core.models import Semester
from careledger.roster.models import College, Dorm, SchoolClass, Student
from careledger.roster.rules import name_initials

PASSWORD = "Case-Pages-2026"
LI = "202301010002"
DORM = "东区12栋305"


def month_start(day: date, months_back: int) -> date:
    year, month = day.year, day.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


@pytest.fixture
def school(transactional_db) -> dict:
    today = timezone.localdate()
    college = College.objects.create(name="文学与新闻传播学院")
    school_class = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学2班")
    student = Student.objects.create(
        student_no=LI,
        name="李四",
        name_initials=name_initials("李四"),
        gender="F",
        college=college,
        grade="2023",
        school_class=school_class,
        dorm=Dorm.objects.create(name=DORM),
        phone="13987654321",
    )
    counselor = User.objects.create_user(username="carol", password=PASSWORD, name="陈老师")
    Grant.objects.create(user=counselor, role=Role.COUNSELOR, college=college, grades=["2023"])
    mentor = User.objects.create_user(username="erin", password=PASSWORD, name="周老师")
    Grant.objects.create(user=mentor, role=Role.MENTOR, college=college)
    # Two whole months behind us, and the current one.
    semester = Semester.objects.create(
        name="本学期",
        start=month_start(today, 2),
        end=today + timedelta(days=60),
        ledger_due=month_start(today, 2) + timedelta(days=18),
    )
    return {"today": today, "student": student, "counselor": counselor, "mentor": mentor, "semester": semester}


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名（工号）").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，{user.name}")).to_be_visible()


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_counselor_opens_a_case_with_two_categories_and_pairs_a_mentor(page: Page, live_server, school, artifacts):
    sign_in(page, live_server.url, school["counselor"])
    page.goto(f"{live_server.url}/students/{LI}/")
    page.get_by_role("link", name="建档").click()
    expect(page.get_by_role("heading", name="为 李四 建档")).to_be_visible()

    # Ticking a category shows its fields (the ledger column and the structured ones).
    detail = page.get_by_label("家庭经济状况和存在问题")
    expect(detail).to_be_hidden()
    page.get_by_label("家庭经济困难", exact=True).check()
    detail.fill("单亲家庭，母亲务农，无固定收入")
    page.get_by_label("困难等级").select_option(label="特别困难")
    page.get_by_label("心理异常", exact=True).check()
    page.get_by_label("问题类型、行为异常描述和危害性判断").fill("入学后情绪持续低落，夜间失眠")
    page.get_by_label("问题类型", exact=True).fill("抑郁倾向")
    page.get_by_label("风险等级").select_option(label="中")
    page.get_by_label("问题类型及问题描述").fill("家庭经济困难，情绪低落")
    page.get_by_label("辅导方案 / 帮扶措施").fill("每两周谈心；申请国家助学金；联系心理中心评估")
    page.screenshot(path=str(artifacts / "desktop-case-open.png"), full_page=True)
    page.get_by_role("button", name="建档").click()

    expect(page.get_by_role("heading", name="李四")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("已为 李四 建档")
    categories = page.locator("#categories")
    expect(categories).to_contain_text("家庭经济困难")
    expect(categories).to_contain_text("心理异常")
    expect(categories).to_contain_text("特别困难")
    expect(page.locator("#mentor")).to_contain_text("未结对")

    mentor = page.locator("#mentor")
    mentor.get_by_label("帮扶导师").select_option(label="周老师（erin）")
    mentor.get_by_role("button", name="结对").click()
    expect(page.locator(".messages")).to_contain_text("已与 周老师 结对")
    expect(page.locator("#mentor")).to_contain_text("周老师")
    expect(page.locator("#timeline")).to_contain_text("结对导师")
    page.screenshot(path=str(artifacts / "desktop-case-detail.png"), full_page=True)
    assert no_horizontal_overflow(page)

    case = Case.objects.get(student__student_no=LI)
    assert sorted(case.categories.values_list("category", flat=True)) == ["economic", "psych"]
    assert case.mentorships.get(ended_at__isnull=True).mentor == school["mentor"]


def _contact(case: Case, kind: str, day: date, by: User) -> None:
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 8, 0))
    Contact.objects.create(case=case, kind=kind, occurred_at=moment, local_date=day, recorded_by=by)


@pytest.fixture
def paired_case(school, settle_cases) -> Case:
    """Open since the semester began, paired with the mentor; every talk window met, and last month
    one dorm visit of the two required: that month is the only overdue window."""
    today, mentor, start = school["today"], school["mentor"], school["semester"].start
    case = Case.objects.create(student=school["student"], opened_on=start, opened_by=school["counselor"])
    case.categories.create(category="economic", detail="家庭经济困难", added_on=start)
    Mentorship.objects.create(case=case, mentor=mentor, started_at=timezone.now(), assigned_by=school["counselor"])
    for months_back in (2, 1, 0):
        first = month_start(today, months_back)
        for day in (first, first.replace(day=16)):
            if day <= today:
                _contact(case, "talk", day, mentor)
    two_back, last_month = month_start(today, 2), month_start(today, 1)
    _contact(case, "dorm_visit", two_back.replace(day=3), mentor)
    _contact(case, "dorm_visit", two_back.replace(day=18), mentor)
    _contact(case, "dorm_visit", last_month.replace(day=5), mentor)
    settle_cases()
    return case


def test_mentor_records_a_dorm_visit_on_a_phone_and_the_overdue_mark_goes(
    phone_page: Page, live_server, school, paired_case, artifacts
):
    page = phone_page
    last_month = month_start(school["today"], 1)
    sign_in(page, live_server.url, school["mentor"])
    row = page.locator(".work-item", has_text="李四")
    expect(row.locator(".overdue-mark")).to_be_visible()
    expect(row.locator(".window-overdue")).to_have_count(1)
    expect(row.locator(".window-overdue")).to_contain_text(f"下寝室 {last_month.month}月")
    page.screenshot(path=str(artifacts / "phone-work-overdue.png"), full_page=True)
    assert no_horizontal_overflow(page)

    row.get_by_role("link", name="记录辅导").click()
    expect(page.get_by_role("heading", name="记录辅导：李四")).to_be_visible()
    page.locator("label.kind-option", has_text="谈心交流").click()
    expect(page.get_by_label("辅导地点")).to_have_value("")
    page.locator("label.kind-option", has_text="下寝室交流").click()
    expect(page.get_by_label("辅导地点")).to_have_value(DORM)  # the dorm, filled in for a dorm visit
    # It happened last month, written up now: the time defaults to now and is changed here.
    page.get_by_label("辅导时间").fill(f"{last_month.replace(day=20).isoformat()}T19:30")
    page.get_by_label("辅导内容").fill("到寝室看望，作息正常，与室友相处融洽")
    page.screenshot(path=str(artifacts / "phone-contact-entry.png"), full_page=True)
    assert no_horizontal_overflow(page)
    page.get_by_role("button", name="保存记录").click()

    expect(page.locator(".messages")).to_contain_text("已记录下寝室交流")
    row = page.locator(".work-item", has_text="李四")
    expect(row).to_be_visible()
    expect(row.locator(".overdue-mark")).to_have_count(0)
    expect(row.locator(".window-overdue")).to_have_count(0)
    page.screenshot(path=str(artifacts / "phone-work-after-visit.png"), full_page=True)

    contact = Contact.objects.get(case=paired_case, local_date=last_month.replace(day=20))
    assert (contact.kind, contact.location, contact.recorded_by) == ("dorm_visit", DORM, school["mentor"])
