"""附件2 case file (特殊群体学生档案表) as .docx: the form's table with every field and all 辅导记录.

Written from a template: the form is laid out once with python-docx (`_template`, cached per process)
with `{{placeholders}}`; each file is then one pass of string filling — the head, the repeating
辅导记录 block once per contact, the tail — zipped with the template's other parts. No python-docx
object model per file, so the cost is linear in the contacts (no per-row cell merges re-scanning the
table). Continuation pages carry the student's name and the page number in their header; every page
carries the exporter's watermark and the page number in its footer.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from careledger.core.export_safety import Watermark
from careledger.core.text import clean_text

FONT = "宋体"
STILL_OPEN = "至今"


@dataclass(frozen=True)
class ContactRow:
    at: str  # "2026年9月3日 16:00"
    place: str
    effect: str
    text: str


@dataclass(frozen=True)
class MentorPeriod:
    name: str
    start: date
    end: date | None  # None: the pairing still stands


@dataclass(frozen=True)
class CaseFileData:
    school: str
    mentor: str  # the mentor line as printed (see `mentor_line`)
    period_from: date
    period_to: date | None  # None: the case is open (至今)
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
    periods: list[tuple[date, date | None]] = field(default_factory=list)  # every open period, if several


def cn_date(day: date) -> str:
    """The one date format of the case file: 2026年9月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


def span(start: date, end: date | None) -> str:
    return f"{cn_date(start)} — {cn_date(end) if end else STILL_OPEN}"


def mentor_line(mentors: list[MentorPeriod]) -> str:
    """辅导老师 as the pairings stood: one current mentor by name; otherwise every mentor with the
    period of their pairing (a closed case keeps the mentors it had)."""
    if not mentors:
        return "（未结对）"
    if len(mentors) == 1 and mentors[0].end is None:
        return mentors[0].name
    return "、".join(f"{m.name}（{span(m.start, m.end)}）" for m in mentors)


# --- the template ---

_FIELD = re.compile(r"\{\{(\w+)\}\}")
_RECORD_START = "{{rec_head}}"
_RECORD_END = "{{rec_text}}"


def _font(run, size: float = 10.5, bold: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _put(cell_or_paragraph, text: str, *, bold: bool = False, center: bool = False, size: float = 10.5) -> None:
    paragraph = cell_or_paragraph.paragraphs[0] if hasattr(cell_or_paragraph, "paragraphs") else cell_or_paragraph
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), size=size, bold=bold)


def _page_field(paragraph, instr: str, size: float = 8) -> None:
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="{instr}"><w:r><w:rPr><w:sz w:val="{int(size * 2)}"/></w:rPr>'
            "<w:t>1</w:t></w:r></w:fldSimple>"
        )
    )


def _page_number(paragraph) -> None:
    _put(paragraph, "第 ", size=8)
    _page_field(paragraph, "PAGE")
    _put(paragraph, " 页，共 ", size=8)
    _page_field(paragraph, "NUMPAGES")
    _put(paragraph, " 页", size=8)


@cache
def _template() -> tuple[dict[str, bytes], str, str, str]:
    """(the template's parts but the body, head, 辅导记录 block, tail) of word/document.xml."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    section.different_first_page_header_footer = True
    # Continuation pages: the student's name and the page number at the top.
    header = section.header.paragraphs[0]
    _put(header, "{{name}}  {{school}}特殊群体学生档案表（续）    ", size=9)
    _page_number(header)
    for footer in (section.footer.paragraphs[0], section.first_page_footer.paragraphs[0]):
        _put(footer, "{{watermark}}    ", size=8)
        _page_number(footer)
    doc.core_properties.author = "{{exporter}}"
    doc.core_properties.comments = "{{watermark}}"
    doc.core_properties.title = "{{school}}特殊群体学生档案表"

    _put(doc.add_paragraph(), "{{school}}特殊群体学生档案表", size=16, bold=True, center=True)
    _put(doc.add_paragraph(), "辅导老师：{{mentor}}        辅导时间：{{period}}")

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

    for labels in (
        ("辅导学生", "{{name}}", "性别", "{{gender}}", "班级", "{{class_name}}"),
        ("年  龄", "{{age}}", "籍贯", "{{native_place}}", "联系方式", "{{phone}}"),
    ):
        cells = row()
        for i, value in enumerate(labels):
            _put(cells[i], value, bold=i % 2 == 0, center=True)
    for label, key in (
        ("问题类型及问题描述", "problem"),
        ("既往生活史与当前生活情景", "life_history"),
        ("辅导方案", "plan"),
    ):
        cells = row(3.0)
        _put(cells[0], label, bold=True, center=True)
        _put(cells[1].merge(cells[5]), "{{" + key + "}}")
    _put(row()[0].merge(table.rows[-1].cells[5]), _RECORD_START, bold=True)
    _put(row(2.2)[0].merge(table.rows[-1].cells[5]), _RECORD_END)
    _put(row(1.2)[0].merge(table.rows[-1].cells[5]), "是否建议撤销建档：{{revoke}}")
    widths = (Cm(3.2), Cm(3.0), Cm(1.8), Cm(2.6), Cm(2.2), Cm(4.2))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = parts.pop("word/document.xml").decode()
    start = body.rfind("<w:tr>", 0, body.index(_RECORD_START))
    start = start if start >= 0 else body.rfind("<w:tr ", 0, body.index(_RECORD_START))
    end = body.index("</w:tr>", body.index(_RECORD_END)) + len("</w:tr>")
    return parts, body[:start], body[start:end], body[end:]


def _xml(value: object) -> str:
    """Text for a <w:t>: cleaned (SEC-48), escaped, its line breaks as <w:br/>."""
    text = escape(clean_text(value))
    return text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')


def _fill(template: str, values: dict[str, str]) -> str:
    return _FIELD.sub(lambda m: values.get(m.group(1), ""), template)


def _preserve(template: str) -> str:
    return template.replace("<w:t>", '<w:t xml:space="preserve">')


def build(data: CaseFileData, watermark: Watermark) -> bytes:
    parts, head, block, tail = _template()
    head, block, tail = _preserve(head), _preserve(block), _preserve(tail)
    periods = "；".join(span(a, b) for a, b in data.periods) if len(data.periods) > 1 else ""
    values = {
        "school": _xml(data.school),
        "mentor": _xml(data.mentor or "（未结对）"),
        "period": _xml(periods or span(data.period_from, data.period_to)),
        "name": _xml(data.name),
        "gender": _xml(data.gender),
        "class_name": _xml(data.class_name),
        "age": _xml(data.age),
        "native_place": _xml(data.native_place),
        "phone": _xml(data.phone),
        "problem": _xml(data.problem),
        "life_history": _xml(data.life_history),
        "plan": _xml(data.plan),
        "revoke": _xml(data.revoke),
        "watermark": _xml(watermark.line),
        "exporter": _xml(watermark.exporter),
    }
    out = [_fill(head, values)]
    for number, contact in enumerate(data.contacts or [ContactRow("", "", "", "")], start=1):
        out.append(
            _fill(
                block,
                {
                    "rec_head": _xml(
                        f"{number}.辅导记录    辅导时间：{contact.at}    辅导地点：{contact.place}    "
                        f"效果评估：{contact.effect}"
                    ),
                    "rec_text": _xml(contact.text),
                },
            )
        )
    out.append(_fill(tail, values))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            if name.endswith(".xml") and b"{{" in content:
                content = _fill(_preserve(content.decode()), values).encode()
            archive.writestr(name, content)
        archive.writestr("word/document.xml", "".join(out))
    return buf.getvalue()
