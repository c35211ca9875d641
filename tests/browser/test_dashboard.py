"""The assessment dashboard in the browser: 学工处 opens 考核 and every chart is drawn (an ECharts instance on
each chart element, a canvas with ink on it), downloads as PNG, and the page fits a phone.

The live server runs on the real clock: this semester began 80 days ago, the last one the year before.
Six colleges, a counselor and a mentor each, ~10 cases per college in all seven categories and three
risk levels, contacts that meet some windows and miss others, a few escalations.
"""

import random
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from careledger.accounts.models import Grant, Role, User
from careledger.cases.models import Case, Mentorship
from careledger.contacts.models import Contact
from careledger.core.models import Semester
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger, SurveyReview
from careledger.roster.models import College, SchoolClass, Student
from careledger.roster.rules import name_initials

PASSWORD = "Assessment-Pages-2026"
COLLEGES = [
    "文学与新闻传播学院",
    "数学与计算机科学学院",
    "外国语学院",
    "物理与电子信息学院",
    "教育科学学院",
    "经济管理学院",
]
CATEGORIES = ["economic", "academic", "psych", "internet", "physical", "discipline", "other"]
CHARTS = ["trend", "categories", "heatmap", "compliance", "escalations"]


def aware(day, hour=15):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def school(transactional_db, settle_cases) -> dict:
    rng = random.Random(2026)
    today = timezone.localdate()
    start = today - timedelta(days=80)
    Semester.objects.create(
        name="上学期",
        start=start - timedelta(days=200),
        end=start - timedelta(days=60),
        ledger_due=start - timedelta(days=180),
    )
    semester = Semester.objects.create(
        name="本学期",
        start=start,
        end=today + timedelta(days=60),
        ledger_due=start + timedelta(days=18),
    )
    admin = User.objects.create_user(username="alice", password=PASSWORD, name="学工处 Alice")
    Grant.objects.create(user=admin, role=Role.SCHOOL_ADMIN)
    n = 0
    for c, name in enumerate(COLLEGES):
        college = College.objects.create(name=name)
        klass = SchoolClass.objects.create(college=college, grade="2023", name=f"2023级{name[:2]}1班")
        counselor = User.objects.create_user(username=f"counselor{c}", password=PASSWORD, name=f"辅导员{c + 1}")
        Grant.objects.create(user=counselor, role=Role.COUNSELOR, college=college, grades=["2023"])
        mentor = User.objects.create_user(username=f"mentor{c}", password=PASSWORD, name=f"导师{c + 1}")
        Grant.objects.create(user=mentor, role=Role.MENTOR, college=college)
        students = []
        for i in range(30):
            n += 1
            students.append(
                Student.objects.create(
                    student_no=f"2023{c:02d}{i:04d}",
                    name=f"学生{n}",
                    name_initials=name_initials("学生"),
                    gender="M" if i % 2 else "F",
                    college=college,
                    grade="2023",
                    school_class=klass,
                )
            )
        for student in students[: 20 + 3 * c]:
            SurveyReview.objects.create(semester=semester, student=student, outcome="no_concern", reviewed_by=counselor)
        for i, student in enumerate(students[: 6 + c]):
            opened = start - timedelta(days=rng.choice([10, 100, 150])) if i % 3 else start + timedelta(days=2)
            case = Case.objects.create(
                student=student,
                opened_on=opened,
                risk_level=rng.choice(["low", "low", "medium", "high"]),
                opened_by=counselor,
            )
            for code in rng.sample(CATEGORIES, rng.choice([1, 1, 2])):
                case.categories.create(category=code, added_on=opened)
            if rng.random() < 0.85:
                Mentorship.objects.create(case=case, mentor=mentor, started_at=aware(opened), assigned_by=counselor)
            diligence = 0.45 + 0.1 * c  # some colleges keep up with their contacts better than others
            day = max(opened, start)
            while day < today:
                if rng.random() < diligence:
                    Contact.objects.create(
                        case=case, kind="talk", occurred_at=aware(day), local_date=day, recorded_by=mentor
                    )
                if rng.random() < diligence:
                    Contact.objects.create(
                        case=case, kind="dorm_visit", occurred_at=aware(day), local_date=day, recorded_by=mentor
                    )
                day += timedelta(days=7)
            if i < 2 and c % 2 == 0:
                created = aware(start + timedelta(days=20 + 9 * i + c), 10)
                Escalation.objects.create(
                    case=case,
                    severity="urgent",
                    description="演示",
                    created_by=mentor,
                    created_at=created,
                    due_at=created + timedelta(hours=1),
                    acknowledged_at=created + timedelta(minutes=15 + 20 * c + 30 * i),
                    resolved_at=created + timedelta(minutes=300 + 60 * c),
                    status="resolved",
                )
        if c < 4:
            Ledger.objects.create(
                semester=semester,
                college=college,
                status="submitted",
                submitted_at=aware(start + timedelta(days=10 + 4 * c)),
                late=start + timedelta(days=10 + 4 * c) > semester.ledger_due,
                created_by=counselor,
            )
    settle_cases()
    return {"admin": admin, "semester": semester}


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名（工号）").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，{user.name}")).to_be_visible()


