"""Exports: build the file, audit it (who, what, rows, SHA-256, export id) and hand it back.

Every export follows the access policy's view of the data: a section sees only its categories, and a
case file only goes to those who may read the case.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.audit.services import Action, record
from careledger.cases.models import Case, CaseStatus, CloseStatus
from careledger.core import clock
from careledger.core.models import Semester
from careledger.exports import case_docx, ledger_xlsx
from careledger.exports.safe import Watermark, watermark_for
from careledger.ledgers import rows
from careledger.ledgers.models import Ledger, LedgerStatus
from careledger.roster.models import College

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    data: bytes
    export_id: str


def _audited(
    actor: User, export: ExportFile, *, object_type: str, object_id, student_no: str = "", **detail
) -> ExportFile:
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


def ledger_tables(ledger: Ledger, categories: list[str]) -> dict[str, list[dict]]:
    """The ledger's rows: the frozen snapshot once submitted, the live draft before."""
    if ledger.status in (LedgerStatus.SUBMITTED, LedgerStatus.ACCEPTED) and ledger.snapshot:
        frozen = ledger.snapshot.get("rows", {})
        return {c: frozen.get(c, []) for c in categories}
    return rows.ledger_rows(rows.open_cases(ledger.college_id, ledger.semester), categories)


def _sheet_date(ledger: Ledger):
    return clock.local_date(ledger.submitted_at) if ledger.submitted_at else clock.today()


def export_ledger(*, actor: User, ledger: Ledger) -> ExportFile:
    categories = policy.ledger_categories_for(actor)
    if not categories:
        raise PermissionDenied("no categories")
    watermark = watermark_for(actor)
    # SEC-45 (sec): no case text outside the reader's case scope.
    tables = rows.for_reader(ledger_tables(ledger, categories), policy.ledger_text_case_ids(actor, ledger.college_id))
    data = ledger_xlsx.LedgerSheetData(
        title_year=ledger.semester.start.year,
        on=_sheet_date(ledger),
        unit=ledger.college.name,
        filled_by=ledger.filled_by,
        responsible=ledger.responsible,
        tables=ledger_xlsx.grouped(tables),
    )
    export = ExportFile(
        filename=f"{ledger.semester.name}_{ledger.college.name}_台账.xlsx",
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
    )


def export_school_ledger(*, actor: User, semester: Semester) -> ExportFile:
    """The school-wide workbook: every college's rows, grouped by college under each sub-table."""
    categories = policy.ledger_categories_for(actor)
    if not categories or not policy.has_role(actor, "school_admin", "section"):
        raise PermissionDenied("school-wide export")
    watermark = watermark_for(actor)
    ledgers = {ledger.college_id: ledger for ledger in Ledger.objects.filter(semester=semester)}
    colleges = []
    total = 0
    for college in College.objects.order_by("name"):
        ledger = ledgers.get(college.pk) or Ledger(semester=semester, college=college)
        tables = ledger_tables(ledger, categories)
        total += sum(len(r) for r in tables.values())
        colleges.append((college.name, tables))
    data = ledger_xlsx.LedgerSheetData(
        title_year=semester.start.year,
        on=clock.today(),
        unit=f"{settings.SCHOOL_NAME}（全校）",
        filled_by="",
        responsible="",
        tables=ledger_xlsx.school_tables(colleges, categories),
    )
    export = ExportFile(
        filename=f"{semester.name}_全校台账.xlsx",
        content_type=XLSX,
        data=ledger_xlsx.build(data, watermark),
        export_id=watermark.export_id,
    )
    return _audited(actor, export, object_type="semester", object_id=semester.pk, categories=categories, rows=total)


def _case_file_data(case: Case) -> case_docx.CaseFileData:
    student = case.student
    today = clock.today()
    pairing = case.mentorships.filter(ended_at__isnull=True).select_related("mentor").first()
    mentor = pairing.mentor if pairing else None
    age = ""
    if student.birth_date:
        b = student.birth_date
        age = str(today.year - b.year - ((today.month, today.day) < (b.month, b.day)))
    categories = "、".join(str(e.get_category_display()) for e in case.categories.all())
    parts = [f"问题类型：{categories}" if categories else "", *(e.detail for e in case.categories.all()), case.problem]
    problem = "\n".join(p for p in parts if p)
    contacts = [
        case_docx.ContactRow(
            at=f"{clock.local_time(c.occurred_at):%Y年%m月%d日 %H:%M}",
            place=c.location,
            effect=c.effect,
            text=f"【{c.get_kind_display()}】{c.content}",
        )
        for c in case.contacts.order_by("occurred_at", "id")
    ]
    latest = case.close_requests.order_by("-requested_at").first()
    revoke = ""
    if latest is not None:
        verdict = {
            CloseStatus.PENDING: "待学院审批",
            CloseStatus.APPROVED: "学院已同意",
            CloseStatus.REJECTED: "学院未同意",
        }
        revoke = f"是。{latest.reason}（{verdict[latest.status]}）"
    return case_docx.CaseFileData(
        school=settings.SCHOOL_NAME,
        mentor=mentor.name if mentor else "",
        period_from=case.opened_on,
        period_to=case.closed_on or today,
        name=student.name,
        gender=student.get_gender_display(),
        class_name=student.school_class.name,
        age=age,
        native_place=student.native_place,
        phone=student.phone,
        problem=problem,
        life_history=case.life_history,
        plan=case.plan,
        contacts=contacts,
        revoke=revoke,
    )


def export_case_file(*, actor: User, case: Case) -> ExportFile:
    if not policy.can_read_case_text(actor, case):
        raise PermissionDenied("须先说明查看原因。 / State a reason first.")
    watermark = watermark_for(actor)
    export = ExportFile(
        filename=f"{case.student.student_no}_{case.student.name}_档案表.docx",
        content_type=DOCX,
        data=case_docx.build(_case_file_data(case), watermark),
        export_id=watermark.export_id,
    )
    return _audited(actor, export, object_type="case", object_id=case.pk, student_no=case.student.student_no)


def export_college_case_files(*, actor: User, college: College) -> ExportFile:
    """A zip of the 附件2 case files of the college's open cases that ``actor`` may read."""
    cases = [
        case
        for case in policy.cases_for(actor)
        .filter(student__college=college, status=CaseStatus.OPEN)
        .select_related("student__school_class")
        .prefetch_related("categories")
        .order_by("student__student_no")
        if policy.can_read_case_text(actor, case)
    ]
    watermark = watermark_for(actor)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for case in cases:
            name = f"{case.student.student_no}_{case.student.name}_档案表.docx"
            archive.writestr(name, case_docx.build(_case_file_data(case), watermark))
    export = ExportFile(
        filename=f"{college.name}_特殊群体学生档案表.zip",
        content_type="application/zip",
        data=buf.getvalue(),
        export_id=watermark.export_id,
    )
    return _audited(actor, export, object_type="college", object_id=college.pk, cases=len(cases))


__all__ = [
    "ExportFile",
    "Watermark",
    "export_case_file",
    "export_college_case_files",
    "export_ledger",
    "export_school_ledger",
]
