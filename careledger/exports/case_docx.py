"""附件2 case file (特殊群体学生档案表) as .docx: the form's table with every field and all 辅导记录."""

import io
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from careledger.core.export_safety import Watermark

FONT = "宋体"


@dataclass(frozen=True)
class ContactRow:
    at: str  # "2026年9月3日 16:00"
    place: str
    effect: str
    text: str


@dataclass(frozen=True)
class CaseFileData:
    school: str
    mentor: str
    period_from: date
    period_to: date
    name: str
    gender: str
    class_name: str
    age: str
    native_place: str
    phone: str
    problem: str
    life_history: str
    plan: str
    contacts: list[ContactRow]
    revoke: str  # 是否建议撤销建档: the recommendation and its reason, or ""


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _font(run, size: float = 10.5, bold: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _write(cell, text: str, *, bold: bool = False, center: bool = False) -> None:
    cell.text = ""
    lines = (text or "").split("\n")
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(line), bold=bold)


def case_docx_blank() -> ContactRow:
    """An empty 辅导记录 block, as on the paper form, when nothing is recorded yet."""
    return ContactRow(at="", place="", effect="", text="")


def build(data: CaseFileData, watermark: Watermark) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    _font(section.footer.paragraphs[0].add_run(watermark.line), size=8)
    doc.core_properties.author = watermark.exporter
    doc.core_properties.comments = watermark.line
    doc.core_properties.title = f"{data.school}特殊群体学生档案表"

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(f"{data.school}特殊群体学生档案表"), size=16, bold=True)
    line = doc.add_paragraph()
    _font(
        line.add_run(f"辅导老师：{data.mentor or '—'}        辅导时间：{_cn(data.period_from)} — {_cn(data.period_to)}")
    )

    table = doc.add_table(rows=0, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False

    def row(min_height_cm: float = 0.9):
        new = table.add_row()
        new.height, new.height_rule = Cm(min_height_cm), WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell in new.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        return new.cells

    for label_row in (
        ("辅导学生", data.name, "性别", data.gender, "班级", data.class_name),
        ("年  龄", data.age, "籍贯", data.native_place, "联系方式", data.phone),
    ):
        cells = row()
        for i, value in enumerate(label_row):
            _write(cells[i], value, bold=i % 2 == 0, center=True)
    for label, text in (
        ("问题类型及问题描述", data.problem),
        ("既往生活史与当前生活情景", data.life_history),
        ("辅导方案", data.plan),
    ):
        cells = row(3.0)
        _write(cells[0], label, bold=True, center=True)
        _write(cells[1].merge(cells[5]), text)
    records = data.contacts or [case_docx_blank()]
    for number, contact in enumerate(records, start=1):
        cells = row()
        _write(
            cells[0].merge(cells[5]),
            f"{number}.辅导记录    辅导时间：{contact.at}    辅导地点：{contact.place}    效果评估：{contact.effect}",
            bold=True,
        )
        _write(row(2.2)[0].merge(table.rows[-1].cells[5]), contact.text)
    _write(row(1.2)[0].merge(table.rows[-1].cells[5]), f"是否建议撤销建档：{data.revoke}")
    widths = (Cm(3.2), Cm(3.0), Cm(1.8), Cm(2.6), Cm(2.2), Cm(4.2))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
