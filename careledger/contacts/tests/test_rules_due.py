"""Table tests for the contact-frequency rules: due days and the windows a case owes (product.md "Contact
frequency"). Every expected figure is written out by hand; no database."""

import pytest

from careledger.contacts.rules import (
    Calendar,
    Period,
    due_days,
    required_windows,
)
from careledger.contacts.tests.rules_support import (
    AUTUMN,
    d,
)


def owed(
    calendar: Calendar,
    periods: list[tuple[str, str | None]],
    away: list[tuple[str, str]] | None = None,
) -> list[tuple[str, str, str, int]]:
    """(rule, first due day, last due day, required) of each window owed."""
    windows = required_windows(
        calendar,
        open_periods=[(d(a), d(b) if b else None) for a, b in periods],
        away=[(d(a), d(b)) for a, b in away or []],
    )
    return [(str(w.rule), w.start.isoformat()[5:], w.end.isoformat()[5:], w.required) for w in windows]


def test_a_semester_starting_on_the_7th() -> None:
    """product.md's example: talk 09-07..09-15 (9 due days: required) and September's dorm visits
    09-07..09-30 (24 non-holiday due days: 2). October: 31 due days, 7 of them 国庆 → 24 → 2 visits.
    January: 15 non-holiday (寒假 from the 16th) → 1 visit. February: all 寒假 → no visit; talks stay."""
    assert owed(AUTUMN, [("2026-09-01", None)]) == [
        ("talk", "09-07", "09-15", 1),
        ("dorm_visit", "09-07", "09-30", 2),
        ("talk", "09-16", "09-30", 1),
        ("talk", "10-01", "10-15", 1),
        ("dorm_visit", "10-01", "10-31", 2),
        ("talk", "10-16", "10-31", 1),
        ("talk", "11-01", "11-15", 1),
        ("dorm_visit", "11-01", "11-30", 2),
        ("talk", "11-16", "11-30", 1),
        ("talk", "12-01", "12-15", 1),
        ("dorm_visit", "12-01", "12-31", 2),
        ("talk", "12-16", "12-31", 1),
        ("talk", "01-01", "01-15", 1),
        ("dorm_visit", "01-01", "01-31", 1),
        ("key_period", "01-04", "01-15", 1),
        ("talk", "01-16", "01-31", 1),
        ("talk", "02-01", "02-15", 1),
        ("talk", "02-16", "02-28", 1),
    ]


@pytest.mark.parametrize(
    ("opened_on", "expected"),
    [
        # Opened 09-02, before the semester: due days from 09-07, the same as the school's own start.
        pytest.param("2026-09-02", [("talk", "09-07", "09-15", 1), ("dorm_visit", "09-07", "09-30", 2), ("talk", "09-16", "09-30", 1)], id="opened-2nd"),
        # Opened 09-08: 09-08..09-15 = 8 due days → a talk; September 23 due days → 2 visits.
        pytest.param("2026-09-08", [("talk", "09-08", "09-15", 1), ("dorm_visit", "09-08", "09-30", 2), ("talk", "09-16", "09-30", 1)], id="opened-8th"),
        # Opened 09-09: 7 due days → no talk until 09-16; 22 due days → still 2 visits.
        pytest.param("2026-09-09", [("dorm_visit", "09-09", "09-30", 2), ("talk", "09-16", "09-30", 1)], id="opened-9th"),
        # Opened 09-16: September 15 due days → 1 visit.
        pytest.param("2026-09-16", [("talk", "09-16", "09-30", 1), ("dorm_visit", "09-16", "09-30", 1)], id="opened-16th"),
        # Opened 09-23: 8 due days → a talk and 1 visit; 09-24: 7 → neither.
        pytest.param("2026-09-23", [("talk", "09-23", "09-30", 1), ("dorm_visit", "09-23", "09-30", 1)], id="opened-23rd"),
        pytest.param("2026-09-24", [], id="opened-24th"),
    ],
)  # fmt: skip
def test_a_case_opened_in_september(opened_on: str, expected: list[tuple[str, str, str, int]]) -> None:
    september = [w for w in owed(AUTUMN, [(opened_on, None)]) if w[1].startswith("09-")]
    assert september == expected


