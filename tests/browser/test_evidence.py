"""Evidence-led survey in the browser (issue 16): the psych centre uploads a UPI screening, 学工处 the aid
and card lists; the counselor sees suggestions from three sources on the survey page, confirms one (the
case opens) and declines one with a reason; the survey's figures move."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.cases.models import Case
from careledger.core.models import Semester
from careledger.escalations.models import Department
from careledger.evidence.models import Suggestion
from careledger.roster.models import College, SchoolClass, Student
from careledger.roster.rules import name_initials

PASSWORD = "Evidence-Pages-2026"
ZHANG, LI = "202301010001", "202301010002"


@pytest.fixture
def school(transactional_db) -> dict:
    today = timezone.localdate()
    college = College.objects.create(name="文学与新闻传播学院")
    cls = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学1班")
    for no, name in ((ZHANG, "张三丰"), (LI, "李四")):
        Student.objects.create(
            student_no=no,
            name=name,
            name_initials=name_initials(name),
            gender="M",
            college=college,
            grade="2023",
            school_class=cls,
        )
    users = {}
    psych = Department.objects.create(code="psych_center", name="心理健康教育中心")
    for username, role, scope in (
        ("carol", Role.COUNSELOR, {"college": college, "grades": ["2023"]}),
        ("frank", Role.DEPARTMENT, {"department": psych}),
        ("alice", Role.SCHOOL_ADMIN, {}),
    ):
        users[username] = User.objects.create_user(username=username, password=PASSWORD, name=username)
        Grant.objects.create(user=users[username], role=role, **scope)
    Semester.objects.create(
        name="本学期",
        start=today - timedelta(days=30),
        end=today + timedelta(days=90),
        ledger_due=today + timedelta(days=10),
    )
    return users


def sign_in(browser, base: str, username: str) -> Page:
    """A fresh browser context per person (no cookie carried over), signed in."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名（工号）").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，{username}")).to_be_visible()
    return page


def upload(page: Page, base: str, source: str, name: str, text: str) -> None:
    page.goto(f"{base}/evidence/upload/")
    page.get_by_label("文件类型").select_option(source)
    page.locator("input[type=file]").set_input_files({"name": name, "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_label("仅检查，不写入").set_checked(False)
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#import-report")).to_contain_text("已写入")


def upi(no: str, *yes: int) -> str:
    return no + "," + ",".join("是" if i in yes else "否" for i in range(1, 65))


def test_counselor_confirms_and_declines_suggestions(browser, live_server, school, artifacts):
    base = live_server.url
    page = sign_in(browser, base, "frank")
    header = "学号," + ",".join(str(i) for i in range(1, 65))
    upload(page, base, "upi", "upi.csv", "\n".join([header, upi(LI, *range(1, 30)), upi(ZHANG, 1)]))
    expect(page.locator("#import-report")).to_contain_text("紧急上报")
    page.context.close()
    page = sign_in(browser, base, "alice")
    upload(page, base, "aid", "aid.csv", f"学号,认定等级\n{LI},困难\n")
    upload(page, base, "card", "card.csv", f"学号,月份,就餐次数,食堂消费\n{ZHANG},2026-10,70,520\n")
    assert Suggestion.objects.filter(status="pending").count() == 3

    page.context.close()
    page = sign_in(browser, base, "carol")
    page.goto(f"{base}/survey/")
    li_row = page.locator(f"#student-{LI}")
    expect(li_row).to_contain_text("心理中心 · UPI 普查")
    expect(li_row).to_contain_text("资助中心 · 家庭经济困难认定")
    expect(page.locator(f"#student-{ZHANG}")).to_contain_text("后勤 · 一卡通消费")
    expect(page.locator("#evidence-pending")).to_be_visible()
    page.screenshot(path=str(artifacts / "desktop-survey-suggestions.png"), full_page=True)

    psych = Suggestion.objects.get(student__student_no=LI, category="psych")
    page.locator(f"#suggestion-{psych.pk}").get_by_role("button", name="确认建档").click()
    expect(page.get_by_text("已记入档案")).to_be_visible()
    case = Case.objects.get(student__student_no=LI)
    assert list(case.categories.values_list("category", flat=True)) == ["psych"]

    card = Suggestion.objects.get(student__student_no=ZHANG)
    item = page.locator(f"#suggestion-{card.pk}")
    item.get_by_placeholder("排除理由（必填）").fill("已核实：该生在校外就餐")
    item.get_by_role("button", name="排除").click()
    expect(page.get_by_text("已排除该建议")).to_be_visible()
    card.refresh_from_db()
    assert card.status == "declined" and card.decline_reason == "已核实：该生在校外就餐"
    # 李四's aid suggestion still waits.
    expect(page.locator(f"#student-{LI}")).to_contain_text("资助中心 · 家庭经济困难认定")
    page.context.close()
