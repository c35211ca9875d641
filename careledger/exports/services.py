"""Exports: build the file, audit it (who, what, rows, SHA-256, export id) and hand it back.

Every export follows the access policy's view of the data: a section sees only its categories, and a
case file only goes to those who may read the case.
"""

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.cases.models import Case, CaseStatus
from careledger.core import clock
from careledger.core.export_safety import ExportFile, Watermark, audit_export, safe_name, watermark_for
from careledger.core.models import Semester
from careledger.exports import case_docx, ledger_xlsx
from careledger.exports.case_files import (
    case_file_data,
    case_file_name,
    case_file_queryset,
    contact_rows,
    write_case_files_zip,
)
from careledger.ledgers import rows
from careledger.ledgers import rules as ledger_rules
from careledger.ledgers.models import Ledger, LedgerStatus
from careledger.ledgers.selectors import ledger_case_files
from careledger.roster.models import College

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


_audited = audit_export  # the one export audit row (core/export_safety.py)


def _sheet_date(ledger: Ledger) -> date:
    return clock.local_date(ledger.submitted_at) if ledger.submitted_at else clock.today()


def export_ledger(*, actor: User, ledger: Ledger) -> ExportFile:
    categories = policy.ledger_categories_for(actor)
    if not categories:
        raise PermissionDenied("no categories")
    watermark = watermark_for(actor)
    # SEC-45 (sec): no case text outside the reader's case scope.
    text_ids = policy.ledger_text_case_ids(actor, ledger.college_id)
    tables = rows.for_reader(rows.ledger_tables(ledger, categories), text_ids)
    addenda = rows.for_reader(rows.ledger_addenda(ledger, categories), text_ids)
    data = ledger_xlsx.LedgerSheetData(
        title_year=ledger.semester.start.year,
        on=_sheet_date(ledger),
        unit=ledger.college.name,
        filled_by=ledger.filled_by,
        responsible=ledger.responsible,
        tables=ledger_xlsx.grouped(tables, addenda),
    )
    export = ExportFile(
        filename=f"{safe_name(ledger.semester.name)}_{safe_name(ledger.college.name)}_台账.xlsx",
        content_type=XLSX,
        data=ledger_xlsx.build(data, watermark),
        export_id=watermark.export_id,
    )
    return _audited(
        actor,
        export,
        object_type="ledger",
        object_id=ledger.pk,
        categories=categories,
        rows=sum(len(r) for r in tables.values()),
        addenda=sum(len(r) for r in addenda.values()),
    )


STATUS_WORDS: dict[str, str] = {
    LedgerStatus.DRAFT: "草稿（未上报，实时数据）",
    LedgerStatus.SUBMITTED: "已上报",
    LedgerStatus.RETURNED: "已退回（待重新上报，实时数据）",
    LedgerStatus.ACCEPTED: "已接收",
}


def college_line(ledger: Ledger | None) -> dict[str, str]:
    """A college's ledger as the school-wide book states it: status, date, late mark, signatures."""
    if ledger is None or ledger.pk is None:
        return {"status": "未开始（实时数据）", "submitted_on": "", "late": "", "filled_by": "", "responsible": ""}
    frozen = ledger_rules.is_frozen(ledger.status)
    return {
        "status": STATUS_WORDS.get(ledger.status, ledger.status),
        "submitted_on": ledger_xlsx.cn_date(clock.local_date(ledger.submitted_at))
        if frozen and ledger.submitted_at
        else "",
        "late": "逾期" if frozen and ledger.late else "",
        "filled_by": ledger.filled_by if frozen else "",
        "responsible": ledger.responsible if frozen else "",
    }


def _college_label(name: str, line: dict[str, str]) -> str:
    parts = [f"学院：{name}", f"状态：{line['status']}"]
    if line["submitted_on"]:
        parts.append(f"上报日期：{line['submitted_on']}" + ("（逾期）" if line["late"] else ""))
    if line["filled_by"] or line["responsible"]:
        parts.append(f"填表人：{line['filled_by']}　负责人：{line['responsible']}")
    return "　".join(parts)


def export_school_ledger(*, actor: User, semester: Semester) -> ExportFile:
    """The school-wide workbook: every college's rows, grouped by college under each sub-table, each
    college under a line with its ledger's status, signatures and date; and a register sheet."""
    export, detail = school_ledger_file(actor=actor, semester=semester)
    return _audited(actor, export, object_type="semester", object_id=semester.pk, **detail)


