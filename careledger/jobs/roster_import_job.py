"""The roster import as a background job (api.md "Long work"): a file of more than JOBS_IMPORT_ROWS rows.

Same checks, same report, same audit row as ``roster.importers.roster_import``; only the write path differs.
All or nothing is kept by staging: the whole file is read and validated, and the plan (its report) is
staged on the job, before anything is written. Then the rows are applied in chunks of CHUNK rows, each
in a short transaction that also records the chunk on the job, so that other requests can write in
between (SQLite has one writer at a time). A worker killed mid-import leaves the job running; it runs
again (jobs.services.jobs_recover) and goes on from the last committed chunk. Rows are upserted by
学号, so a chunk is never applied twice; the audit row and the deactivations are written once, with the
last step.
"""

import hashlib
import time

from django.db import connection, transaction

from careledger.core.tabular import RowError, TableError, read_table
from careledger.jobs.services import job_checkpoint, job_finish
from careledger.roster import importers
from careledger.roster.importers import RosterReport

# Rows a transaction: each chunk holds SQLite's one write lock while it is written (a request that writes,
# or is audited, waits for it), so chunks are kept to well under a second on an idle 2-core machine.
CHUNK = 1000
# After each chunk the job lets go of the database for this long before taking the next (SQLite): SQLite's
# lock is not fair, so a writer that commits and begins again at once can keep the lock from the requests
# waiting for it (their busy handlers poll up to every 100 ms) until they time out ("database is locked").
YIELD_SECONDS = 0.15


def roster_import_in_steps(
    *, actor, data: bytes, filename: str, job, progress, mode: str = importers.UPSERT
) -> RosterReport:
    report = RosterReport(mode=mode)
    digest = hashlib.sha256(data).hexdigest()

    def refused(errors: list[RowError]) -> RosterReport:
        report.errors = errors
        with transaction.atomic():
            importers.audit_import(actor, report, filename, digest)
            job_finish(job=job, report=report.as_dict())
        return report

    try:
        table = read_table(data, filename)
    except TableError as exc:
        return refused([RowError(0, "", str(exc))])
    records, index, existing, errors = importers.check_file(actor, table)
    if errors:
        return refused(errors)

    staged = job.checkpoint.get("report")
    if staged is None:  # first run: the plan, read only, staged before any write
        creates, updates, unchanged, statuses = importers.roster_plan(records, index, existing)
        leavers = importers.leavers(records) if mode == importers.SYNC else []
        staged = {
            "created": len(creates),
            "updated": len(updates),
            "unchanged": unchanged,
            "status_changes": len(statuses),
            "deactivated_students": leavers,
        }
        job_checkpoint(job=job, checkpoint={"report": staged, "chunk": 0}, done=0)
    chunks = [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)]
    progress(job.checkpoint["chunk"] * CHUNK, len(records) + 1)
    for n in range(job.checkpoint["chunk"], len(chunks)):
        with transaction.atomic():
            # Planned again against what is stored now: rows of a chunk committed before a crash are
            # unchanged and written no more.
            creates, updates, _, statuses = importers.roster_plan(chunks[n], index)
            importers.apply_plan(chunks[n], index, creates, updates)
            importers.apply_statuses(actor, statuses)
            job_checkpoint(
                job=job, checkpoint={"report": staged, "chunk": n + 1}, done=min((n + 1) * CHUNK, len(records))
            )
        progress(min((n + 1) * CHUNK, len(records)))
        if connection.vendor == "sqlite":
            time.sleep(YIELD_SECONDS)  # the requests waiting for the write lock go first
    with transaction.atomic():
        if mode == importers.SYNC:
            report.deactivated_students = staged["deactivated_students"]
            report.deactivated = importers.deactivation_qs(records).update(is_active=False)
        report.created, report.updated = staged["created"], staged["updated"]
        report.unchanged, report.status_changes = staged["unchanged"], staged["status_changes"]
        importers.audit_import(actor, report, filename, digest)
        job_finish(job=job, report=report.as_dict())
    return report
