"""The sub-tables of the ledger page as shown: one sub-table at a time, a page of its rows at a time,
phone numbers masked (SEC-16; in full in the downloaded workbook)."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import overload

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from careledger.cases.categories import SUB_TABLES, Category, ledger_columns
from careledger.ledgers.records import LedgerRecord
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

    @property
    def body(self) -> SafeString:
        """The page's rows as the table's body: built here rather than by per-cell template tags (perf,
        issue 13), every value escaped by format_html; the same markup the template wrote."""
        return format_html_join("", "\n        <tr>{}</tr>\n        ", ((self._cells(cells),) for cells in self.rows))

    def _cells(self, cells: list[tuple[str, str]]) -> SafeString:
        return format_html_join(
            "",
            '<td data-label="{}" class="{}">{}</td>',
            (
                (
                    self.headers[i] if i < len(self.headers) else "",
                    _CELL_CLASS[min(i, len(_CELL_CLASS) - 1)],
                    format_html('<a href="{}">{}</a>', link, text) if link else text,
                )
                for i, (text, link) in enumerate(cells)
            ),
        )


# The class of a cell by its column: 序号, 姓名, the short columns (性别 … 联系方式), then text.
_CELL_CLASS = ("num", "card-title nowrap", "nowrap", "nowrap", "nowrap", "nowrap", "nowrap", "text")


def _cell(header: str, value) -> str:
    text = "" if value is None else str(value)
    return _PHONE.sub(lambda m: mask_phone(m.group()), text) if header in PHONE_COLUMNS else text


class _SubTable(Sequence[LedgerRecord]):
    """One sub-table for the paginator: its length counted beforehand, its records built a slice at a time."""

    def __init__(self, count: int, fetch: Callable[[int, int], list[LedgerRecord]]):
        self.length = count
        self.fetch = fetch

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> LedgerRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[LedgerRecord]: ...
    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, _step = index.indices(self.length)
            return self.fetch(start, stop) if start < stop else []
        found = self.fetch(index, index + 1)
        if not found:
            raise IndexError(index)
        return found[0]


def tables_shown(
    counts: dict[str, int],
    fetch: Callable[[str, int, int], list[LedgerRecord]],
    readable: set[int],
    *,
    shown: str | None = None,
    page_number=None,
) -> tuple[list[Table], Table | None, object]:
    """Every sub-table with its count (``counts``: category → rows); cells only for one page of the ``shown``
    one (else the first with rows), whose records ``fetch(category, start, stop)`` builds."""
    tables = []
    non_empty = [code for code, count in counts.items() if count]
    if shown not in non_empty:
        shown = non_empty[0] if non_empty else None
    selected, page = None, None
    for code, count in counts.items():
        columns = ledger_columns(code)
        table = Table(
            number=Category.values.index(code) + 1,
            code=code,
            label=Category(code).label,
            title=SUB_TABLES[code].title,
            headers=tuple(header for header, _field in columns),
            count=count,
        )
        tables.append(table)
        if code != shown:
            continue
        selected = table
        rows = _SubTable(count, lambda start, stop, code=code: fetch(code, start, stop))
        page = Paginator(rows, LEDGER_ROWS_PER_PAGE).get_page(page_number)
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
