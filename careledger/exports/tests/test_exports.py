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
        is_current=True,
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
    as_user(school.carol).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/", {"filled_by": "王辅导员", "responsible": "+李书记"}, format="json"
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
        assert "填表人：王辅导员" in footer and "负责人：'+李书记" in footer
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
    assert row[8] == '\'=HYPERLINK("http://evil.example","点我")' and economic.cell(4, 9).data_type == "s"
    assert row[9] == "erin" and row[11] == "'@SUM(A1)"
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
    assert economic["A4"].value == "学院：文学与新闻传播学院" and economic["B5"].value == "张三丰"
    assert as_user(school.carol).get("/api/v1/ledgers/school-export/").status_code == 403


def test_case_file_docx_has_every_field_and_contact(school, ledger):
    response = as_user(school.erin).get(f"/api/v1/cases/{ledger.case.pk}/export/")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text == "赣南师范大学特殊群体学生档案表"
    assert doc.paragraphs[1].text.startswith("辅导老师：erin")
    assert "辅导时间：2026年9月2日 — 2026年9月10日" in doc.paragraphs[1].text
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
        "辅导时间：2026年09月05日 16:00" in record
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
    # The college admin is not on the case: its file is left out until a reason is stated (break-glass).
    admin_zip = zipfile.ZipFile(io.BytesIO(as_user(school.bob).get(f"/api/v1/ledgers/{ledger.pk}/case-files/").content))
    assert admin_zip.namelist() == []
    as_user(school.bob).post(f"/api/v1/cases/{ledger.case.pk}/reveal/", {"reason": "审核台账"}, format="json")
    admin_zip = zipfile.ZipFile(io.BytesIO(as_user(school.bob).get(f"/api/v1/ledgers/{ledger.pk}/case-files/").content))
    assert admin_zip.namelist() == ["202301010001_张三丰_档案表.docx"]