def school_ledger_file(
    *, actor: User, semester: Semester, progress: Callable[[int, int], None] | None = None
) -> tuple[ExportFile, dict[str, Any]]:
    """The school-wide workbook, not yet audited (a background job audits it when it finishes)."""
    categories = policy.ledger_categories_for(actor)
    if not categories or not policy.can_read_school_ledgers(actor):
        raise PermissionDenied("school-wide export")
    watermark = watermark_for(actor)
    ledgers = {ledger.college_id: ledger for ledger in Ledger.objects.filter(semester=semester)}
    colleges = []
    register = []
    total = 0
    all_colleges = list(College.objects.order_by("name"))
    for n, college in enumerate(all_colleges):
        ledger = ledgers.get(college.pk) or Ledger(semester=semester, college=college)
        tables = rows.ledger_tables(ledger, categories)
        addenda = rows.ledger_addenda(ledger, categories)
        line = college_line(ledger)
        count = sum(len(r) for r in tables.values())
        extra = sum(len(r) for r in addenda.values())
        total += count + extra
        colleges.append((_college_label(college.name, line), tables, addenda))
        register.append({"college": college.name, **line, "rows": str(count), "addenda": str(extra)})
        if progress is not None:
            progress(n + 1, len(all_colleges) + 1)
    data = ledger_xlsx.LedgerSheetData(
        title_year=semester.start.year,
        on=clock.today(),
        unit=f"{settings.SCHOOL_NAME}（全校）",
        filled_by="",
        responsible="",
        tables=ledger_xlsx.school_tables(colleges, categories),
        colleges=register,
    )
    export = ExportFile(
        filename=f"{safe_name(semester.name)}_全校台账.xlsx",
        content_type=XLSX,
        data=ledger_xlsx.build(data, watermark),
        export_id=watermark.export_id,
    )
    return export, {"categories": categories, "rows": total}


def _case_file_data(case: Case) -> case_docx.CaseFileData:
    """Everything the 附件2 form prints for one case from `case_file_queryset` (its contacts read here)."""
    return case_file_data(case, contact_rows([case.pk]).get(case.pk, []))


def export_case_file(*, actor: User, case: Case) -> ExportFile:
    if not policy.can_read_case_text(actor, case):
        raise PermissionDenied(_("须先说明查看原因。"))
    watermark = watermark_for(actor)
    export = ExportFile(
        filename=case_file_name(case),
        content_type=DOCX,
        data=case_docx.build(_case_file_data(case_file_queryset(Case.objects.filter(pk=case.pk)).get()), watermark),
        export_id=watermark.export_id,
    )
    return _audited(actor, export, object_type="case", object_id=case.pk, student_no=case.student.student_no)


class ReasonRequired(PermissionDenied):
    """An admin not on the cases must state a reason for the ledger's case files first (SEC-45)."""

    def __init__(self, files: int):
        super().__init__(_("下载档案表须先说明查看原因（共 %(n)s 份）。") % {"n": files})
        self.files = files


def export_ledger_case_files(*, actor: User, ledger: Ledger) -> ExportFile:
    """A zip of the 附件2 case files of the ledger's cases that ``actor`` may read; ReasonRequired while
    an admin has files they may have only after stating a reason."""
    files = ledger_case_files(actor=actor, ledger=ledger)
    if files.need_reason:
        raise ReasonRequired(files.total)
    watermark = watermark_for(actor)
    buf = io.BytesIO()
    count = write_case_files_zip(files.readable, buf, watermark)
    export = ExportFile(
        filename=f"{safe_name(ledger.semester.name)}_{safe_name(ledger.college.name)}_特殊群体学生档案表.zip",
        content_type="application/zip",
        data=buf.getvalue(),
        export_id=watermark.export_id,
    )
    return _audited(actor, export, object_type="college", object_id=ledger.college_id, ledger=ledger.pk, cases=count)


def export_college_case_files(*, actor: User, college: College) -> ExportFile:
    """A zip of the 附件2 case files of the college's open cases that ``actor`` may read (bench, scripts)."""
    cases = [
        case
        for case in policy.cases_for(actor)
        .filter(student__college=college, status=CaseStatus.OPEN)
        .select_related("student")
        .order_by("student__student_no")
        if policy.can_read_case_text(actor, case)
    ]
    watermark = watermark_for(actor)
    buf = io.BytesIO()
    count = write_case_files_zip(cases, buf, watermark)
    export = ExportFile(
        filename=f"{safe_name(college.name)}_特殊群体学生档案表.zip",
        content_type="application/zip",
        data=buf.getvalue(),
        export_id=watermark.export_id,
    )
    return _audited(actor, export, object_type="college", object_id=college.pk, cases=count)


__all__ = [
    "ExportFile",
    "ReasonRequired",
    "Watermark",
    "export_case_file",
    "export_college_case_files",
    "export_ledger",
    "export_ledger_case_files",
    "export_school_ledger",
    "ledger_case_files",  # the ledger's read model (ledgers/selectors.py), for the exporters' callers
    "write_case_files_zip",
]
