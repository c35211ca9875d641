"""Roster import: all or nothing, idempotent, upsert by 学号.

The file is validated whole first; any bad row gives a report (row, column, message) and nothing is
written. A good file is applied in one transaction. Two modes (api.md "Roster"):

- ``upsert`` (the default) adds and updates the listed students and takes nobody off the roster;
- ``sync`` treats the file as the full roster of each college it names: that college's active students
  missing from the file are marked inactive (never deleted) and listed in the report
  (``deactivated_students``), in the dry run as in the real import.

A college admin's file touches only their own college: a row naming another college, or a 学号 that
belongs to a student of another college, is refused (moving between colleges is school_admin's).
The optional 学籍状态 / 状态日期 columns record a status change in the student's history.

The steps: reading and the generic pieces are core/tabular/; the columns and row checks are
roster/import_rows.py; the plan and the writes roster/import_plan.py. A file too large to answer at once is
applied in chunks by a background job (jobs/roster_import_job.py) with the same checks and report.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from careledger.audit.services import Action, Outcome, record
from careledger.core.tabular import ImportReport, RowError, Table, TableError, match_columns, read_table
from careledger.roster.import_plan import (
    apply_plan,
    apply_statuses,
    deactivation_qs,
    existing_by_no,
    leavers,
    roster_plan,
)
from careledger.roster.import_rows import ROSTER_COLUMNS, check_scope, validate_rows

__all__ = [
    "MODES",
    "ROSTER_COLUMNS",
    "SYNC",
    "UPSERT",
    "RosterReport",
    "apply_plan",
    "apply_statuses",
    "audit_import",
    "check_file",
    "deactivation_qs",
    "leavers",
    "roster_import",
    "roster_plan",
]

UPSERT, SYNC = "upsert", "sync"
MODES = (UPSERT, SYNC)


@dataclass
class RosterReport(ImportReport):
    mode: str = UPSERT
    deactivated_students: list[dict] = field(default_factory=list)  # who a sync import takes off the roster
    status_changes: int = 0

    def more(self) -> dict:
        # A full-roster import names who leaves (dry run or not); an upsert never takes anyone off.
        return {"mode": SYNC, "deactivated_students": self.deactivated_students} if self.mode == SYNC else {}


def check_file(actor, table: Table) -> tuple[list[dict], dict[str, int], dict[str, dict], list[RowError]]:
    """The header, every row, and the actor's scope, read only: (records, column index by key, the stored
    students the file names by 学号, errors by row). Any error and nothing may be written."""
    index, written, header_errors = match_columns(table, ROSTER_COLUMNS)
    if header_errors:
        return [], index, {}, header_errors
    records, errors = validate_rows(table, index, written)
    existing = existing_by_no({r["student_no"] for r in records if r.get("student_no")})
    errors += check_scope(actor, records, written, existing)
    return records, index, existing, sorted(errors, key=lambda e: e.row)


def roster_import(*, actor, data: bytes, filename: str, dry_run: bool = False, mode: str = UPSERT) -> RosterReport:
    """Validate the whole file; if every row is good (and not a dry run), apply it in one transaction.

    ``mode``: ``upsert`` (default) adds and updates; ``sync`` also takes off the roster the students of the
    file's colleges whom it does not list (listed in the report, dry run or not)."""
    report = RosterReport(dry_run=dry_run, mode=mode)
    if mode not in MODES:
        report.errors.append(RowError(0, "mode", _("导入方式应为 upsert 或 sync。")))
        return report
    digest = hashlib.sha256(data).hexdigest()
    try:
        table = read_table(data, filename)
    except TableError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        audit_import(actor, report, filename, digest)
        return report
    records, index, existing, errors = check_file(actor, table)
    if errors:
        report.errors = errors
        audit_import(actor, report, filename, digest)
        return report
    with transaction.atomic():
        creates, updates, unchanged, statuses = roster_plan(records, index, existing)
        report.created, report.updated, report.unchanged = len(creates), len(updates), unchanged
        report.status_changes = len(statuses)
        if mode == SYNC:
            report.deactivated_students = leavers(records)
            report.deactivated = len(report.deactivated_students)
        if not dry_run:
            apply_plan(records, index, creates, updates)
            apply_statuses(actor, statuses)
            if mode == SYNC:
                report.deactivated = deactivation_qs(records).update(is_active=False)
            audit_import(actor, report, filename, digest)
    if dry_run:
        audit_import(actor, report, filename, digest)
    return report


def audit_import(actor, report: RosterReport, filename: str, digest: str) -> None:
    """The import's one audit row (refused, dry run or applied): the file's digest and the counts."""
    record(
        actor=actor if actor is not None else "cli",
        action=Action.IMPORT,
        object_type="roster",
        outcome=Outcome.OK if report.ok else Outcome.ERROR,
        detail={
            "file": filename[-100:],
            "sha256": digest,
            "dry_run": report.dry_run,
            "mode": report.mode,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "deactivated": report.deactivated,
            "deactivated_students": [r["student_no"] for r in report.deactivated_students][:1000],
            "status_changes": report.status_changes,
            "errors": len(report.errors),
        },
    )