# Drawn: an ECharts instance on the element, and a canvas with enough non-white pixels on it.
INK = """el => {
  const chart = window.echarts && window.echarts.getInstanceByDom(el);
  const canvas = el.querySelector("canvas");
  if (!chart || !canvas || !canvas.width || !canvas.height) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] > 0 && (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235)) ink++;
  }
  return ink;
}"""


def charts_drawn(page: Page) -> dict[str, int]:
    page.wait_for_function(
        "() => window.echarts && [...document.querySelectorAll('[data-chart]')]"
        ".every(el => window.echarts.getInstanceByDom(el))"
    )
    return {name: page.locator(f'[data-chart="{name}"]').evaluate(INK) for name in CHARTS}


def test_school_dashboard_draws_every_chart(page: Page, live_server, school, artifacts):
    problems = []  # script errors and Content-Security-Policy violations (Chromium logs them as errors)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, live_server.url, school["admin"])
    page.locator(".nav-desktop").get_by_role("link", name="考核").click()
    expect(page.get_by_role("heading", name="考核", exact=True)).to_be_visible()
    expect(page.locator("#kpis")).to_contain_text("摸排覆盖率")
    expect(page.locator("#kpis .stat").first).to_have_attribute("title", "摸排覆盖率 = 已摸排学生 / 在册学生")

    ink = charts_drawn(page)
    assert all(n > 2000 for n in ink.values()), ink
    # The numbers beside each chart.
    expect(page.locator("#categories table")).to_contain_text("外国语学院")
    expect(page.locator("#compliance table")).to_contain_text("%")
    expect(page.locator("#trend table")).to_contain_text("上学期")
    # The canvases use the page's font stack, CJK face included.
    font = page.locator('[data-chart="categories"]').evaluate(
        "el => window.echarts.getInstanceByDom(el).getOption().textStyle.fontFamily"
    )
    assert "Noto Sans CJK SC" in font, font
    # Compliance against the target line (a setting, 90 %).
    mark = page.locator('[data-chart="compliance"]').evaluate(
        "el => window.echarts.getInstanceByDom(el).getOption().series[0].markLine.data[0].yAxis"
    )
    assert mark == 90
    page.screenshot(path=str(artifacts / "desktop-assessment-dashboard.png"), full_page=True)

    # Each chart downloads as a PNG from its toolbox.
    for name in CHARTS:
        save = page.locator(f'[data-chart="{name}"]').evaluate(
            "el => { const c = window.echarts.getInstanceByDom(el);"
            " return [!!c.getOption().toolbox[0].feature.saveAsImage, c.getDataURL({type: 'png'}).slice(0, 22)]; }"
        )
        assert save == [True, "data:image/png;base64,"], name
    # And a real click on the save icon downloads one. Where ECharts laid the toolbox out is not public:
    # read it from the toolbox's view (an internal of ECharts 6, acceptable in a test).
    chart = page.locator('[data-chart="categories"]')
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    x, y = chart.evaluate(
        "el => { const v = window.echarts.getInstanceByDom(el)._componentsViews.find(v => v.type === 'toolbox');"
        " return [v.group.x, v.group.y]; }"
    )
    with page.expect_download() as info:
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert info.value.suggested_filename == "各学院在档人数（按类别）.png", info.value.suggested_filename

    # Other levels draw too.
    page.locator("#levels").get_by_role("link", name="辅导员").click()
    expect(page.locator("#figures")).to_contain_text("辅导员6")
    assert all(n > 1000 for n in charts_drawn(page).values())
    assert problems == [], problems


def test_dashboard_on_a_phone(phone_page: Page, live_server, school, artifacts):
    page = phone_page
    sign_in(page, live_server.url, school["admin"])
    page.goto(f"{live_server.url}/assessment/")
    ink = charts_drawn(page)
    assert all(n > 1000 for n in ink.values()), ink
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artifacts / "phone-assessment-dashboard.png"), full_page=True)
