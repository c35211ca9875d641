"""Exports: build the file, audit it (who, what, rows, SHA-256, export id) and hand it back.

Every export follows the access policy's view of the data: a section sees only its categories, and a
case file only goes to those who may read the case.
"""

import io
import os
import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.cases.categories import compose_text
from careledger.cases.models import Case, CaseStatus, CloseStatus, Mentorship
from careledger.core import clock
from careledger.core.export_safety import ExportFile, Watermark, audit_export, safe_name, watermark_for
from careledger.core.models import Semester
from careledger.exports import case_docx, ledger_xlsx
from careledger.ledgers import rows
from careledger.ledgers import rules as ledger_rules
from careledger.ledgers.models import Ledger, LedgerStatus
from careledger.ledgers.selectors import ledger_case_files
from careledger.roster import rules as roster_rules
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


def _contact_kinds() -> dict[str, str]:
    """The contact kinds' labels, translated once per file rather than once per contact."""
    from careledger.contacts.models import ContactKind

    return {str(value): str(label) for value, label in ContactKind.choices}


def _mentors(case: Case) -> list[case_docx.MentorPeriod]:
    return [
        case_docx.MentorPeriod(
            name=m.mentor.name or m.mentor.username,
            start=clock.local_date(m.started_at),
            end=clock.local_date(m.ended_at) if m.ended_at else None,
        )
        for m in sorted(case.mentorships.all(), key=lambda m: (m.started_at, m.pk))
    ]


def _case_file_data(case: Case) -> case_docx.CaseFileData:
    """Everything the 附件2 form prints, read from prefetched relations (see `case_file_queryset`)."""
    student = case.student
    today = clock.today()
    years = roster_rules.age_on(student.birth_date, today)
    age = "" if years is None else str(years)
    entries = list(case.categories.all())
    kinds = _contact_kinds()
    categories = "、".join(str(e.get_category_display()) for e in entries)
    parts = [
        f"问题类型：{categories}" if categories else "",
        *(compose_text(e.category, e.data, e.detail) for e in entries),
        case.problem,
    ]
    problem = "\n".join(p for p in parts if p)
    contacts = [
        case_docx.ContactRow(
            at=f"{case_docx.cn_date(clock.local_date(c.occurred_at))} {clock.local_time(c.occurred_at):%H:%M}",
            place=c.location,
            effect=c.effect,
            text=f"【{kinds.get(c.kind, c.kind)}】{c.content}",
        )
        for c in sorted(case.contacts.all(), key=lambda c: (c.occurred_at, c.pk))
    ]
    requests = sorted(case.close_requests.all(), key=lambda r: (r.requested_at, r.pk))
    latest = requests[-1] if requests else None
    revoke = ""
    if latest is not None:
        verdict: dict[str, str] = {
            CloseStatus.PENDING: "待学院审批",
            CloseStatus.APPROVED: "学院已同意",
            CloseStatus.REJECTED: "学院未同意",
        }
        revoke = f"是。{latest.reason}（{verdict[latest.status]}）"
    closed = case.status != CaseStatus.OPEN
    periods = [(p.opened_on, p.closed_on) for p in sorted(case.open_periods.all(), key=lambda p: (p.opened_on, p.pk))]
    return case_docx.CaseFileData(
        school=settings.SCHOOL_NAME,
        mentor=case_docx.mentor_line(_mentors(case)),
        period_from=case.opened_on,
        period_to=(case.closed_on or today) if closed else None,
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
        periods=periods,
    )


def case_file_queryset(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with everything the case file prints, in a fixed number of queries."""
    return queryset.select_related("student__school_class").prefetch_related(
        "categories",
        "contacts",
        "close_requests",
        "open_periods",
        Prefetch("mentorships", queryset=Mentorship.objects.select_related("mentor")),
    )


def case_file_name(case: Case) -> str:
    """The case file's name: 学号_姓名_档案表.docx, with no path parts from user text (SEC-48)."""
    return f"{safe_name(case.student.student_no)}_{safe_name(case.student.name)}_档案表.docx"


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


def write_case_files_zip(
    cases: Iterable[Case | int],
    target: str | os.PathLike[str] | BinaryIO,
    watermark: Watermark,
    progress: Callable[[int, int], None] | None = None,
    *,
    chunk: int = 100,
) -> int:
    """Write the 附件2 case files of ``cases`` (already authorised) as a zip to ``target`` (a path or a
    binary file); ``progress(done, total)`` after each file. Cases are read in chunks of ``chunk`` with
    everything the file prints prefetched. Entry names carry no path parts from user text (SEC-48);
    two students of one name and number cannot overwrite each other. Returns the number of files."""
    ids = [c.pk if isinstance(c, Case) else int(c) for c in cases]
    total = len(ids)
    done = 0
    names: set[str] = set()
    # Stored, not deflated: each .docx is already a compressed zip.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for start in range(0, total, chunk):
            batch = ids[start : start + chunk]
            found = {c.pk: c for c in case_file_queryset(Case.objects.filter(pk__in=batch))}
            for pk in batch:
                case = found.get(pk)
                if case is None:
                    continue
                name = case_file_name(case)
                if name in names:
                    name = name.replace("_档案表.docx", f"_{case.pk}_档案表.docx")
                names.add(name)
                archive.writestr(name, case_docx.build(_case_file_data(case), watermark))
                done += 1
                if progress is not None:
                    progress(done, total)
    return done


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
