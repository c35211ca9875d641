from datetime import date

import pytest

from careledger.ledgers import rules

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
