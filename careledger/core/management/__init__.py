"""Management commands of the ``careledger`` console command, and the little they share.

``text_table`` lines up columns holding Chinese text (two terminal cells per wide character);
``write_import_report`` prints an importer's ``ImportReport`` the same way for every import command.
"""

import unicodedata
from collections.abc import Iterable, Sequence

from django.core.management.base import OutputWrapper


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def text_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain table, columns padded to their widest cell as the terminal shows it."""
    body = [[str(c) for c in row] for row in rows]
    widths = [display_width(h) for h in header]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=False)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(header)), rule, *(line(r) for r in body)])


def write_import_report(out: OutputWrapper, err: OutputWrapper, report, *, with_deactivated: bool) -> None:
    """The counts of a good import, or the table of problems (行 列 问题) of a bad one."""
    if not report.ok:
        rows = [(e.row or "—", e.column or "—", e.message) for e in report.errors]
        err.write(text_table(("行 Row", "列 Column", "问题 Problem"), rows))
        return
    counts = [("新增 created", report.created), ("更新 updated", report.updated), ("未变 unchanged", report.unchanged)]
    if with_deactivated:
        counts.append(("停用 deactivated", report.deactivated))
    out.write(text_table(("", "数量 Count"), counts))
    if report.dry_run:
        out.write("试运行：未写入任何数据。 / Dry run: nothing was written.")
