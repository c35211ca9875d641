"""The assessment pages through the test client, against the hand-built semester of test_indicators.py
(clock 2026-11-20 12:00, Beijing time).

Personas: alice 学工处; bob 文学院 admin; carol counselor of 文学院 2023; erin mentor of 李四's case;
ivan 数学院 admin; dave class teacher (no assessment); harry no grant.
"""

import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.accounts.models import Grant, Role
from careledger.assessment.tests.scenario import ACTIVITY_TEXT, NOW, at
from careledger.roster.models import College, SchoolClass
from tests.support.testing import make_student, make_user

DASHBOARD = reverse("assessment:dashboard")
RANKING = reverse("assessment:ranking")
CADRES = reverse("assessment:cadres")
CADRES_EXPORT = reverse("assessment:cadres-export")
EXPORT = reverse("assessment:export")
PAGES = [DASHBOARD, RANKING, CADRES, CADRES_EXPORT, EXPORT]
WENXUE, SHUXUE = "文学与新闻传播学院", "数学与计算机科学学院"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def names(rows) -> list[str]:
    return [r["unit"]["name"] for r in rows]


def chart_data(response) -> dict:
    found = re.search(r'<script id="assessment-data" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(found.group(1))


# --- dashboard: the happy path per role ---


def test_school_admin_sees_the_school_figures_and_every_college(client, school, semester):
    r = get(client, school.alice, DASHBOARD)
    assert r.status_code == 200
    board = r.context["board"]
    assert (board.levels, board.level) == (["school", "college", "counselor", "mentor"], "college")
    assert board.headline["unit"]["name"] == "赣南师范大学"
    assert names(board.rows) == [SHUXUE, WENXUE]  # by name
    kpis = {str(k.label): k for k in r.context["kpis"]}
    assert kpis["摸排覆盖率"].value == "50.0%" and kpis["摸排覆盖率"].detail == "2 / 4"
    assert kpis["风险 高 / 中 / 低"].value == "1 / 1 / 0"
    assert kpis["联系达标率"].value == "53.3%" and kpis["联系达标率"].tone == "warn"  # 8 / 15, below the 90 % target
    assert kpis["确认用时中位数（分钟）"].value == "60.0"
    # Each figure carries its definition (tooltip and legend).
    assert kpis["联系达标率"].definition.startswith("联系达标率 = 已达标的窗口 / 应达标的窗口")
    assert 'title="摸排覆盖率 = 已摸排学生 / 在册学生"' in r.content.decode()
    data = chart_data(r)
    assert data["units"] == [SHUXUE, WENXUE]
    assert data["byCategory"][0] == [0, 1]  # economic: 李四 in 文学院
    assert data["compliance"] == [0.0, 0.6667] and data["target"] == 0.9
    assert (data["escalationUnits"], data["ack"], data["resolve"]) == ([SHUXUE, WENXUE], [90.0, 30.0], [None, 120.0])
    assert data["trend"] == {
        "semesters": ["2026-2027学年第一学期"],
        "open": [2],
        "risk": {"low": [0], "medium": [1], "high": [1]},
    }


def test_the_page_has_no_inline_script_and_loads_the_pinned_echarts(client, school, semester):
    html = get(client, school.alice, DASHBOARD).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts), scripts
    assert "/static/vendor/echarts-6.1.0.min.js" in html and "/static/js/dashboard.js" in html
    assert " style=" not in html  # a strict CSP refuses inline styles too


def test_each_level_tab(client, school, semester):
    client.force_login(school.alice)
    school_level = client.get(DASHBOARD, {"level": "school"}).context["board"]
    assert names(school_level.rows) == ["赣南师范大学"]
    assert names(client.get(DASHBOARD, {"level": "counselor"}).context["board"].rows) == ["carol"]
    assert names(client.get(DASHBOARD, {"level": "mentor"}).context["board"].rows) == ["erin"]


def test_college_admin_sees_their_college_and_its_people(client, school, semester):
    r = get(client, school.bob, DASHBOARD)
    board = r.context["board"]
    assert (board.levels, board.level) == (["college", "counselor", "mentor"], "counselor")
    assert board.headline["unit"]["name"] == WENXUE
    assert names(board.rows) == ["carol"]
    assert SHUXUE not in r.content.decode()
    assert get(client, school.bob, DASHBOARD, level="school").status_code == 404


