"""A school admin imports a roster (checked first, then written) and staff accounts, in the browser."""

import pytest
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.roster.models import College, SchoolClass, Student

PASSWORD = "Admin-Office-2026"
COLLEGE = "文学与新闻传播学院"
ROSTER = (
    "学号,姓名,性别,学院,年级,班级,寝室,联系方式\n"
    f"202301010001,张三丰,男,{COLLEGE},2023,2023级汉语言文学1班,东区12栋305,13812345678\n"
    f"202301010002,李四,女,{COLLEGE},2023级,2023级汉语言文学1班,东区12栋306,13987654321\n"
)
BAD_ROSTER = ROSTER.replace("202301010002,李四,女", "2023010100XY,李四,未知")
STAFF = f"工号,姓名,手机,学院,角色,年级,班级\nT2026001,周老师,13800001111,{COLLEGE},辅导员,2023,\n"


@pytest.fixture
def admin(transactional_db) -> User:
    college = College.objects.create(name=COLLEGE)
    SchoolClass.objects.create(college=college, grade="2023", name="2023级汉语言文学1班")
    user = User.objects.create_user(username="alice", password=PASSWORD, name="学工处 Alice")
    Grant.objects.create(user=user, role=Role.SCHOOL_ADMIN)
    return user


def upload(page: Page, name: str, text: str, *, dry_run: bool) -> None:
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    page.get_by_label("仅检查，不写入").set_checked(dry_run)
    page.get_by_role("button", name="上传").click()


def test_admin_imports_roster_and_staff(page: Page, live_server, admin, artifacts):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名（工号）").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    nav = page.locator(".nav-desktop")
    manage = nav.locator(".nav-more > summary")  # administration is grouped under 管理 (one line at 1366 px)
    expect(manage).to_have_text("管理")
    manage.click()
    expect(nav.get_by_role("link", name="账号管理")).to_be_visible()

    # A bad file: a table of row, column and problem, and nothing written.
    nav.get_by_role("link", name="名册导入").click()
    expect(page.get_by_label("仅检查，不写入")).to_be_checked()
    upload(page, "roster.csv", BAD_ROSTER, dry_run=False)
    report = page.locator("#import-report")
    expect(report).to_contain_text("有错误，未写入")
    expect(report.get_by_role("columnheader", name="问题")).to_be_visible()
    expect(report).to_contain_text("2023010100XY")
    page.screenshot(path=str(artifacts / "desktop-roster-import-errors.png"), full_page=True)
    assert not Student.objects.exists()

    # Checked first, then written.
    upload(page, "roster.csv", ROSTER, dry_run=True)
    expect(report).to_contain_text("仅检查，未写入")
    assert not Student.objects.exists()
    upload(page, "roster.csv", ROSTER, dry_run=False)
    expect(page.locator("#import-report")).to_contain_text("导入完成")
    assert Student.objects.count() == 2

    # Staff import: the initial password is shown once, with the warning.
    manage.click()
    nav.get_by_role("link", name="账号管理").click()
    page.get_by_role("link", name="批量导入").click()
    upload(page, "staff.csv", STAFF, dry_run=False)
    passwords = page.locator("#initial-passwords")
    expect(passwords).to_contain_text("初始密码只显示这一次")
    expect(passwords).to_contain_text("T2026001")
    page.screenshot(path=str(artifacts / "desktop-staff-import.png"), full_page=True)

    manage.click()
    nav.get_by_role("link", name="账号管理").click()
    page.screenshot(path=str(artifacts / "desktop-user-list.png"), full_page=True)
    page.get_by_role("link", name="周老师").click()
    expect(page.get_by_role("heading", name="添加授权")).to_be_visible()
    expect(page.get_by_role("button", name="停用账号")).to_be_visible()
    page.screenshot(path=str(artifacts / "desktop-user-edit.png"), full_page=True)

    page.goto(f"{live_server.url}/students/000000000000/")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    page.screenshot(path=str(artifacts / "desktop-404.png"), full_page=True)
