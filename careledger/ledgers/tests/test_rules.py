"""Submission warnings as a table (ledgers/rules.py): no ORM."""

import pytest

from careledger.ledgers.rules import submission_warnings


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
