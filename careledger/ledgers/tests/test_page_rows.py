"""A page of the ledger costs its page of rows (perf, issue 13): the counts, the slices and the case ids
that the ledger page reads equal what the full tables (the exports' read) hold — for a live draft, a
frozen snapshot and a schema-1 snapshot of before."""

from datetime import date

import pytest

from careledger.cases.categories import Category
from careledger.cases.models import Case, CaseStatus
from careledger.ledgers import records, rows
from careledger.ledgers.models import LedgerStatus
from careledger.ledgers.tests.test_records import LEGACY_SNAPSHOT
from tests.support.testing import make_ledger, make_student

pytestmark = pytest.mark.django_db

ALL = list(Category.values)
SLICES = [(0, 3), (2, 5), (4, 100), (7, 7), (0, 1000)]
MIXES = [("economic",), ("economic", "psych"), ("psych", "physical", "other")]


def college_cases(school, n: int) -> None:
    """n open cases of 文学院 over two classes, in one to three categories; and one closed case and one
    case of another college, which are on no sub-table of this ledger."""
    for i in range(n):
        student = make_student(f"2023018{i:05d}", f"学生{i}", school.c2023_2 if i % 2 else school.c2023_1)
        case = Case.objects.create(student=student, opened_on=date(2026, 9, 1), opened_by=school.carol)
        for category in MIXES[i % 3]:
            case.categories.create(category=category, detail=f"情况{i}", added_on=date(2026, 9, 1))
    for key, status in (("zhang", CaseStatus.CLOSED), ("zhao", CaseStatus.OPEN)):
        case = Case.objects.create(
            student=school.students[key], opened_on=date(2026, 9, 1), opened_by=school.carol, status=status
        )
        case.categories.create(category="economic", added_on=date(2026, 9, 1))


def assert_pages_equal_tables(ledger) -> None:
    full = rows.ledger_tables(ledger, ALL)
    counts = rows.ledger_counts(ledger, ALL)
    assert counts == {c: len(full[c]) for c in ALL}
    for category in ALL:
        for start, stop in SLICES:
            assert rows.ledger_slice(ledger, category, start, stop) == full[category][start:stop], (category, start)
    assert rows.ledger_case_ids_in(ledger, ALL) == {r.case for found in full.values() for r in found}
    assert rows.ledger_case_ids_in(ledger, ["psych"]) == {r.case for r in full["psych"]}
    assert rows.ledger_counts(ledger, ["psych"]) == {"psych": counts["psych"]}


def test_a_draft_page_is_its_slice_of_the_live_tables(school):
    college_cases(school, 11)
    ledger = make_ledger(school)
    assert_pages_equal_tables(ledger)
    assert rows.ledger_counts(ledger, ALL)["economic"] == 8  # 11 cases: 4 + 4 in economic, closed and other college out
    assert rows.ledger_slice(ledger, "economic", 0, 2)[0].class_name == "2023级汉语言文学1班"


def test_a_frozen_page_is_its_slice_of_the_snapshot_whatever_changes_after(school):
    college_cases(school, 11)
    ledger = make_ledger(school)
    frozen = rows.ledger_tables(ledger, ALL)
    ledger.status = LedgerStatus.SUBMITTED
    ledger.snapshot = records.make_snapshot("2026-09-10T10:00:00+08:00", frozen)
    ledger.save()
    latecomer = make_student("202301089999", "后来者", school.c2023_1)
    case = Case.objects.create(student=latecomer, opened_on=date(2026, 9, 3), opened_by=school.carol)
    case.categories.create(category="economic", added_on=date(2026, 9, 3))
    assert_pages_equal_tables(ledger)
    assert rows.ledger_tables(ledger, ALL) == frozen and case.pk not in rows.ledger_case_ids_in(ledger, ALL)


def test_a_schema_1_snapshot_pages_as_it_loads(school):
    ledger = make_ledger(school)
    ledger.status = LedgerStatus.ACCEPTED
    ledger.snapshot = LEGACY_SNAPSHOT
    ledger.save()
    assert_pages_equal_tables(ledger)
    assert rows.ledger_counts(ledger, ALL) == {c: 1 if c in ("economic", "physical") else 0 for c in ALL}
    assert rows.ledger_case_ids_in(ledger, ALL) == {7}
