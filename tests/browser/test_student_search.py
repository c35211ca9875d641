"""A counselor signs in, finds a student by pinyin initials (htmx), and opens the student's page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.roster.models import College, Dorm, SchoolClass, Student
from careledger.roster.rules import name_initials

PASSWORD = "Counselor-2026-pw"
ZHANG = "202301010001"


@pytest.fixture
def counselor(transactional_db) -> User:
    college = College.objects.create(name="文学与新闻传播学院")
    school_class = SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学1班")
    dorm = Dorm.objects.create(name="东区12栋305")
    for student_no, name, gender, phone in [
        (ZHANG, "张三丰", "M", "13812345678"),
        ("202301010002", "李四", "F", "13987654321"),
        ("202301010003", "王小明", "M", ""),
    ]:
        Student.objects.create(
            student_no=student_no,
            name=name,
            name_initials=name_initials(name),
            gender=gender,
            college=college,
            grade="2023",
            school_class=school_class,
            dorm=dorm,
            phone=phone,
            id_number="360702200501011239" if student_no == ZHANG else "",
        )
    user = User.objects.create_user(username="carol", password=PASSWORD, name="陈老师")
    Grant.objects.create(user=user, role=Role.COUNSELOR, college=college, grades=["2023"])
    return user


def assert_assets_loaded(page: Page) -> None:
    """Our stylesheet and htmx arrived (a missing static file fails here, not in a confusing later step)."""
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load: are static files found and served?"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(243, 245, 248)", f"app.css did not load (body background {background})"


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", name="精准关爱台账系统")).to_be_visible()
    page.get_by_label("用户名（工号）").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="您好，陈老师")).to_be_visible()
    assert_assets_loaded(page)


def search_and_open(page: Page, shots: Path, prefix: str) -> None:
    """On the student list: type 'zsf', see 张三丰 swapped in without a reload, open the student."""
    expect(page.locator("#student-table")).to_contain_text("李四")
    # A marker on window survives an htmx swap but not a full page load.
    page.evaluate("window.__noReload = true")
    page.get_by_placeholder("学号、姓名或拼音首字母").fill("zsf")
    table = page.locator("#student-table")
    expect(table).not_to_contain_text("李四")
    expect(table).to_contain_text("张三丰")
    expect(table).to_contain_text("138****5678")
    assert page.evaluate("window.__noReload === true"), "the search reloaded the page instead of swapping the table"
    expect(page).to_have_url(re.compile(r"/students/\?q=zsf&"))  # hx-push-url: the search can be bookmarked
    page.screenshot(path=str(shots / f"{prefix}-student-search.png"), full_page=True)
    assert no_horizontal_overflow(page)

    table.get_by_role("link", name="张三丰").first.click()
    expect(page.get_by_role("heading", name="张三丰")).to_be_visible()
    expect(page.locator("main")).to_contain_text("学号")
    expect(page.locator("main")).to_contain_text(ZHANG)
    expect(page.locator("main")).to_contain_text("360***********1239")
    page.screenshot(path=str(shots / f"{prefix}-student-detail.png"), full_page=True)
    assert no_horizontal_overflow(page)


def test_counselor_finds_student_by_initials(page: Page, live_server, counselor, artifacts):
    sign_in(page, live_server.url, counselor)
    page.screenshot(path=str(artifacts / "desktop-home.png"), full_page=True)
    page.locator(".nav-desktop").get_by_role("link", name="学生名册").click()
    search_and_open(page, artifacts, "desktop")


def test_counselor_finds_student_on_a_phone(phone_page: Page, live_server, counselor, artifacts):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=str(artifacts / "phone-login.png"), full_page=True)
    assert no_horizontal_overflow(page)
    sign_in(page, live_server.url, counselor)
    assert no_horizontal_overflow(page)

    # The top bar's links fold into a menu on phones.
    expect(page.locator(".nav-desktop")).to_be_hidden()
    menu = page.locator("details.menu")
    menu.locator("summary").click()
    page.screenshot(path=str(artifacts / "phone-menu.png"))
    menu.get_by_role("link", name="学生名册").click()

    search_and_open(page, artifacts, "phone")
