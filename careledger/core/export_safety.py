"""What every export shares: neutralised cell values, the exporter's watermark (有据可查), the file itself
(``ExportFile``) and its audit row (``audit_export``)."""

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from careledger.audit.services import Action, record
from careledger.core import clock
from careledger.core.text import clean_text

# A value a spreadsheet could read as a formula, even behind a BOM, whitespace or control characters
# (OWASP CSV injection; Primero a9ca21d8e1): it is prefixed with ' and always written as text.
_FORMULA = re.compile(r"\A[\uFEFF\u0000-\u001F\u007F\s]*[=+\-@|%]")


def neutralise(value: object) -> str:
    """For CSV and other plain-text outputs: a formula-like value behind a visible ' guard."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


def formula_like(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula if it were typed in? (.xlsx cells that are written
    as text carry Excel's hidden quote prefix instead of a visible ' — see ledger_xlsx.)"""
    return bool(_FORMULA.match(text))


# A file-name part from user text (a student's name …): no path separators, no parent references,
# no control or reserved characters; never empty.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_name(value: object, fallback: str = "_") -> str:
    text = _UNSAFE_NAME.sub("_", clean_text(value)).strip(" .")
    text = text.replace("..", "_")
    return text[:80] or fallback


@dataclass(frozen=True)
class Watermark:
    """Who exported what and when: printed in every page header/footer and the file's properties."""

    exporter: str  # "姓名 (username)"
    at: datetime = field(default_factory=clock.now)
    export_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def line(self) -> str:
        local = clock.local_time(self.at)
        return f"导出人：{self.exporter}  导出时间：{local:%Y-%m-%d %H:%M}  导出编号：{self.export_id}"


def watermark_for(user) -> Watermark:
    return Watermark(exporter=f"{user.name or user.username} ({user.username})")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    data: bytes
    export_id: str


def audit_export(
    actor, export: ExportFile, *, object_type: str, object_id, student_no: str = "", **detail
) -> ExportFile:
    """The one audit row of an export: the file's name, SHA-256 and export id, and what it held."""
    record(
        actor=actor,
        action=Action.EXPORT,
        object_type=object_type,
        object_id=object_id,
        student_no=student_no,
        detail={
            "file": export.filename,
            "sha256": hashlib.sha256(export.data).hexdigest(),
            "export_id": export.export_id,
            **detail,
        },
    )
    return export
