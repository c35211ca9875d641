"""附件1 workbook: the notice's 7 tables, one sheet each, ready to print on A4 landscape.

Each sheet: the title `{year}年特殊群体学生精准关爱工程台账` merged across the table, the sub-table
name with the college and the date line, the notice's column headers (repeated on every printed
page), the rows (records of ledgers/records.py; the headers are rendered here), the addenda marked
`随时上报（2026年11月3日）`, and the footer `注：以上表格每学期上报一次`, `填表人：…`, `负责人：…`.
Every cell is written as text (write_string; formula-like text with Excel's hidden quote prefix, never
a visible '); rows are as tall as their text, and a record taller than a row can be goes on over
continuation rows. The exporter's watermark is in the page header and footer and the properties.
"""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import xlsxwriter

from careledger.cases.categories import SUB_TABLES, Category, ledger_columns
from careledger.core.export_safety import Watermark, formula_like
from careledger.core.text import clean_text
from careledger.ledgers.records import LedgerRecord

SHEET_NAMES = {
    Category.ECONOMIC: "1 家庭经济困难学生",
    Category.ACADEMIC: "2 学习困难学生",
    Category.PSYCH: "3 心理异常学生",
    Category.INTERNET: "4 网络痴迷学生",
    Category.PHYSICAL: "5 生理缺陷学生",
    Category.DISCIPLINE: "6 行为违纪学生",
    Category.OTHER: "7 其他情况",
}
NUMBERS = "1234567"
# Column widths (characters) by header; the category columns are wide and wrap.
WIDTHS = {
    "序号": 5,
    "姓名": 8,
    "性别": 5,
    "班级": 17,
    "所在寝室": 11,
    "本人联系方式": 13,
    "家长姓名及联系方式": 16,
    "帮扶措施": 24,
    "帮扶人姓名及联系方式": 15,
    "帮扶效果": 18,
    "备注": 12,
    "班主任核实情况": 18,
}
CATEGORY_WIDTH = 34


# Row heights: points per wrapped line of 10-point 宋体 (with LibreOffice's CJK line spacing) and
# the most lines one spreadsheet row carries (Excel's row maximum is 409 points). A record whose text
# needs more is written over continuation rows, so the printout splits it over pages and cuts nothing.
LINE_PT = 15
ROW_PAD_PT = 4
MAX_LINES = 24


@dataclass(frozen=True)
class Block:
    """Rows under one optional bold line: a college (school-wide book) or a 随时上报 section."""

    label: str
    records: list[LedgerRecord]


@dataclass(frozen=True)
class LedgerSheetData:
    title_year: int
    on: date
    unit: str  # 填报单位: the college, or 全校 for the school-wide workbook
    filled_by: str
    responsible: str
    tables: dict[str, list[Block]]  # {category: [block, …]}
    colleges: list[dict] = field(default_factory=list)  # school-wide book: one status line per college


def build(data: LedgerSheetData, watermark: Watermark) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": f"{data.title_year}年特殊群体学生精准关爱工程台账",
            "subject": clean_text(data.unit),
            "author": clean_text(watermark.exporter),
            "comments": clean_text(watermark.line),
            "keywords": f"export:{watermark.export_id}",
        }
    )
    fmt = _formats(wb)
    for category in Category.values:
        if category in data.tables:
            _sheet(wb, fmt, category, data, watermark)
    if data.colleges:
        _colleges_sheet(wb, fmt, data, watermark)
    wb.close()
    return buf.getvalue()


def _formats(wb) -> dict:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    cell = {**base, "text_wrap": True, "border": 1, "valign": "top"}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "sub": wb.add_format({**base, "bold": True, "font_size": 12}),
        "unit": wb.add_format({**base, "font_size": 11, "align": "center"}),
        "date": wb.add_format({**base, "font_size": 11, "align": "right"}),
        "head": wb.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "border": 1, "bg_color": "#F2F2F2"}
        ),
        "cell": wb.add_format(cell),
        # Formula-like text: Excel's hidden quote prefix keeps it text on editing, with no visible '.
        "cell_q": wb.add_format({**cell, "quote_prefix": True}),
        "num": wb.add_format({**base, "align": "center", "border": 1, "valign": "top"}),
        "group": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#FAFAFA", "text_wrap": True}),
        "foot": wb.add_format({**base, "font_size": 11}),
        "foot_q": wb.add_format({**base, "font_size": 11, "quote_prefix": True}),
    }


