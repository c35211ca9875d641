"""CSV and .xlsx exports of the audit trail for the auditor: formula-neutralised, watermarked, audited."""

import csv
import hashlib
import io
import json
from dataclasses import dataclass

import xlsxwriter
from django.db import transaction
from django.db.models import QuerySet

from careledger.audit.models import Action, AuditEvent
from careledger.audit.selectors import AuditFilter
from careledger.audit.services import record
from careledger.core import clock
from careledger.core.export_safety import neutralise, watermark_for

# Beyond this, narrow the filters: the auditor's export is for an inquiry, not a full dump (backups are).
MAX_ROWS = 100_000
COLUMNS = [
    ("id", "编号"),
    ("at", "时间"),
    ("actor_username", "操作人"),
    ("roles", "角色"),
    ("action", "操作"),
    ("object_type", "对象类型"),
    ("object_id", "对象"),
    ("student_no", "学号"),
    ("outcome", "结果"),
    ("remote_addr", "来源地址"),
    ("request_id", "请求编号"),
    ("detail", "详情"),
    ("hash", "哈希"),
]
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class TooManyRows(ValueError):
    pass


@dataclass(frozen=True)
class AuditExport:
    filename: str
    content_type: str
    data: bytes
    export_id: str


def _cells(event: AuditEvent) -> list[str]:
    out = []
    for name, _label in COLUMNS:
        value = getattr(event, name)
        if name == "at":
            value = clock.local_time(value).strftime("%Y-%m-%d %H:%M:%S")
        elif name == "detail":
            value = json.dumps(value or {}, ensure_ascii=False, sort_keys=True)
        out.append(neutralise(value))
    return out


def _csv(rows: list[list[str]], watermark_line: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)  # RFC 4180 quoting
    writer.writerow([watermark_line])
    writer.writerow([label for _name, label in COLUMNS])
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _xlsx(rows: list[list[str]], watermark) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": "审计记录", "comments": watermark.line, "author": watermark.exporter})
    sheet = book.add_worksheet("审计记录")
    sheet.set_header(f"&C{watermark.line.replace('&', '&&')}")
    sheet.set_footer(f"&C{watermark.line.replace('&', '&&')}")
    sheet.write_string(0, 0, watermark.line)
    for col, (_name, label) in enumerate(COLUMNS):
        sheet.write_string(1, col, label)
    for r, cells in enumerate(rows, start=2):
        for col, value in enumerate(cells):
            sheet.write_string(r, col, value)  # always text, never a formula
    book.close()
    return buffer.getvalue()


def export_audit(*, actor, qs: QuerySet[AuditEvent], fmt: str, used: AuditFilter) -> AuditExport:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    events = list(qs[: MAX_ROWS + 1])
    if len(events) > MAX_ROWS:
        raise TooManyRows(MAX_ROWS)
    watermark = watermark_for(actor)
    rows = [_cells(e) for e in events]
    data = _csv(rows, watermark.line) if fmt == "csv" else _xlsx(rows, watermark)
    stamp = clock.local_time(watermark.at).strftime("%Y%m%d-%H%M")
    export = AuditExport(f"审计记录-{stamp}-{watermark.export_id}.{fmt}", FORMATS[fmt], data, watermark.export_id)
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.EXPORT,
            object_type="auditevent",
            detail={
                "file": export.filename,
                "format": fmt,
                "rows": len(rows),
                "filters": used.used,
                "sha256": hashlib.sha256(data).hexdigest(),
                "export_id": export.export_id,
            },
        )
    return export
