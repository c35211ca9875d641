"""The official exports read back: 附件1 workbook (every sheet's title and headers, character for
character against product.md), 附件2 case file, formula injection, watermark and audit."""

import hashlib
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import time_machine
from docx import Document
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.cases import services as case_services
from careledger.contacts import services as contact_services
from careledger.core import services as core_services
from careledger.ledgers.models import Ledger

LEADING = ["序号", "姓名", "性别", "班级", "所在寝室", "本人联系方式", "家长姓名及联系方式"]
TRAILING = ["帮扶措施", "帮扶人姓名及联系方式", "帮扶效果", "备注"]
# product.md, "The seven categories": sheet title and the category column(s), verbatim.
EXPECTED = [
    ("（1）家庭经济困难学生", ["家庭经济状况和存在问题"]),
    ("（2）学习困难学生", ["学位课平均绩点学分、补课不及格课程和留级、休学情况"]),
    ("（3）心理异常学生", ["问题类型、行为异常描述和危害性判断"]),
    ("（4）网络痴迷学生", ["上网形式、旷课和学业情况和存在问题"]),
    ("（5）生理缺陷学生", ["学生病史（重大疾病、遗传病或残疾等影响到学习生活的疾病）", "班主任核实情况"]),
    ("（6）行为违纪学生", ["何时存在何种违纪行为和存在问题"]),
    ("（7）其他情况（思想过于偏激、行为怪异、人际交流困难、就业困难等）", ["存在问题"]),
]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-09-10T10:00:00+08:00", tick=False):
        yield


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ledger(school):
    semester = core_services.semester_create(
        actor=school.alice,
        name="2026-2027学年第一学期",
        start=date(2026, 9, 1),
        end=date(2027, 1, 15),
        ledger_due=date(2026, 9, 19),
    )
    zhang = school.students["zhang"]
    zhang.parent_name, zhang.parent_phone = "张父", "13700000000"
    zhang.save()
    case = case_services.case_open(
        actor=school.carol,
        student=zhang,
        categories=[
            case_services.CategoryInput("economic", "单亲家庭", data={"hardship_level": "special"}),
            case_services.CategoryInput("physical", "先天性心脏病", verification="已核实病历"),
        ],
        opened_on=date(2026, 9, 2),
        plan='=HYPERLINK("http://evil.example","点我")',
        note="@SUM(A1)",
    )
    case_services.mentor_assign(actor=school.carol, case=case, mentor=school.erin)
    contact_services.contact_record(
        actor=school.erin,
        case=case,
        kind="talk",
        occurred_at=datetime.fromisoformat("2026-09-05T16:00:00+08:00"),
        location="东区12栋305",
        content="谈学习计划",
        effect="情绪稳定",
    )
    ledger = Ledger.objects.create(semester=semester, college=school.wenxue, created_by=school.carol)
    as_user(school.bob).post(  # the college_admin signs as 负责人 and sends it (issue 14)
        f"/api/v1/ledgers/{ledger.pk}/submit/",
        {"filled_by": "王辅导员", "responsible": "+李书记", "confirm": True},
        format="json",
    )
    ledger.refresh_from_db()
    ledger.case = case
    return ledger


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:200]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_every_sheet_title_and_header_matches_product_md(school, ledger):
    wb = workbook(as_user(school.carol).get(f"/api/v1/ledgers/{ledger.pk}/export/"))
    assert len(wb.worksheets) == 7
    for ws, (title, category_columns) in zip(wb.worksheets, EXPECTED, strict=True):
        assert ws["A1"].value == "2026年特殊群体学生精准关爱工程台账"
        assert ws["A2"].value == title
        headers = [c.value for c in ws[3]]
        assert headers == LEADING + category_columns + TRAILING
        assert any(str(c.value).endswith("2026年9月10日") for c in ws[2] if c.value)
        footer = [c.value for row in ws.iter_rows(min_row=4) for c in row if c.value]
        assert "注：以上表格每学期上报一次" in footer
        assert "填表人：王辅导员" in footer and "负责人：+李书记" in footer  # text, no visible ' guard
        assert "A1:" in str(ws.merged_cells)  # the title is merged across the table
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$3:$3"  # the header row repeats on every printed page


def test_rows_formula_injection_and_watermark(school, ledger):
    response = as_user(school.carol).get(f"/api/v1/ledgers/{ledger.pk}/export/")
    wb = workbook(response)
    economic = wb.worksheets[0]
    row = [c.value for c in economic[4]]
    assert row[:8] == [
        "1",
        "张三丰",
        "男",
        "2023级汉语言文学1班",
        "东区12栋305",
        "13812345678",
        "张父 13700000000",
        "特别困难；单亲家庭",
    ]
    # Formula-like text is a text cell with Excel's hidden quote prefix: no visible ' on screen or paper.
    assert row[8] == '=HYPERLINK("http://evil.example","点我")' and economic.cell(4, 9).data_type == "s"
    assert economic.cell(4, 9).quotePrefix and economic.cell(4, 12).quotePrefix and row[11] == "@SUM(A1)"
    assert not economic.cell(4, 2).quotePrefix
    assert row[9] == "erin（未登记手机）"  # 帮扶人姓名及联系方式: the name and the phone, or that none is on file
    physical = wb.worksheets[4]
    assert [c.value for c in physical[4]][7:9] == ["先天性心脏病", "已核实病历"]
    export_id = response["X-Export-Id"]
    assert export_id in economic.oddHeader.right.text and export_id in economic.oddFooter.left.text
    assert export_id in wb.properties.description and "carol" in wb.properties.description
    event = AuditEvent.objects.get(action="export", object_type="ledger")
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert event.detail["rows"] == 2 and event.detail["export_id"] == export_id