def _text(ws, row: int, col: int, value: object, fmt: dict, name: str = "cell") -> None:
    """A cell written as text: cleaned of what XML cannot carry; formula-like text quote-prefixed."""
    text = clean_text(value)
    ws.write_string(row, col, text, fmt[f"{name}_q"] if formula_like(text) else fmt[name])


def _merged_text(ws, first_row, first_col, last_row, last_col, value: object, fmt: dict, name: str) -> None:
    text = clean_text(value)
    style = fmt.get(f"{name}_q", fmt[name]) if formula_like(text) else fmt[name]
    ws.merge_range(first_row, first_col, last_row, last_col, "", style)
    ws.write_string(first_row, first_col, text, style)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def addendum_mark(record: LedgerRecord) -> str:
    """`随时上报（2026年11月3日）` for a record reported after submission, else ""."""
    if not record.reported_on:
        return ""
    return f"随时上报（{cn_date(date.fromisoformat(record.reported_on))}）"


def _values(record: LedgerRecord, columns) -> list[str]:
    out = []
    for _header, field_name in columns[1:]:
        value = clean_text(record.value(field_name))
        if field_name == "note" and record.reported_on:
            value = "；".join(p for p in (addendum_mark(record), value) if p)
        out.append(value)
    return out


def _sheet(wb, fmt: dict, category: str, data: LedgerSheetData, watermark: Watermark) -> None:
    ws = wb.add_worksheet(SHEET_NAMES[category])
    columns = ledger_columns(category)
    headers = [header for header, _f in columns]
    widths = [WIDTHS.get(header, CATEGORY_WIDTH) for header in headers]
    last = len(headers) - 1
    ws.merge_range(0, 0, 0, last, f"{data.title_year}年特殊群体学生精准关爱工程台账", fmt["title"])
    split = max(3, last // 2 - 1)
    number = NUMBERS[Category.values.index(category)]
    ws.merge_range(1, 0, 1, split, f"（{number}）{SUB_TABLES[category].title}", fmt["sub"])
    _merged_text(ws, 1, split + 1, 1, last - 3, f"填报单位：{data.unit}", fmt, "unit")
    ws.merge_range(1, last - 2, 1, last, cn_date(data.on), fmt["date"])
    ws.set_row(0, 28)
    ws.set_row(1, 20)
    for col, header in enumerate(headers):
        ws.write_string(2, col, header, fmt["head"])
        ws.set_column(col, col, widths[col])
    ws.set_row(2, 32)
    row_no = 3
    serial = 0
    for block in data.tables[category]:
        if block.label:
            text = clean_text(block.label)
            _merged_text(ws, row_no, 0, row_no, last, text, fmt, "group")
            ws.set_row(row_no, _height(max(_lines(text, sum(widths)), 1)))
            row_no += 1
        for record in block.records:
            serial += 1
            row_no = _record_rows(ws, fmt, row_no, serial, _values(record, columns), widths)
    if serial == 0:
        ws.merge_range(row_no, 0, row_no, last, "（本学期无）", fmt["cell"])
        row_no += 1
    foot = row_no + 1
    ws.merge_range(foot, 0, foot, split, "注：以上表格每学期上报一次", fmt["foot"])
    _merged_text(ws, foot, split + 1, foot, last - 3, f"填表人：{data.filled_by}", fmt, "foot")
    _merged_text(ws, foot, last - 2, foot, last, f"负责人：{data.responsible}", fmt, "foot")
    _page_setup(ws, data, watermark)
    ws.repeat_rows(2, 2)  # the column headers on every printed page
    ws.freeze_panes(3, 2)


def _page_setup(ws, data: LedgerSheetData, watermark: Watermark) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.fit_to_pages(1, 0)  # all columns on the page width; as many pages down as needed
    ws.set_header(f"&L&8{_escape(data.unit)}&R&8{_escape(watermark.line)}")
    ws.set_footer(f"&L&8{_escape(watermark.line)}&R&8第 &P 页，共 &N 页")


def _record_rows(ws, fmt: dict, row_no: int, serial: int, values: list[str], widths: list[int]) -> int:
    """Write one record from ``row_no``; returns the next free row. A record taller than MAX_LINES goes
    on over continuation rows (序号 blank, 姓名 marked 续), each as tall as its own text."""
    lines = max([1, *(_lines(value, widths[col]) for col, value in enumerate(values, start=1))])
    if lines <= MAX_LINES:
        ws.write_string(row_no, 0, str(serial), fmt["num"])
        for col, value in enumerate(values, start=1):
            _text(ws, row_no, col, value, fmt)
        ws.set_row(row_no, _height(lines))
        return row_no + 1
    wrapped = [_wrap(value, widths[col]) for col, value in enumerate(values, start=1)]
    lines = max(len(w) for w in wrapped)
    for start in range(0, lines, MAX_LINES):
        first = start == 0
        ws.write_string(row_no, 0, str(serial) if first else "", fmt["num"])
        chunk_lines = 1
        for col, parts in enumerate(wrapped, start=1):
            piece = parts[start : start + MAX_LINES]
            chunk_lines = max(chunk_lines, len(piece))
            text = _join(piece)
            if not first and col == 1:
                text = f"{values[0]}（续）"
            _text(ws, row_no, col, text, fmt)
        ws.set_row(row_no, _height(chunk_lines))
        row_no += 1
    return row_no


def _height(lines: int) -> float:
    return LINE_PT * lines + ROW_PAD_PT


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0x2E7F else 1


def _wrap(text: str, width: int) -> list[tuple[str, bool]]:
    """``text`` cut into the lines it wraps to in a column ``width`` characters wide (CJK counts double),
    each with whether it ends a paragraph. A conservative estimate: a line holds a little less than
    the printed cell does, so a row is never shorter than its text."""
    per_line = max(width - 2, 2)
    out: list[tuple[str, bool]] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for ch in paragraph:
            if used + _units(ch) > per_line:
                out.append((line, False))
                line, used = "", 0
            line += ch
            used += _units(ch)
        out.append((line, True))
    return out


def _join(lines: list[tuple[str, bool]]) -> str:
    """Wrapped lines back into text: soft breaks joined, paragraph ends kept."""
    text = ""
    for line, ends in lines:
        text += line + ("\n" if ends else "")
    return text.rstrip("\n")


_WIDE = re.compile("[\u2e80-\U0010ffff]")


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` takes at most in a column ``width`` characters wide (never fewer than
    `_wrap` makes): a paragraph of u units takes ceil(u / (per_line - 1)) lines (a wide character that
    does not fit ends a line early by one unit at most)."""
    per_line = max(width - 2, 2)
    total = 0
    for paragraph in text.split("\n"):
        units = len(paragraph) + len(_WIDE.findall(paragraph))
        total += max(1, -(-units // max(per_line - 1, 1)))
    return total


def _escape(text: str) -> str:
    return clean_text(text).replace("&", "&&")


def _colleges_sheet(wb, fmt: dict, data: LedgerSheetData, watermark: Watermark) -> None:
    """The school-wide book's register: each college's ledger, status, signatures and date."""
    ws = wb.add_worksheet("各学院上报情况")
    headers = ["学院", "状态", "上报日期", "逾期", "填表人", "负责人", "台账行数", "随时上报"]
    widths = [24, 16, 14, 6, 12, 12, 10, 10]
    ws.merge_range(
        0, 0, 0, len(headers) - 1, f"{data.title_year}年特殊群体学生精准关爱工程台账 各学院上报情况", fmt["title"]
    )
    ws.set_row(0, 28)
    for col, header in enumerate(headers):
        ws.write_string(1, col, header, fmt["head"])
        ws.set_column(col, col, widths[col])
    for n, line in enumerate(data.colleges, start=2):
        for col, key in enumerate(
            ("college", "status", "submitted_on", "late", "filled_by", "responsible", "rows", "addenda")
        ):
            _text(ws, n, col, line.get(key, ""), fmt)
        ws.set_row(n, _height(1))
    _page_setup(ws, data, watermark)
    ws.repeat_rows(1, 1)


def grouped(
    records_by_category: dict[str, list[LedgerRecord]],
    addenda: dict[str, list[LedgerRecord]] | None = None,
) -> dict[str, list[Block]]:
    """A college's tables: its rows, then a 随时上报 section for the addenda after submission."""
    out: dict[str, list[Block]] = {}
    for category, records in records_by_category.items():
        blocks = [Block("", records)]
        extra = (addenda or {}).get(category) or []
        if extra:
            blocks.append(Block("随时上报（上报后新增，按上报日期）", extra))
        out[category] = blocks
    return out


def school_tables(colleges: Iterable[tuple[str, dict, dict]], categories: Iterable[str]) -> dict[str, list[Block]]:
    """The school-wide tables: each category's rows grouped under a line per college naming its ledger's
    status and signatures, the college's addenda after its rows."""
    out: dict[str, list[Block]] = {c: [] for c in categories}
    for label, records_by_category, addenda in colleges:
        for category in out:
            records = records_by_category.get(category, [])
            extra = addenda.get(category, [])
            if records or extra:
                out[category].append(Block(label, records))
                if extra:
                    out[category].append(Block("随时上报（上报后新增，按上报日期）", extra))
    return out
