"""附件1 workbook: the notice's 7 tables, one sheet each, ready to print on A4 landscape.

Each sheet: the title `{year}年特殊群体学生精准关爱工程台账` merged across the table, the sub-table
name with the college and the date line, the notice's column headers (repeated on every printed
page), the rows, and the footer `注：以上表格每学期上报一次`, `填表人：…`, `负责人：…`. Every cell is
written as text after neutralisation; the exporter's watermark is in the page header and footer and
the workbook properties.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import xlsxwriter

from careledger.cases.categories import SUB_TABLES, Category, ledger_headers
from careledger.core.export_safety import Watermark, neutralise

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


@dataclass(frozen=True)
class LedgerSheetData:
    title_year: int
    on: date
    unit: str  # 填报单位: the college, or 全校 for the school-wide workbook
    filled_by: str
    responsible: str
    # {category: [(group label or "", [row, …]), …]}: groups are colleges in the school-wide book
    tables: dict[str, list[tuple[str, list[dict]]]]


def build(data: LedgerSheetData, watermark: Watermark) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": f"{data.title_year}年特殊群体学生精准关爱工程台账",
            "subject": data.unit,
            "author": watermark.exporter,
            "comments": watermark.line,
            "keywords": f"export:{watermark.export_id}",
        }
    )
    fmt = _formats(wb)
    for category in Category.values:
        if category in data.tables:
            _sheet(wb, fmt, category, data, watermark)
    wb.close()
    return buf.getvalue()


def _formats(wb) -> dict:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "sub": wb.add_format({**base, "bold": True, "font_size": 12}),
        "unit": wb.add_format({**base, "font_size": 11, "align": "center"}),
        "date": wb.add_format({**base, "font_size": 11, "align": "right"}),
        "head": wb.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "border": 1, "bg_color": "#F2F2F2"}
        ),
        "cell": wb.add_format({**base, "text_wrap": True, "border": 1, "valign": "top"}),
        "num": wb.add_format({**base, "align": "center", "border": 1, "valign": "top"}),
        "group": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#FAFAFA"}),
        "foot": wb.add_format({**base, "font_size": 11}),
    }


def _sheet(wb, fmt: dict, category: str, data: LedgerSheetData, watermark: Watermark) -> None:
    ws = wb.add_worksheet(SHEET_NAMES[category])
    headers = ledger_headers(category)
    last = len(headers) - 1
    ws.merge_range(0, 0, 0, last, f"{data.title_year}年特殊群体学生精准关爱工程台账", fmt["title"])
    split = max(3, last // 2 - 1)
    number = NUMBERS[Category.values.index(category)]
    ws.merge_range(1, 0, 1, split, f"（{number}）{SUB_TABLES[category].title}", fmt["sub"])
    ws.merge_range(1, split + 1, 1, last - 3, f"填报单位：{data.unit}", fmt["unit"])
    ws.merge_range(1, last - 2, 1, last, f"{data.on.year}年{data.on.month}月{data.on.day}日", fmt["date"])
    ws.set_row(0, 28)
    ws.set_row(1, 20)
    for col, header in enumerate(headers):
        ws.write_string(2, col, header, fmt["head"])
        ws.set_column(col, col, WIDTHS.get(header, CATEGORY_WIDTH))
    ws.set_row(2, 32)
    row_no = 3
    serial = 0
    for group, group_rows in data.tables[category]:
        if group:
            ws.merge_range(row_no, 0, row_no, last, neutralise(group), fmt["group"])
            row_no += 1
        for row in group_rows:
            serial += 1
            ws.write_string(row_no, 0, str(serial), fmt["num"])
            lines = 1
            for col, header in enumerate(headers[1:], start=1):
                value = neutralise(row.get(header, ""))
                ws.write_string(row_no, col, value, fmt["cell"])
                lines = max(lines, _lines(value, WIDTHS.get(header, CATEGORY_WIDTH)))
            # Spreadsheet programs do not grow rows for wrapped text on their own when printing.
            ws.set_row(row_no, 14 * min(lines, 30))
            row_no += 1
    if serial == 0:
        ws.merge_range(row_no, 0, row_no, last, "（本学期无）", fmt["cell"])
        row_no += 1
    foot = row_no + 1
    ws.merge_range(foot, 0, foot, split, "注：以上表格每学期上报一次", fmt["foot"])
    ws.merge_range(foot, split + 1, foot, last - 3, f"填表人：{neutralise(data.filled_by)}", fmt["foot"])
    ws.merge_range(foot, last - 2, foot, last, f"负责人：{neutralise(data.responsible)}", fmt["foot"])
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.fit_to_pages(1, 0)  # all columns on the page width; as many pages down as needed
    ws.repeat_rows(2, 2)  # the column headers on every printed page
    ws.set_header(f"&L&8{_escape(data.unit)}&R&8{_escape(watermark.line)}")
    ws.set_footer(f"&L&8{_escape(watermark.line)}&R&8第 &P 页，共 &N 页")
    ws.freeze_panes(3, 2)


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (CJK counts double)."""
    total = 0
    for paragraph in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in paragraph)
        total += max(1, -(-units // max(width - 1, 1)))
    return total


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def grouped(rows_by_category: dict[str, list[dict]]) -> dict[str, list[tuple[str, list[dict]]]]:
    """A college's tables: one ungrouped block per category."""
    return {category: [("", rows)] for category, rows in rows_by_category.items()}


def school_tables(colleges: Iterable[tuple[str, dict[str, list[dict]]]], categories: Iterable[str]):
    """The school-wide tables: each category's rows grouped under a 学院 line per college."""
    out: dict[str, list[tuple[str, list[dict]]]] = {c: [] for c in categories}
    for college, rows_by_category in colleges:
        for category in out:
            rows = rows_by_category.get(category, [])
            if rows:
                out[category].append((f"学院：{college}", rows))
    return out