def test_counselor_sees_their_own_figures_and_their_mentors(client, school, semester):
    r = get(client, school.carol, DASHBOARD)
    board = r.context["board"]
    assert (board.levels, board.level) == (["counselor", "mentor"], "mentor")
    assert board.headline["unit"]["name"] == "carol"
    assert (board.headline["windows_required"], board.headline["windows_met"]) == (7, 5)
    assert names(board.rows) == ["erin"]
    assert not r.context["may_rank"] and r.context["may_cadres"]


def test_mentor_sees_only_their_own(client, school, semester):
    r = get(client, school.erin, DASHBOARD)
    board = r.context["board"]
    assert (board.levels, board.level, names(board.rows)) == (["mentor"], "mentor", ["erin"])
    assert board.headline["unit"]["name"] == "erin"
    for level in ("school", "college", "counselor"):
        assert get(client, school.erin, DASHBOARD, level=level).status_code == 404


def test_outsider_college_admin_sees_only_their_units(client, school, semester):
    r = get(client, school.ivan, DASHBOARD, level="college")
    assert names(r.context["board"].rows) == [SHUXUE]
    html = r.content.decode()
    assert WENXUE not in html and "carol" not in html and "erin" not in html
    assert names(get(client, school.ivan, DASHBOARD, level="mentor").context["board"].rows) == []
    ranking = get(client, school.ivan, RANKING)
    assert [t["label"] for t in ranking.context["tables"]] == ["学院"]  # no counselor in 数学院
    assert WENXUE not in ranking.content.decode()


@pytest.mark.parametrize("persona", ["dave", "frank", "grace", "harry"])
def test_roles_without_assessment_are_refused(client, school, semester, persona):
    for url in PAGES:
        assert get(client, school.users[persona], url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, school, semester):
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("url", PAGES)
def test_wrong_method_is_405(client, school, semester, url):
    client.force_login(school.alice)
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_unknown_semester_is_404(client, school, semester):
    for url in PAGES:
        assert get(client, school.alice, url, semester=99999).status_code == 404, url
        assert get(client, school.alice, url, semester="x").status_code == 404, url


def test_without_a_semester_the_pages_say_so(client, school):
    for url in (DASHBOARD, RANKING, CADRES):
        r = get(client, school.alice, url)
        assert r.status_code == 200 and "还没有学期" in r.content.decode(), url
    assert get(client, school.alice, EXPORT).status_code == 404


def test_the_trend_covers_earlier_semesters_with_their_case_counts(client, school, semester):
    from datetime import date

    from careledger.core import services as core_services

    core_services.semester_create(
        actor=school.alice, name="2025-2026学年第二学期", start=date(2026, 3, 1), end=date(2026, 7, 15),
        ledger_due=date(2026, 3, 19),
    )  # fmt: skip
    trend = chart_data(get(client, school.alice, DASHBOARD))["trend"]
    # No case was open last spring (the earliest opened 2026-09-01).
    assert trend == {
        "semesters": ["2025-2026学年第二学期", "2026-2027学年第一学期"],
        "open": [0, 2],
        "risk": {"low": [0, 0], "medium": [0, 1], "high": [0, 1]},
    }


# --- ranking and commendation ---


def test_ranking_shows_the_formula_the_scores_and_the_candidates(client, school, semester, settings):
    settings.ASSESSMENT_COMMEND_THRESHOLDS = {"survey_coverage": 0.6, "compliance_rate": 0.65, "ledger_on_time": 1}
    r = get(client, school.alice, RANKING)
    assert r.status_code == 200
    colleges, counselors = r.context["tables"]
    assert [(u.rank, u.row["unit"]["name"], u.score) for u, _v in colleges["items"]] == [
        (1, WENXUE, 83.3),
        (2, SHUXUE, 10.0),
    ]
    assert [u.row["unit"]["name"] for u in colleges["commended"]] == [WENXUE]
    assert [(u.row["unit"]["name"], u.score) for u, _v in counselors["items"]] == [("carol", 89.9)]
    html = r.content.decode()
    assert "得分 = 100 × Σ(权重 × 指标) ÷ Σ(有值指标的权重)" in html
    assert "表彰候选" in html and "83.3" in html


