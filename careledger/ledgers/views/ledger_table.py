"""The sub-tables of the ledger page as shown: one sub-table at a time, a page of its rows at a time,
phone numbers masked (SEC-16; in full in the downloaded workbook)."""

import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.urls import reverse

from careledger.cases.categories import SUB_TABLES, Category, ledger_columns
from careledger.roster.rules import mask_phone

# Columns of 附件1 holding phone numbers: masked on screen (SEC-16), in full in the downloaded workbook.
PHONE_COLUMNS = frozenset({"本人联系方式", "家长姓名及联系方式", "帮扶人姓名及联系方式"})
_PHONE = re.compile(r"\d{7,}")

# perf (issue 13): the page shows one sub-table at a time, a page of rows at a time.
LEDGER_ROWS_PER_PAGE = 100


@dataclass
class Table:
    """One of the seven sub-tables as shown: the notice's number and title, its headers and its cells."""

    number: int
    code: str
    label: str  # the category's short name
    title: str
    headers: tuple[str, ...]
    rows: list[list[tuple[str, str]]] = field(default_factory=list)  # cells: (text, link or "")
    count: int = 0  # rows in the whole sub-table; ``rows`` holds the page shown (the selected table only)


def _cell(header: str, value) -> str:
    text = "" if value is None else str(value)
    return _PHONE.sub(lambda m: mask_phone(m.group()), text) if header in PHONE_COLUMNS else text


def tables_shown(
    records_by_category: dict, readable: set[int], *, shown: str | None = None, page_number=None
) -> tuple[list[Table], Table | None, object]:
    """Every sub-table with its count; cells only for one page of the ``shown`` one (else the first with rows)."""
    tables = []
    non_empty = [code for code, found in records_by_category.items() if found]
    if shown not in non_empty:
        shown = non_empty[0] if non_empty else None
    selected, page = None, None
    for code, found in records_by_category.items():
        columns = ledger_columns(code)
        table = Table(
            number=Category.values.index(code) + 1,
            code=code,
            label=Category(code).label,
            title=SUB_TABLES[code].title,
            headers=tuple(header for header, _field in columns),
            count=len(found),
        )
        tables.append(table)
        if code != shown:
            continue
        selected = table
        page = Paginator(found, LEDGER_ROWS_PER_PAGE).get_page(page_number)
        for n, record in enumerate(page.object_list, start=page.start_index()):
            link = reverse("cases:detail", args=[record.case]) if record.case in readable else ""
            cells = []
            for header, field_name in columns:
                if field_name == "serial":
                    cells.append((str(n), ""))
                else:
                    cells.append((_cell(header, record.value(field_name)), link if field_name == "name" else ""))
            table.rows.append(cells)
    return tables, selected, page
