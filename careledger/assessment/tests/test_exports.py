"""The assessment workbook and the cadre workbook, read back with openpyxl: a sheet per level the caller
may see, the headers, the figures, the audit row — and no helped student anywhere in the cadre list."""

import hashlib
import io
import zipfile

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from careledger.accounts.models import Grant, Role
from careledger.assessment.tests.scenario import ACTIVITY_TEXT, NOW, at
from careledger.audit.models import AuditEvent
from tests.support.testing import make_user

EXPORT = reverse("assessment:export")
CADRES_EXPORT = reverse("assessment:cadres-export")
WENXUE, SHUXUE = "文学与新闻传播学院", "数学与计算机科学学院"
HEADERS = [
    "单位", "在册学生", "已摸排", "摸排覆盖率", "在档人数",
    "家庭经济困难", "学习困难", "心理异常", "网络痴迷", "生理缺陷", "行为违纪", "其他情况",
    "低风险", "中风险", "高风险",
    "已结对", "导师结对覆盖率", "应达标窗口", "已达标窗口", "联系达标率", "逾期档案", "安全隐患上报",
    "确认用时中位数（分钟）", "处置用时中位数（分钟）", "台账按时上报", "帮扶后改善撤销建档", "帮扶效果均分",
]  # fmt: skip
SCORE_HEADERS = ["得分", "名次", "表彰候选"]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


def download(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"] == "no-store"
    return response


def workbook(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.content))


def table(ws) -> list[list]:
    """The sheet's rows from the header row (row 3) down."""
    return [list(row) for row in ws.iter_rows(min_row=3, values_only=True)]


def test_the_school_gets_a_sheet_per_level_with_headers_and_figures(client, school, semester):
    response = download(client, school.alice, EXPORT)
    assert "attachment" in response["Content-Disposition"]
    wb = workbook(response)
    assert wb.sheetnames == ["全校", "学院", "辅导员", "帮扶导师", "指标说明"]
    school_sheet = table(wb["全校"])
    assert school_sheet[0] == HEADERS
    first = dict(zip(HEADERS, school_sheet[1], strict=True))
    assert (first["单位"], first["在册学生"], first["摸排覆盖率"], first["在档人数"]) == ("赣南师范大学", 4, 0.5, 2)
    assert (first["低风险"], first["中风险"], first["高风险"]) == (0, 1, 1)
    assert (first["联系达标率"], first["确认用时中位数（分钟）"], first["台账按时上报"]) == (0.5333, 60, 0.5)
    colleges = table(wb["学院"])
    assert colleges[0] == HEADERS + SCORE_HEADERS
    by_name = {row[0]: dict(zip(colleges[0], row, strict=True)) for row in colleges[1:]}
    assert set(by_name) == {WENXUE, SHUXUE}
    assert (by_name[WENXUE]["台账按时上报"], by_name[WENXUE]["得分"], by_name[WENXUE]["名次"]) == ("是", 83.3, 1)
    assert (by_name[SHUXUE]["处置用时中位数（分钟）"], by_name[SHUXUE]["得分"]) == ("—", 10.0)
    assert [row[0] for row in table(wb["辅导员"])[1:]] == ["carol"]
    assert table(wb["帮扶导师"])[0] == HEADERS  # mentors are not ranked
    notes = [row[0] for row in wb["指标说明"].iter_rows(values_only=True)]
    assert "survey_coverage" in notes and "cases_by_risk" in notes and "得分" in notes


def test_the_export_is_audited_with_its_hash_and_export_id(client, school, semester):
    response = download(client, school.alice, EXPORT)
    event = AuditEvent.objects.get(action="export", object_type="assessment")
    assert (event.actor, event.object_id) == (school.alice, str(semester.pk))
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert event.detail["export_id"] == response["X-Export-Id"]
    assert event.detail["levels"] == ["school", "college", "counselor", "mentor"]
    assert event.detail["rows"] == {"school": 1, "college": 2, "counselor": 1, "mentor": 1}
    # The watermark: who exported it, in the page header and the file's properties.
    wb = workbook(response)
    assert response["X-Export-Id"] in wb.properties.keywords
    assert "学工处 Alice" in wb["学院"].oddHeader.right.text