def test_a_window_across_a_semester_change() -> None:
    """Spring starts on 2027-02-10: the autumn semester ends 02-09. February 1–15 is cut in two: 02-01..02-09
    (9 due days: a talk, in autumn) and 02-10..02-15 (6: none, in spring); February's month is 9 days in
    autumn (1 visit) and 19 in spring (2 visits); 02-16..02-28 (13) is spring's."""
    autumn = Calendar(d("2026-09-07"), d("2027-02-09"))
    spring = Calendar(d("2027-02-10"), d("2027-07-31"))
    assert owed(autumn, [("2026-09-01", None)])[-2:] == [
        ("talk", "02-01", "02-09", 1),
        ("dorm_visit", "02-01", "02-09", 1),
    ]
    assert owed(spring, [("2026-09-01", None)])[:3] == [
        ("dorm_visit", "02-10", "02-28", 2),
        ("talk", "02-16", "02-28", 1),
        ("talk", "03-01", "03-15", 1),
    ]


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        # Closed 10-05, reopened 10-12: Oct 1–15 has 5 + 4 = 9 due days → a talk, reported 10-01..10-15;
        # October has 5 + 20 = 25 due days of which 5 are 国庆 → 20 → 2 visits, 10-01..10-31.
        pytest.param([("2026-09-01", "2026-10-05"), ("2026-10-12", None)],
                     [("talk", "10-01", "10-15", 1), ("dorm_visit", "10-01", "10-31", 2), ("talk", "10-16", "10-31", 1)],
                     id="closed-5th-reopened-12th"),
        # Closed 10-03, reopened 10-28: 3 + 0 and 0 + 4 due days → no talks; October 7 due days → no visit.
        pytest.param([("2026-09-01", "2026-10-03"), ("2026-10-28", None)], [], id="closed-3rd-reopened-28th"),
        # Closed 10-20 and not reopened: Oct 16–31 has 5 due days → none; October 20 due days, 13 not 国庆 → 1.
        pytest.param([("2026-09-01", "2026-10-20")],
                     [("talk", "10-01", "10-15", 1), ("dorm_visit", "10-01", "10-20", 1)], id="closed-20th"),
        # The periods given in any order, and closed on the day it opened (one due day).
        pytest.param([("2026-10-12", None), ("2026-10-09", "2026-10-09")],
                     [("talk", "10-09", "10-15", 0), ("dorm_visit", "10-09", "10-31", 2), ("talk", "10-16", "10-31", 1)][1:],
                     id="reopened-periods-unsorted"),
    ],
)  # fmt: skip
def test_closed_and_reopened_inside_a_window(
    periods: list[tuple[str, str | None]], expected: list[tuple[str, str, str, int]]
) -> None:
    # Last case: 10-09 + 10-12..10-15 = 5 due days → no talk; October 10-09 + 10-12..10-31 = 21 → 2 visits.
    october = [w for w in owed(AUTUMN, periods) if "10-01" <= w[1] <= "10-31"]
    assert october == expected


@pytest.mark.parametrize(
    ("away", "expected"),
    [
        # 休学 from 11-10, back 12-21: Nov 1–15 has 9 due days (a talk, 11-01..11-09), November 9 → 1 visit;
        # Nov 16–Dec 15 nothing; Dec 16–31 has 11 → a talk, and December 11 → 1 visit, both from 12-21.
        pytest.param([("2026-11-10", "2026-12-20")],
                     [("talk", "11-01", "11-09", 1), ("dorm_visit", "11-01", "11-09", 1),
                      ("talk", "12-21", "12-31", 1), ("dorm_visit", "12-21", "12-31", 1)], id="leave-10th-back-21st"),
        # 休学 from 11-08: 7 due days in November → nothing at all.
        pytest.param([("2026-11-08", "2026-12-31")], [], id="leave-from-8th"),
        # Away 11-01..11-07 only: Nov 1–15 has 8 due days → a talk from 11-08; November 23 → 2 visits.
        pytest.param([("2026-11-01", "2026-11-07")],
                     [("talk", "11-08", "11-15", 1), ("dorm_visit", "11-08", "11-30", 2), ("talk", "11-16", "11-30", 1),
                      ("talk", "12-01", "12-15", 1), ("dorm_visit", "12-01", "12-31", 2), ("talk", "12-16", "12-31", 1)],
                     id="away-first-week"),
    ],
)  # fmt: skip
def test_leave_from_the_middle_of_a_month_and_back(
    away: list[tuple[str, str]], expected: list[tuple[str, str, str, int]]
) -> None:
    november_december = [w for w in owed(AUTUMN, [("2026-09-01", None)], away) if "11-01" <= w[1] <= "12-31"]
    assert november_december == expected


