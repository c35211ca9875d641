"""Ledger rules as tables (ledgers/rules.py): no ORM."""

from datetime import date

import pytest

from careledger.ledgers import rules
from careledger.ledgers.rules import submission_warnings

DUE = date(2026, 9, 19)


@pytest.mark.parametrize(
    ("status", "frozen"),
    [(None, False), ("draft", False), ("returned", False), ("submitted", True), ("accepted", True)],
)
def test_frozen(status, frozen):
    assert rules.is_frozen(status) is frozen


@pytest.mark.parametrize(
    ("status", "today", "overdue"),
    [
        (None, date(2026, 9, 19), False),  # on the due date: not yet
        (None, date(2026, 9, 20), True),
        ("draft", date(2026, 9, 20), True),
        ("returned", date(2026, 9, 20), True),
        ("submitted", date(2026, 9, 20), False),
        ("accepted", date(2026, 12, 1), False),
        ("draft", date(2026, 9, 1), False),
    ],
)
def test_overdue(status, today, overdue):
    assert rules.is_overdue(status, due=DUE, today=today) is overdue


@pytest.mark.parametrize(
    ("status", "late", "shown"),
    [
        (None, False, "not_started"),
        ("draft", False, "draft"),
        ("submitted", False, "submitted"),
        ("submitted", True, "late"),
        ("returned", True, "returned"),
        ("accepted", True, "accepted"),
    ],
)
def test_display_status(status, late, shown):
    assert rules.display_status(status, late=late) == shown


@pytest.mark.parametrize(
    ("figures", "codes", "first"),
    [
        ({"students": 10, "reviewed": 10, "open_cases": 3, "unpaired": 0, "overdue": 0}, [], None),
        ({"students": 0, "reviewed": 0, "open_cases": 0, "unpaired": 0, "overdue": 0}, [], None),
        (
            {"students": 1000, "reviewed": 999, "open_cases": 3, "unpaired": 0, "overdue": 0},
            ["survey"],
            "摸排覆盖率 99%：1000 名在校学生中还有 1 名未摸排。",
        ),
        (
            {"students": 10, "reviewed": 0, "open_cases": 50, "unpaired": 43, "overdue": 7},
            ["survey", "unpaired", "overdue"],
            "摸排覆盖率 0%：10 名在校学生中还有 10 名未摸排。",
        ),
        (
            {"students": 10, "reviewed": 10, "open_cases": 50, "unpaired": 43, "overdue": 0},
            ["unpaired"],
            "50 份在档档案中有 43 份没有帮扶导师。",
        ),
    ],
)
def test_submission_warnings(figures, codes, first):
    warnings = submission_warnings(**figures)
    assert [w.code for w in warnings] == codes
    if first:
        assert warnings[0].message == first
