"""The 附件1 writer's pure parts: line estimates never below the wrap, the split of a tall record over
continuation rows, the addendum mark."""

import io
import random
from datetime import date, datetime

import openpyxl

from careledger.exports import ledger_xlsx
from careledger.exports.safe import Watermark
from careledger.ledgers.records import LedgerRecord


def test_the_line_estimate_is_never_below_the_wrap():
    rng = random.Random(2026)
    for _ in range(5000):
        text = "".join(rng.choice("ab中文，1\n") for _ in range(rng.randint(0, 200)))
        width = rng.randint(3, 40)
        assert ledger_xlsx._lines(text, width) >= len(ledger_xlsx._wrap(text, width))


def test_a_tall_record_goes_on_over_continuation_rows_and_loses_nothing():
    long = "".join("甲乙丙丁戊"[i % 5] for i in range(2000))
    record = LedgerRecord(category="psych", name="张三丰", detail=long, plan="=SUM(A1:A9)", reported_on="2026-11-03")
    data = ledger_xlsx.LedgerSheetData(
        title_year=2026,
        on=date(2026, 9, 18),
        unit="文学院",
        filled_by="王",
        responsible="李",
        tables=ledger_xlsx.grouped({"psych": []}, {"psych": [record]}),
    )
    watermark = Watermark(exporter="x (x)", at=datetime.fromisoformat("2026-11-05T10:00:00+08:00"))
    ws = openpyxl.load_workbook(io.BytesIO(ledger_xlsx.build(data, watermark))).worksheets[0]
    assert ws["A4"].value == "随时上报（上报后新增，按上报日期）"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5) if row[7].value]
    assert len(rows) > 1 and rows[0][0] == "1" and all(r[1] == "张三丰（续）" for r in rows[1:])
    assert "".join(r[7] for r in rows) == long
    assert rows[0][8] == "=SUM(A1:A9)" and rows[0][11] == "随时上报（2026年11月3日）"
    heights = [ws.row_dimensions[n].height for n in range(5, 5 + len(rows))]
    assert all(h <= 409 for h in heights)  # Excel's most for one row