def test_college_admin_ranks_their_college_and_counselors_only(client, school, semester):
    r = get(client, school.bob, RANKING)
    assert [[u.row["unit"]["name"] for u, _v in t["items"]] for t in r.context["tables"]] == [[WENXUE], ["carol"]]
    assert get(client, school.carol, RANKING).status_code == 403
    assert get(client, school.erin, RANKING).status_code == 403


def test_ranking_shows_no_student(client, school, semester, cadres):
    html = get(client, school.alice, RANKING).content.decode()
    for student in school.students.values():
        assert student.name not in html and student.student_no not in html


# --- cadres ---


def cadre_rows(response) -> list[tuple]:
    return [(c.student.name, roles, c.activities, by_role, c.months) for c, roles, by_role in response.context["rows"]]


def test_school_admin_lists_every_cadre_with_roles_and_counts(client, school, semester, cadres):
    r = get(client, school.alice, CADRES)
    assert r.status_code == 200
    assert cadre_rows(r) == [  # by college, class, 学号
        ("钱七", ["班级心理委员"], 1, [("班级心理委员", 1)], 1),
        ("张三丰", ["寝室心理联络员"], 3, [("寝室心理联络员", 3)], 2),  # last spring's activity does not count
        ("王小明", ["学生骨干"], 1, [("学生骨干", 1)], 1),
    ]
    assert (r.context["total"], r.context["activities"]) == (3, 5)


def test_the_cadre_list_never_shows_whom_they_helped_or_why(client, school, semester, cadres):
    html = get(client, school.alice, CADRES).content.decode()
    assert "202301010001" in html and "2023级汉语言文学1班" in html  # the cadre: 学号, 班级
    for helped in ("李四", "202301010002", "赵六", "202302010001"):
        assert helped not in html, helped
    assert ACTIVITY_TEXT not in html and "校医院" not in html
    for category in ("家庭经济", "心理异常", "网络痴迷", "经济困难"):
        assert category not in html.split('id="cadres"')[1], category


def test_cadres_follow_the_callers_scope(client, school, semester, cadres):
    assert [row[0] for row in cadre_rows(get(client, school.bob, CADRES))] == ["张三丰", "王小明"]
    assert [row[0] for row in cadre_rows(get(client, school.carol, CADRES))] == ["张三丰"]  # 2023 only
    assert [row[0] for row in cadre_rows(get(client, school.ivan, CADRES))] == ["钱七"]
    assert get(client, school.erin, CADRES).status_code == 403


# --- query counts ---


def _more_colleges(school, n: int) -> None:
    """``n`` more colleges, each with a class, two students, an admin-free counselor and an open case."""
    from datetime import date

    from careledger.cases.models import Case

    for i in range(n):
        college = College.objects.create(name=f"测试学院{i}")
        klass = SchoolClass.objects.create(college=college, grade="2023", name=f"测试{i}班")
        first = make_student(f"2023990{i:02d}01", f"甲{i}", klass)
        make_student(f"2023990{i:02d}02", f"乙{i}", klass)
        counselor = make_user(f"counselor{i}")
        Grant.objects.create(user=counselor, role=Role.COUNSELOR, college=college, grades=["2023"])
        case = Case.objects.create(student=first, opened_on=date(2026, 9, 1), opened_by=school.carol)
        case.categories.create(category="other", added_on=date(2026, 9, 1))


def _count(client, url, **params) -> list[str]:
    client.get(url, params)  # warm up (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


# Per request: session, user, grants (with college, department, section), the grants' classes (a request
# that changes nothing saves no session).
REQUEST = 4
# indicators.load: calendars (semesters, periods); students; cases; categories; risk changes; pairings;
# reviews; contacts counted per window (one grouped query); escalations; ledgers; closures; ratings.
LOAD = 2 + 12  # + evidence (issue 16): the semester's suggestions by student and status