def test_school_wide_workbook_groups_rows_by_college(school, ledger):
    wb = workbook(as_user(school.alice).get("/api/v1/ledgers/school-export/"))
    economic = wb.worksheets[0]
    assert [c.value for c in economic[3]] == [*LEADING, "家庭经济状况和存在问题", *TRAILING]
    assert economic["A4"].value.startswith("学院：文学与新闻传播学院　状态：已上报　上报日期：2026年9月10日")
    assert "填表人：王辅导员　负责人：+李书记" in economic["A4"].value and economic["B5"].value == "张三丰"
    register = wb["各学院上报情况"]
    lines = {r[0]: r for r in register.iter_rows(min_row=3, values_only=True)}
    assert lines["文学与新闻传播学院"][:6] == (
        "文学与新闻传播学院",
        "已上报",
        "2026年9月10日",
        "",
        "王辅导员",
        "+李书记",
    )
    assert lines["数学与计算机科学学院"][1] == "未开始（实时数据）"
    assert as_user(school.carol).get("/api/v1/ledgers/school-export/").status_code == 403


def test_case_file_docx_has_every_field_and_contact(school, ledger):
    response = as_user(school.erin).get(f"/api/v1/cases/{ledger.case.pk}/export/")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text == "赣南师范大学特殊群体学生档案表"
    assert doc.paragraphs[1].text.startswith("辅导老师：erin")
    assert "辅导时间：2026年9月2日 — 至今" in doc.paragraphs[1].text  # an open case
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    for label in (
        "辅导学生",
        "张三丰",
        "性别",
        "男",
        "班级",
        "年  龄",
        "籍贯",
        "联系方式",
        "问题类型及问题描述",
        "既往生活史与当前生活情景",
        "辅导方案",
    ):
        assert label in cells
    record = next(c for c in cells if c.startswith("1.辅导记录"))
    assert (
        "辅导时间：2026年9月5日 16:00" in record
        and "辅导地点：东区12栋305" in record
        and "效果评估：情绪稳定" in record
    )
    assert "【谈心交流】谈学习计划" in cells
    assert cells[-1].startswith("是否建议撤销建档")
    assert AuditEvent.objects.filter(action="export", object_type="case", student_no="202301010001").count() == 1


def test_case_file_is_404_for_another_mentor_and_zip_holds_one_file_per_case(school, ledger):
    from tests.support.testing import make_user

    other = make_user("olga", role="mentor", college=school.wenxue)
    assert as_user(other).get(f"/api/v1/cases/{ledger.case.pk}/export/").status_code == 404
    response = as_user(school.carol).get(f"/api/v1/ledgers/{ledger.pk}/case-files/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["202301010001_张三丰_档案表.docx"]
    # The college and school admins are not on the case: one reason for the ledger's case files first
    # (break-glass, SEC-45) — never an empty zip.
    for admin in (school.bob, school.alice):
        client = as_user(admin)
        refused = client.get(f"/api/v1/ledgers/{ledger.pk}/case-files/")
        assert refused.status_code == 403 and refused.json()["files"] == 1 and refused.json()["reason_required"]
        assert client.post(f"/api/v1/ledgers/{ledger.pk}/case-files/", {"reason": ""}, format="json").status_code == 400
        given = client.post(f"/api/v1/ledgers/{ledger.pk}/case-files/", {"reason": "审核台账"}, format="json")
        assert zipfile.ZipFile(io.BytesIO(given.content)).namelist() == ["202301010001_张三丰_档案表.docx"]
        again = client.get(f"/api/v1/ledgers/{ledger.pk}/case-files/")  # the reason holds for REVEAL_MINUTES
        assert zipfile.ZipFile(io.BytesIO(again.content)).namelist() == ["202301010001_张三丰_档案表.docx"]
        assert AuditEvent.objects.filter(actor=admin, action="reveal", object_type="ledger").count() == 1
    events = AuditEvent.objects.filter(action="export", object_type="college").order_by("id")
    assert [e.detail["cases"] for e in events] == [1, 1, 1, 1, 1]


def test_which_case_files_a_reader_may_have_costs_the_same_for_few_and_many_cases(school, ledger):
    """Outside a request too (a background job): the decision is a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from careledger.exports import services as exports

    def count() -> tuple[int, int]:
        fresh = Ledger.objects.get(pk=ledger.pk)
        with CaptureQueriesContext(connection) as queries:
            files = exports.ledger_case_files(actor=school.carol, ledger=fresh)
        return len(queries), files.total

    Ledger.objects.filter(pk=ledger.pk).update(status="returned")  # live rows: the open cases
    few = count()
    for key in ("li", "wang"):
        case_services.case_open(
            actor=school.bob,
            student=school.students[key],
            categories=[case_services.CategoryInput("other", "人际交流困难")],
        )
    many = count()
    assert few[1] == 1 and many[1] == 2  # carol counsels the 2023 grade: 张三丰 and 李四, not 王小明
    assert few[0] == many[0]