def test_each_caller_gets_only_their_levels_and_units(client, school, semester):
    bob = workbook(download(client, school.bob, EXPORT))
    assert bob.sheetnames == ["学院", "辅导员", "帮扶导师", "指标说明"]
    assert [row[0] for row in table(bob["学院"])[1:]] == [WENXUE]
    erin = workbook(download(client, school.erin, EXPORT))
    assert erin.sheetnames == ["帮扶导师", "指标说明"]
    assert [row[0] for row in table(erin["帮扶导师"])[1:]] == ["erin"]
    ivan = workbook(download(client, school.ivan, EXPORT))
    assert [row[0] for row in table(ivan["学院"])[1:]] == [SHUXUE]
    assert table(ivan["辅导员"])[1:] == [["（无）"] + [None] * (len(HEADERS) + len(SCORE_HEADERS) - 1)]


def test_a_name_that_looks_like_a_formula_is_written_as_text(client, school, semester):
    sneaky = make_user("sneaky", name='=HYPERLINK("http://x")')
    Grant.objects.create(user=sneaky, role=Role.COUNSELOR, college=school.shuxue, grades=["2023"])
    wb = workbook(download(client, school.alice, EXPORT))
    names = [row[0] for row in table(wb["辅导员"])[1:]]
    assert '\'=HYPERLINK("http://x")' in names


# --- cadres ---

CADRE_HEADERS = ["序号", "学号", "姓名", "学院", "班级", "角色", "活动次数", "按角色", "活动月数", "最近活动"]


def test_the_cadre_workbook_lists_cadres_roles_and_counts(client, school, semester, cadres):
    response = download(client, school.alice, CADRES_EXPORT)
    wb = workbook(response)
    assert wb.sheetnames == ["学生干部帮扶贡献"]
    rows = table(wb["学生干部帮扶贡献"])
    assert rows[0] == CADRE_HEADERS
    assert rows[1:] == [
        [
            1,
            "202302010002",
            "钱七",
            SHUXUE,
            "2023级数学与应用数学1班",
            "班级心理委员",
            1,
            "班级心理委员 1",
            1,
            "2026-11-03",
        ],
        [
            2,
            "202301010001",
            "张三丰",
            WENXUE,
            "2023级汉语言文学1班",
            "寝室心理联络员",
            3,
            "寝室心理联络员 3",
            2,
            "2026-11-12",
        ],
        [3, "202401010001", "王小明", WENXUE, "2024级新闻学1班", "学生骨干", 1, "学生骨干 1", 1, "2026-09-25"],
    ]
    event = AuditEvent.objects.get(action="export", object_type="helper")
    assert event.detail["rows"] == 3
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_the_cadre_workbook_contains_no_helped_student_and_no_activity_text(client, school, semester, cadres):
    response = download(client, school.alice, CADRES_EXPORT)
    # Every part of the .xlsx, not only the cells: shared strings, properties, headers and footers.
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    for helped in ("李四", "202301010002", "赵六", "202302010001"):
        assert helped not in text, helped
    assert ACTIVITY_TEXT not in text and "校医院" not in text
    for category in ("家庭经济", "心理异常", "网络痴迷", "学习困难"):
        assert category not in text, category


def test_the_cadre_workbook_follows_the_callers_scope(client, school, semester, cadres):
    carol = table(workbook(download(client, school.carol, CADRES_EXPORT))["学生干部帮扶贡献"])
    assert [row[2] for row in carol[1:]] == ["张三丰"]
    ivan = table(workbook(download(client, school.ivan, CADRES_EXPORT))["学生干部帮扶贡献"])
    assert [row[2] for row in ivan[1:]] == ["钱七"]
    client.force_login(school.erin)
    assert client.get(CADRES_EXPORT).status_code == 403


def test_the_definitions_stay_in_chinese_when_an_english_user_exports(client, school, semester):
    """The indicator definitions are translatable (the English dashboard shows them in English), but the
    workbook is an official document: its headers and 指标说明 are in Chinese whoever exports it."""
    client.cookies["django_language"] = "en"
    wb = workbook(download(client, school.alice, EXPORT))
    assert table(wb["全校"])[0] == HEADERS
    notes = {row[0]: row[1] for row in wb["指标说明"].iter_rows(min_row=4, values_only=True)}
    assert notes["survey_coverage"] == "摸排覆盖率 = 已摸排学生 / 在册学生"
    assert notes["mentor_coverage"] == "导师结对覆盖率 = 已结对导师的在档档案 / 在档档案"
    dashboard = client.get(reverse("assessment:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Survey coverage = students surveyed / enrolled students" in dashboard
