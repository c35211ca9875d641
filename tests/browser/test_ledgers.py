"""The semester survey and the ledger in the browser: a counselor reviews a student, opens the college's
ledger and fills it in; the college_admin confirms it as 负责人 and sends it; 学工处 sees it reported in the school view and downloads the workbook.

The live server runs on the real clock: the semester began a month ago and the ledger is due in ten days.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.cases.models import Case
from careledger.core.models import Semester
from careledger.ledgers.models import Ledger, SurveyReview
from careledger.roster.models import College, Dorm, SchoolClass, Student
from careledger.roster.rules import name_initials

PASSWORD = "Ledger-Pages-2026"
COLLEGE = "文学与新闻传播学院"
ZHANG, LI = "202301010001", "202301010002"


def student(student_no: str, name: str, school_class: SchoolClass, **extra) -> Student:
    return Student.objects.create(
        student_no=student_no,
        name=name,
        name_initials=name_initials(name),
        gender=extra.pop("gender", "M"),
        college=school_class.college,
        grade=school_class.grade,
        school_class=school_class,
        **extra,
    )


@pytest.fixture
def school(transactional_db, settle_cases) -> dict:
    today = timezone.localdate()
    college = College.objects.create(name=COLLEGE)
    class_1 = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学1班")
    class_2 = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学2班")
    student(ZHANG, "张三丰", class_1)
    li = student(LI, "李四", class_2, gender="F", dorm=Dorm.objects.create(name="东区12栋305"), phone="13987654321")
    counselor = User.objects.create_user(username="carol", password=PASSWORD, name="陈老师")
    Grant.objects.create(user=counselor, role=Role.COUNSELOR, college=college, grades=["2023"])
    admin = User.objects.create_user(username="alice", password=PASSWORD, name="学工处 Alice")
    Grant.objects.create(user=admin, role=Role.SCHOOL_ADMIN)
    head = User.objects.create_user(username="bob", password=PASSWORD, name="李书记")
    Grant.objects.create(user=head, role=Role.COLLEGE_ADMIN, college=college)
    semester = Semester.objects.create(
        name="本学期",
        start=today - timedelta(days=30),
        end=today + timedelta(days=90),
        ledger_due=today + timedelta(days=10),
    )
    # Last semester's accepted ledger had 张三丰 (since closed); 李四's case is older but was not on it.
    last = Semester.objects.create(
        name="上学期",
        start=semester.start - timedelta(days=200),
        end=semester.start - timedelta(days=40),
        ledger_due=semester.start - timedelta(days=180),
    )
    Ledger.objects.create(
        semester=last,
        college=college,
        created_by=counselor,
        status="accepted",
        snapshot={"rows": {"economic": [{"_student_no": ZHANG, "姓名": "张三丰", "_case": None, "_risk": "low"}]}},
    )
    case = Case.objects.create(
        student=li, opened_on=semester.start - timedelta(days=120), opened_by=counselor, plan="每两周谈心"
    )
    case.categories.create(category="economic", detail="单亲家庭，母亲务农", added_on=case.opened_on)
    settle_cases()
    return {"counselor": counselor, "admin": admin, "head": head, "semester": semester, "case": case}


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名（工号）").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，{user.name}")).to_be_visible()


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_counselor_surveys_and_submits_the_ledger_and_the_school_sees_it(page: Page, live_server, school, artifacts):
    base = live_server.url
    sign_in(page, base, school["counselor"])
    nav = page.locator(".nav-desktop")

    # 摸排: 张三丰 gives no concern; 李四's existing case is confirmed.
    nav.get_by_role("link", name="摸排").click()
    expect(page.get_by_role("heading", name="学期摸排")).to_be_visible()
    students = page.locator("#students")
    expect(students).to_contain_text("共 2 人")
    page.screenshot(path=str(artifacts / "desktop-survey.png"), full_page=True)
    # Each mark is answered by htmx in place: the row shows its outcome and an undo, nothing reloads.
    page.evaluate("window.__noReload = true")
    students.locator("tr", has_text="张三丰").get_by_role("button", name="无需关注").click()
    expect(students.locator("tr", has_text="张三丰").get_by_role("button", name="撤销")).to_be_visible()
    expect(students.locator("tr", has_text="张三丰")).to_contain_text("无需关注")
    students.locator("tr", has_text="李四").get_by_role("button", name="确认已有档案").click()
    expect(students.locator("tr", has_text="李四").get_by_role("button", name="撤销")).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    expect(page.locator("#progress")).to_contain_text("100%")
    assert dict(SurveyReview.objects.values_list("student__student_no", "outcome")) == {
        ZHANG: "no_concern",
        LI: "case_confirmed",
    }

    # 台账: start the draft, check the live table, sign and submit.
    nav.get_by_role("link", name="台账", exact=True).click()
    page.get_by_role("button", name="开始填报").click()
    expect(page.get_by_role("heading", name=COLLEGE)).to_be_visible()
    economic = page.locator("#table-economic")
    expect(economic.get_by_role("columnheader", name="家庭经济状况和存在问题")).to_be_visible()
    expect(economic).to_contain_text("单亲家庭，母亲务农")
    expect(economic).to_contain_text("139****4321")
    page.get_by_label("填表人").fill("陈老师")
    # The submission warns, with numbers, about the case without a mentor; the counselor confirms.
    expect(page.locator(".submit-warnings")).to_contain_text("1 份在档档案中有 1 份没有帮扶导师")
    page.get_by_label("我已核对以上提示，仍然上报").check()
    page.screenshot(path=str(artifacts / "desktop-ledger-draft.png"), full_page=True)
    page.get_by_role("button", name="提交负责人确认").click()
    expect(page.locator(".messages")).to_contain_text("待学院负责人确认")
    expect(page.locator(".page-head .awaiting-badge")).to_have_text("待负责人确认")
    page.locator(".user-area").first.get_by_role("button", name="退出").click()

    # The college_admin signs as 负责人 and sends it.
    sign_in(page, base, school["head"])
    page.goto(f"{base}/ledgers/{Ledger.objects.get(semester=school['semester']).pk}/")
    expect(page.locator(".awaiting")).to_contain_text("陈老师")
    expect(page.get_by_label("负责人")).to_have_value("李书记")
    page.get_by_label("我已核对以上提示，仍然上报").check()
    page.get_by_role("button", name="确认并上报").click()
    expect(page.locator(".messages")).to_contain_text("台账已上报学工处")
    expect(page.locator(".page-head .badge")).to_have_text("已上报")
    expect(page.locator(".page-head .awaiting-badge")).to_have_count(0)
    expect(page.locator("#steps")).to_contain_text("上报")
    page.screenshot(path=str(artifacts / "desktop-ledger-submitted.png"), full_page=True)
    ledger = Ledger.objects.get(semester=school["semester"])
    assert (ledger.status, ledger.late, ledger.filled_by, ledger.responsible) == (
        "submitted",
        False,
        "陈老师",
        "李书记",
    )
    page.locator(".user-area").first.get_by_role("button", name="退出").click()

    # 学工处: the school view shows it reported; the workbook downloads.
    sign_in(page, base, school["admin"])
    page.locator(".nav-desktop").get_by_role("link", name="全校台账").click()
    row = page.locator("#colleges tr", has_text=COLLEGE)
    expect(row).to_contain_text("已上报")
    expect(row.get_by_role("button", name="接收")).to_be_visible()
    page.screenshot(path=str(artifacts / "desktop-school-ledgers.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="下载全校台账 (.xlsx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    assert download.suggested_filename == "本学期_全校台账.xlsx"

    row.get_by_role("button", name="接收").click()
    expect(page.locator(".messages")).to_contain_text(f"已接收{COLLEGE}的台账")
    expect(page.locator("#colleges tr", has_text=COLLEGE)).to_contain_text("已接收")

    # Next semester's question: who is new, who left, who changed.
    page.get_by_role("link", name="学期对比").click()
    expect(page.locator("#new")).to_contain_text("李四")
    expect(page.locator("#closed")).to_contain_text("张三丰")
    page.screenshot(path=str(artifacts / "desktop-ledger-compare.png"), full_page=True)


def test_survey_on_a_phone(phone_page: Page, live_server, school, artifacts):
    page = phone_page
    sign_in(page, live_server.url, school["counselor"])
    page.goto(f"{live_server.url}/survey/")
    expect(page.locator("#students")).to_contain_text("张三丰")
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "phone-survey.png"), full_page=True)
    page.locator("#students tr", has_text="张三丰").get_by_role("button", name="无需关注").click()
    expect(page.locator("#students tr", has_text="张三丰").get_by_role("button", name="撤销")).to_be_visible()

    page.goto(f"{live_server.url}/ledgers/")
    page.get_by_role("button", name="开始填报").click()
    expect(page.locator("#table-economic")).to_contain_text("李四")
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "phone-ledger.png"), full_page=True)