@pytest.mark.parametrize(
    ("level", "units"),
    [
        ("college", 1),  # the colleges
        ("counselor", 2),  # the counselor grants and their classes
        ("mentor", 0),  # from the pairings already loaded
    ],
)
def test_dashboard_queries_do_not_grow_with_the_colleges(client, school, semester, level, units):
    # The page: the semester picker's semesters and the current one, the load, the colleges' ids (the school's
    # ledger verdict), the units of the level, the trend's semesters (one here: no earlier semester to load).
    client.force_login(school.alice)
    few = _count(client, DASHBOARD, level=level)
    _more_colleges(school, 4)  # 2 colleges, then 6
    many = _count(client, DASHBOARD, level=level)
    assert len(many) == len(few) == REQUEST + 2 + LOAD + 1 + units + 1, "\n".join(many)


def test_ranking_and_cadre_queries_do_not_grow(client, school, semester, cadres):
    from careledger.cases.models import Case, Helper, HelperActivity

    client.force_login(school.alice)
    few = [_count(client, url) for url in (RANKING, CADRES, EXPORT, CADRES_EXPORT)]
    _more_colleges(school, 4)
    for case in Case.objects.filter(student__college__name__startswith="测试学院"):
        helper = Helper.objects.create(case=case, student=case.student, role="student_leader", added_on=case.opened_on)
        HelperActivity.objects.create(helper=helper, on=case.opened_on, what="x", recorded_by=school.erin)
    many = [_count(client, url) for url in (RANKING, CADRES, EXPORT, CADRES_EXPORT)]
    assert [len(q) for q in many] == [len(q) for q in few]
    ranking, cadre_list = many[0], many[1]
    # Ranking: semesters and the current one, the load, the colleges, the counselor grants and their classes.
    assert len(ranking) == REQUEST + 2 + LOAD + 1 + 2, "\n".join(ranking)
    # Cadres: semesters and the current one, calendars (2), the helpers in scope, their students, their activities.
    assert len(cadre_list) == REQUEST + 2 + 2 + 3, "\n".join(cadre_list)


# --- words of the notice (issue 15) ---


def test_a_college_with_no_data_is_shown_as_a_dash_and_not_ranked(client, school, semester):
    empty = College.objects.create(name="新设学院")
    klass = SchoolClass.objects.create(college=empty, grade="2023", name="新设1班")
    make_student("202399990001", "丙", klass)  # on the roster, but nobody surveyed, no case, no report
    r = get(client, school.alice, RANKING)
    colleges = r.context["tables"][0]
    assert [(u.rank, u.row["unit"]["name"], u.score) for u, _v in colleges["items"]] == [
        (1, WENXUE, 83.3),
        (2, SHUXUE, 10.0),
        (None, "新设学院", None),
    ]
    _unit, values = colleges["items"][2]
    assert {value for _label, value in values} == {"—"}
    html = r.content.decode()
    row = re.search(r"<tr>\s*<td[^>]*>—</td>\s*<td[^>]*>新设学院</td>.*?</tr>", html, re.S)
    assert row and "本学期暂无数据" in row.group(0) and "0.0" not in row.group(0)


def test_the_ranking_names_the_notices_indicators_and_no_setting(client, school, semester):
    html = get(client, school.alice, RANKING).content.decode()
    assert "导师结对覆盖率" in html and "上报确认用时" in html
    assert "权重与表彰门槛由学工处设定" in html
    assert "CARELEDGER_" not in html
    for word in ("结对率", "确认速度", "改善撤档"):
        assert word not in html.replace("导师结对覆盖率", ""), word
    dashboard = get(client, school.alice, DASHBOARD).content.decode()
    assert "帮扶后改善撤销建档" in dashboard and "改善撤档" not in dashboard


def test_one_semester_shows_no_trend_chart_of_lone_dots(client, school, semester):
    html = get(client, school.alice, DASHBOARD).content.decode()
    assert 'data-chart="trend"' not in html
    assert "目前只有一个学期的数据，趋势图在有两个及以上学期后显示" in html
    assert "2026-2027学年第一学期" in html  # the table still gives the figures
    from datetime import date

    from careledger.core import services as core_services

    core_services.semester_create(
        actor=school.alice, name="2025-2026学年第二学期", start=date(2026, 3, 1), end=date(2026, 7, 15),
        ledger_due=date(2026, 3, 19),
    )  # fmt: skip
    assert 'data-chart="trend"' in get(client, school.alice, DASHBOARD).content.decode()
