"""What the screening and office-list imports share: their report, the file read into it, the 学号 column
checked against the roster, and the audit row. The generic pieces (reading the file, RowError, cell
parsing) are core/tabular/."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from careledger.audit.services import Action, record
from careledger.core.tabular import RowError, Table, TableError, read_table
from careledger.roster.models import Student

MAX_ERRORS = 200


@dataclass
class EvidenceReport:
    scored: int = 0
    flagged: int = 0
    urgent: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "scored": self.scored,
            "flagged": self.flagged,
            "urgent": self.urgent,
            "dry_run": self.dry_run,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }


STUDENT_NO_HEADERS = {"学号", "student_no", "studentno", "xh"}


def read_or_report(data: bytes, filename: str, report: EvidenceReport) -> Table | None:
    """The file's table, or None with the reason in the report."""
    try:
        return read_table(data, filename)
    except TableError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        return None


def students_by_row(table: Table, col: int, report: EvidenceReport) -> dict[int, Student]:
    """Row number → student, with an error for an empty, unknown, inactive or repeated 学号."""
    numbers = {row[col].strip() for _n, row in table.rows if col < len(row)}
    known = {
        s.student_no: s
        for s in Student.objects.filter(student_no__in=numbers).only(
            "pk", "student_no", "college_id", "grade", "school_class_id", "is_active"
        )
    }
    seen: dict[str, int] = {}
    out = {}
    for n, row in table.rows:
        no = row[col].strip() if col < len(row) else ""
        if not no:
            report.errors.append(RowError(n, "学号", _("学号为空。")))
        elif no in seen:
            report.errors.append(RowError(n, "学号", _("学号与第 %(r)d 行重复。") % {"r": seen[no]}))
        elif no not in known:
            report.errors.append(RowError(n, "学号", _("名册中没有学号 %(no)s。") % {"no": no}))
        elif not known[no].is_active:
            report.errors.append(RowError(n, "学号", _("学号 %(no)s 的学生已离册。") % {"no": no}))
        else:
            seen[no] = n
            out[n] = known[no]
    return out


def audit_import(actor, object_type: str, detail: dict) -> None:
    record(actor=actor, action=Action.IMPORT, object_type=object_type, detail=detail)
