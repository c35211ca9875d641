"""The 附件1 rows of a college's ledger: one record per open case per category (ledgers/records.py).

A student in several categories appears in each of those sub-tables. The same rows feed the live
draft, the frozen snapshot at submission, the addenda and the .xlsx export.
"""

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from careledger.cases.categories import (
    Category,
    compose_text,
)
from careledger.cases.models import Case, CaseEffect, CaseStatus, CategoryEntry, Mentorship
from careledger.core import clock
from careledger.core.models import Semester
from careledger.ledgers.models import Ledger, LedgerStatus
from careledger.ledgers.records import LedgerRecord, load_snapshot, record_from_stored, stored_case, stored_rows
from careledger.ledgers.rules import is_frozen
from careledger.roster.selectors import status_note


def _join(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def category_text(entry: CategoryEntry) -> str:
    """The category column: each structured fact once (hardship level, GPA …), then the free text."""
    return compose_text(entry.category, entry.data, entry.detail)


def _contact(name: str, phone: str) -> str:
    return f"{name} {phone}".strip()


def open_cases(college_id: int, semester: Semester | None, category: str | None = None) -> QuerySet[Case]:
    """The college's open cases with what their records print, in the ledger's order; with ``category``,
    only the cases in that sub-table, with only that category's entry. Encrypted columns the ledger never
    prints (the case's problem and life history, the ID number) are not loaded (perf, issue 13)."""
    effects = CaseEffect.objects.filter(semester=semester) if semester else CaseEffect.objects.none()
    cases = Case.objects.filter(student__college_id=college_id, status=CaseStatus.OPEN)
    entries = CategoryEntry.objects.all()
    if category is not None:
        cases = cases.filter(categories__category=category)
        entries = entries.filter(category=category)
    return (
        cases.select_related("student__school_class", "student__dorm")
        .defer("problem", "life_history", "student__id_number")
        .prefetch_related(
            Prefetch("categories", queryset=entries),
            "student__status_history",  # 学籍状态 for 备注 (cal, issue 12)
            Prefetch("effects", queryset=effects, to_attr="semester_effects"),
            Prefetch(
                "mentorships",
                queryset=Mentorship.objects.current().select_related("mentor"),
                to_attr="current_pairings",
            ),
        )
        .order_by("student__school_class__name", "student__student_no")
    )


def mentor_text(mentor) -> str:
    """帮扶人姓名及联系方式: the mentor's name and phone (or a word that no phone is on file)."""
    if mentor is None:
        return ""
    name = mentor.name or mentor.username
    return f"{name} {mentor.phone}" if mentor.phone else f"{name}（未登记手机）"


def case_record(case: Case, entry: CategoryEntry) -> LedgerRecord:
    """One ledger record for ``case`` in ``entry``'s sub-table (序号 is numbered on export)."""
    student = case.student
    pairing = case.current_pairings[0] if getattr(case, "current_pairings", None) else None
    effect = case.semester_effects[0].text if getattr(case, "semester_effects", None) else ""
    return LedgerRecord(
        category=entry.category,
        case=case.pk,
        student_no=student.student_no,
        risk=case.risk_level,
        name=student.name,
        gender=str(student.get_gender_display()),
        class_name=student.school_class.name,
        dorm=student.dorm.name if student.dorm else "",
        phone=student.phone,
        parent=_contact(student.parent_name, student.parent_phone),
        detail=category_text(entry),
        verification=entry.verification if entry.category == Category.PHYSICAL else "",
        plan=case.plan,
        mentor=mentor_text(pairing.mentor if pairing else None),
        effect=effect,
        note=_join(case.note, status_note(student, clock.today())),  # e.g. 休学（自2026年10月8日） (issue 12)
    )


def ledger_records(cases: Iterable[Case], categories: Iterable[str] = Category.values) -> dict[str, list[LedgerRecord]]:
    """{category: [record, …]} for every category asked for."""
    wanted = list(categories)
    out: dict[str, list[LedgerRecord]] = {c: [] for c in wanted}
    for case in cases:
        for entry in case.categories.all():
            if entry.category in out:
                out[entry.category].append(case_record(case, entry))
    return out


def _snapshot_shown(ledger: Ledger) -> dict[str, Any] | None:
    """The frozen snapshot the ledger shows once submitted or accepted; None for the live draft."""
    if is_frozen(ledger.status) and ledger.snapshot:
        return ledger.snapshot
    return None


def ledger_tables(ledger: Ledger, categories: list[str]) -> dict[str, list[LedgerRecord]]:
    """The ledger's records: the frozen snapshot once submitted, the live draft before (every row: the
    exports; a page reads ``ledger_counts`` and ``ledger_slice``)."""
    snapshot = _snapshot_shown(ledger)
    if snapshot is not None:
        frozen = load_snapshot(snapshot)
        return {c: frozen.get(c, []) for c in categories}
    return ledger_records(open_cases(ledger.college_id, ledger.semester), categories)


# perf (issue 13): a page of the ledger costs its page of rows — counted in SQL (or from the snapshot's
# lists), built and decrypted only for the rows shown, in the order of ``ledger_tables``.


def _live_entries(ledger: Ledger, categories: Iterable[str]) -> QuerySet[CategoryEntry]:
    """The draft's rows as category entries: one per open case of the college per category."""
    return CategoryEntry.objects.filter(
        case__student__college_id=ledger.college_id, case__status=CaseStatus.OPEN, category__in=list(categories)
    ).order_by()


def ledger_counts(ledger: Ledger, categories: list[str]) -> dict[str, int]:
    """Rows per sub-table, as ``ledger_tables`` would have them, without building a record (one query)."""
    snapshot = _snapshot_shown(ledger)
    if snapshot is not None:
        stored = stored_rows(snapshot)
        return {c: len(stored.get(c, [])) for c in categories}
    found = dict(
        _live_entries(ledger, categories).values("category").annotate(n=Count("pk")).values_list("category", "n")
    )
    return {c: found.get(c, 0) for c in categories}


def ledger_slice(ledger: Ledger, category: str, start: int, stop: int) -> list[LedgerRecord]:
    """``ledger_tables(ledger, [category])[category][start:stop]``, building those records only."""
    snapshot = _snapshot_shown(ledger)
    if snapshot is not None:
        return [record_from_stored(category, row) for row in stored_rows(snapshot).get(category, [])[start:stop]]
    cases = open_cases(ledger.college_id, ledger.semester, category)[start:stop]
    return [case_record(case, entry) for case in cases for entry in case.categories.all()]


def ledger_case_ids_in(ledger: Ledger, categories: list[str]) -> set[int]:
    """The cases with a row in the ledger's sub-tables of ``categories`` (ids only, no record built)."""
    snapshot = _snapshot_shown(ledger)
    if snapshot is not None:
        stored = stored_rows(snapshot)
        return {pk for c in categories for row in stored.get(c, []) if (pk := stored_case(row)) is not None}
    return set(_live_entries(ledger, categories).values_list("case_id", flat=True))


def ledger_addenda(ledger: Ledger, categories: list[str]) -> dict[str, list[LedgerRecord]]:
    """随时上报 since the ledger was (last) submitted, as records marked with their date, per category."""
    out: dict[str, list[LedgerRecord]] = {c: [] for c in categories}
    if ledger.pk is None or ledger.status not in (LedgerStatus.SUBMITTED, LedgerStatus.ACCEPTED):
        return out
    found = ledger.addenda.filter(category__in=categories)
    if ledger.submitted_at:
        found = found.filter(reported_at__gte=ledger.submitted_at)
    for addendum in found.order_by("reported_at", "id"):
        record = record_from_stored(addendum.category, addendum.row or {})
        out[addendum.category].append(replace(record, reported_on=clock.local_date(addendum.reported_at).isoformat()))
    return out


# SEC-45: the fields of a record that carry case text or contacts; a reader outside the case's scope gets
# the record (the student is on the college's ledger) without them.
TEXT_FIELDS = ("phone", "parent", "detail", "verification", "plan", "effect", "note")


def for_reader(tables: dict[str, list[LedgerRecord]], readable: set[int] | None) -> dict[str, list[LedgerRecord]]:
    """``tables`` with the text fields emptied in the records of cases outside ``readable`` (None: all
    readable) — ``readable`` comes from ``policy.ledger_text_case_ids``. Frozen snapshots too."""
    if readable is None:
        return tables
    blank = dict.fromkeys(TEXT_FIELDS, "")
    return {
        category: [r if r.case in readable else replace(r, **blank) for r in found]
        for category, found in tables.items()
    }


def ledger_case_ids(ledger: Ledger) -> list[int]:
    """The cases on the ledger: its rows (the snapshot once reported) and its addenda since."""
    categories = list(Category.values)
    if not is_frozen(ledger.status) or not ledger.snapshot:
        # A draft: its live rows are the college's open cases with a category (no rows built).
        live = open_cases(ledger.college_id, ledger.semester).filter(categories__isnull=False)
        return list(dict.fromkeys(live.values_list("pk", flat=True)))
    ids = ledger_case_ids_in(ledger, categories)
    for records in ledger_addenda(ledger, categories).values():
        ids.update(r.case for r in records if r.case is not None)
    return sorted(ids)