@pytest.mark.parametrize(
    ("holidays", "visits"),
    [
        # January 2027 (31 days). A 15-day holiday (17th–31st) leaves 16 → 2 visits; 16 days (16th–31st) → 15 → 1.
        pytest.param([("2027-01-17", "2027-01-31")], 2, id="holiday-15-days"),
        pytest.param([("2027-01-16", "2027-01-31")], 1, id="holiday-16-days"),
        # 23 holiday days leave 8 → 1 visit; 24 leave 7 → none.
        pytest.param([("2027-01-09", "2027-01-31")], 1, id="holiday-23-days"),
        pytest.param([("2027-01-08", "2027-01-31")], 0, id="holiday-24-days"),
        # Two holidays add up: 1st–3rd (3) + 20th–31st (12) = 15 → 16 left → 2; one more day → 1.
        pytest.param([("2027-01-01", "2027-01-03"), ("2027-01-20", "2027-01-31")], 2, id="two-holidays-15-days"),
        pytest.param([("2027-01-01", "2027-01-04"), ("2027-01-20", "2027-01-31")], 1, id="two-holidays-16-days"),
        # Overlapping holidays count each day once: 10th–25th ∪ 20th–31st = 22 days → 9 left → 1.
        pytest.param([("2027-01-10", "2027-01-25"), ("2027-01-20", "2027-01-31")], 1, id="overlapping-holidays"),
    ],
)  # fmt: skip
def test_dorm_visits_by_non_holiday_due_days(holidays: list[tuple[str, str]], visits: int) -> None:
    calendar = Calendar(d("2026-09-07"), d("2027-02-28"), holidays=tuple(Period(d(a), d(b)) for a, b in holidays))
    january = [w for w in owed(calendar, [("2026-09-01", None)]) if w[0] == "dorm_visit" and w[1] == "01-01"]
    assert january == ([("dorm_visit", "01-01", "01-31", visits)] if visits else [])


def test_talks_stay_required_in_holidays() -> None:
    """寒假 covers 01-16..02-28 wholly: the three half months keep their talk (a phone talk counts)."""
    talks = [w for w in owed(AUTUMN, [("2026-09-01", None)]) if w[0] == "talk" and w[1] in ("01-16", "02-01", "02-16")]
    assert talks == [("talk", "01-16", "01-31", 1), ("talk", "02-01", "02-15", 1), ("talk", "02-16", "02-28", 1)]


@pytest.mark.parametrize(
    ("periods", "away", "required"),
    [
        pytest.param([("2027-01-04", None)], [], True, id="opened-on-its-first-day"),
        pytest.param([("2027-01-05", None)], [], False, id="opened-a-day-late"),
        pytest.param([("2026-09-01", "2027-01-15")], [], True, id="closed-on-its-last-day"),
        pytest.param([("2026-09-01", "2027-01-14")], [], False, id="closed-a-day-early"),
        pytest.param([("2026-09-01", "2027-01-09"), ("2027-01-10", None)], [], True, id="reopened-next-day"),
        pytest.param([("2026-09-01", "2027-01-09"), ("2027-01-11", None)], [], False, id="one-day-closed"),
        pytest.param([("2026-09-01", None)], [("2027-01-15", "2027-03-01")], False, id="away-its-last-day"),
    ],
)  # fmt: skip
def test_key_period_required_when_every_day_is_due(
    periods: list[tuple[str, str | None]], away: list[tuple[str, str]], required: bool
) -> None:
    keys = [w for w in owed(AUTUMN, periods, away) if w[0] == "key_period"]
    assert keys == ([("key_period", "01-04", "01-15", 1)] if required else [])


def test_key_period_outside_the_semester_is_never_due() -> None:
    calendar = Calendar(d("2026-09-07"), d("2026-12-31"), key_periods=(Period(d("2026-12-28"), d("2027-01-08")),))
    assert [w for w in owed(calendar, [("2026-09-01", None)]) if w[0] == "key_period"] == []


def test_due_days() -> None:
    # Open 09-01..09-10 and from 09-20; away 09-22..09-24; the semester from 09-07 to 09-30:
    # 09-07..09-10 (4) + 09-20..09-21 (2) + 09-25..09-30 (6) = 12 days.
    calendar = Calendar(d("2026-09-07"), d("2026-09-30"))
    days = due_days(
        calendar,
        open_periods=[(d("2026-09-01"), d("2026-09-10")), (d("2026-09-20"), None)],
        away=[(d("2026-09-22"), d("2026-09-24"))],
    )
    assert sorted(x.isoformat()[5:] for x in days) == [
        "09-07", "09-08", "09-09", "09-10", "09-20", "09-21", "09-25", "09-26", "09-27", "09-28", "09-29", "09-30",
    ]  # fmt: skip


def test_closed_before_opened_refused() -> None:
    with pytest.raises(ValueError):
        required_windows(AUTUMN, open_periods=[(d("2026-10-10"), d("2026-10-09"))])


def test_nothing_owed_outside_every_open_period() -> None:
    assert owed(AUTUMN, [("2027-03-01", None)]) == []
    assert owed(AUTUMN, [("2026-08-01", "2026-09-06")]) == []
