"""Table tests for the contact-frequency rules: counting contacts into windows, overdue and next due
(product.md "Contact frequency"; api.md Cases). Every expected figure is written out by hand; no database."""

from datetime import UTC, datetime

import pytest

from careledger.contacts.rules import (
    Rule,
    Window,
    compliance,
    count_contacts,
    local_date,
    next_due,
    overdue,
    required_windows,
)
from careledger.contacts.tests.rules_support import (
    AUTUMN,
    OPEN_ALL_ALONG,
    brief,
    d,
)


def counted(
    periods: list[tuple[str, str | None]],
    contacts: list[tuple[str, str]],
    away: list[tuple[str, str]] | None = None,
    date_from: str = "2026-10-01",
    date_to: str = "2026-10-31",
) -> list[tuple[str, str, str, int, int]]:
    windows = compliance(
        AUTUMN,
        open_periods=[(d(a), d(b) if b else None) for a, b in periods],
        away=[(d(a), d(b)) for a, b in away or []],
        contacts=[(kind, d(day)) for kind, day in contacts],
        date_from=d(date_from),
        date_to=d(date_to),
    )
    return [(str(w.rule), w.start.isoformat()[5:], w.end.isoformat()[5:], w.required, w.done) for w in windows]


OCTOBER = [("2026-09-01", None)]


@pytest.mark.parametrize(
    ("contacts", "expected"),
    [
        # October's windows: talk 1–15, dorm month (2 visits), talk 16–31.
        pytest.param([], [("talk", "10-01", "10-15", 1, 0), ("dorm_visit", "10-01", "10-31", 2, 0), ("talk", "10-16", "10-31", 1, 0)], id="none"),
        # Two visits on one day (or one visit entered twice) count once: 1 of 2.
        pytest.param([("dorm_visit", "2026-10-09"), ("dorm_visit", "2026-10-09")],
                     [("talk", "10-01", "10-15", 1, 0), ("dorm_visit", "10-01", "10-31", 2, 1), ("talk", "10-16", "10-31", 1, 0)], id="two-visits-one-day"),
        pytest.param([("dorm_visit", "2026-10-09"), ("dorm_visit", "2026-10-10")],
                     [("talk", "10-01", "10-15", 1, 0), ("dorm_visit", "10-01", "10-31", 2, 2), ("talk", "10-16", "10-31", 1, 0)], id="visits-on-two-days"),
        # Talks on the 15th and 16th: one each half; talks twice on one day: 1.
        pytest.param([("talk", "2026-10-15"), ("talk", "2026-10-16"), ("talk", "2026-10-16")],
                     [("talk", "10-01", "10-15", 1, 1), ("dorm_visit", "10-01", "10-31", 2, 0), ("talk", "10-16", "10-31", 1, 1)], id="talks-on-15th-and-16th"),
        # A visit during 国庆 is on a due day (the case is open, the student 在校): it counts.
        pytest.param([("dorm_visit", "2026-10-03")],
                     [("talk", "10-01", "10-15", 1, 0), ("dorm_visit", "10-01", "10-31", 2, 1), ("talk", "10-16", "10-31", 1, 0)], id="visit-on-a-holiday"),
        # parent and other count for nothing; a dorm visit is not a talk.
        pytest.param([("parent", "2026-10-10"), ("other", "2026-10-20"), ("dorm_visit", "2026-10-20")],
                     [("talk", "10-01", "10-15", 1, 0), ("dorm_visit", "10-01", "10-31", 2, 1), ("talk", "10-16", "10-31", 1, 0)], id="parent-other"),
    ],
)  # fmt: skip
def test_counting(contacts: list[tuple[str, str]], expected: list[tuple[str, str, str, int, int]]) -> None:
    assert counted(OCTOBER, contacts) == expected


def test_contacts_count_only_on_due_days() -> None:
    """Closed 10-05, reopened 10-12: a talk on 10-08 (closed) counts for nothing, one on 10-13 does; a
    student away 10-20..10-25: a visit on 10-22 counts for nothing, one on 10-28 does."""
    periods = [("2026-09-01", "2026-10-05"), ("2026-10-12", None)]
    away = [("2026-10-20", "2026-10-25")]
    # October 16–31: 16 − 6 away = 10 due days → a talk, reported 10-16..10-31.
    # October: 5 + 20 − 6 = 19 due days, 5 of them 国庆 → 14 → 1 visit.
    assert counted(periods, [("talk", "2026-10-08"), ("dorm_visit", "2026-10-22")], away) == [
        ("talk", "10-01", "10-15", 1, 0),
        ("dorm_visit", "10-01", "10-31", 1, 0),
        ("talk", "10-16", "10-31", 1, 0),
    ]
    assert counted(periods, [("talk", "2026-10-13"), ("dorm_visit", "2026-10-28")], away) == [
        ("talk", "10-01", "10-15", 1, 1),
        ("dorm_visit", "10-01", "10-31", 1, 1),
        ("talk", "10-16", "10-31", 1, 0),
    ]


def test_a_talk_in_a_key_period_also_serves_its_half_month() -> None:
    assert counted(OCTOBER, [("talk", "2027-01-10")], date_from="2027-01-01", date_to="2027-01-15") == [
        ("talk", "01-01", "01-15", 1, 1),
        ("key_period", "01-04", "01-15", 1, 1),
    ]


def test_contacts_before_the_semester_do_not_count() -> None:
    assert counted(OCTOBER, [("talk", "2026-09-05")], date_from="2026-09-01", date_to="2026-09-15") == [
        ("talk", "09-07", "09-15", 1, 0)
    ]


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        # Only windows lying wholly inside from..to (both inclusive), by their first and last due day.
        pytest.param("2026-09-07", "2026-09-15", [("talk", "09-07", "09-15", 1, 0)], id="first-talk-window-exactly"),
        pytest.param("2026-09-08", "2026-09-30", [("talk", "09-16", "09-30", 1, 0)], id="from-cuts-the-first-windows"),
        pytest.param("2026-09-01", "2026-09-30", [("talk", "09-07", "09-15", 1, 0), ("dorm_visit", "09-07", "09-30", 2, 0), ("talk", "09-16", "09-30", 1, 0)], id="september"),
        pytest.param("2026-09-30", "2026-09-01", [], id="reversed-range"),
    ],
)  # fmt: skip
def test_compliance_lists_windows_wholly_inside(
    date_from: str, date_to: str, expected: list[tuple[str, str, str, int, int]]
) -> None:
    assert counted(OCTOBER, [], date_from=date_from, date_to=date_to) == expected


@pytest.mark.parametrize(
    ("occurred_at", "done"),
    [
        # 23:30 Beijing on 10-15 (15:30 UTC): first half. 00:30 Beijing on 10-16 (16:30 UTC on 10-15): second half.
        pytest.param(datetime(2026, 10, 15, 15, 30, tzinfo=UTC), [1, 0, 0], id="23:30-beijing-counts-for-15th"),
        pytest.param(datetime(2026, 10, 15, 16, 30, tzinfo=UTC), [0, 0, 1], id="00:30-beijing-counts-for-16th"),
        # 00:30 Beijing on 11-01 is 16:30 UTC on 10-31: a November talk.
        pytest.param(datetime(2026, 10, 31, 16, 30, tzinfo=UTC), [0, 0, 0], id="00:30-beijing-november-1st"),
    ],
)
def test_contacts_counted_by_local_date(occurred_at: datetime, done: list[int]) -> None:
    assert [w[4] for w in counted(OCTOBER, [("talk", local_date(occurred_at).isoformat())])] == done


def test_count_contacts_replaces_an_earlier_count() -> None:
    windows = required_windows(AUTUMN, open_periods=OPEN_ALL_ALONG)[:1]
    once = count_contacts(windows, [("talk", d("2026-09-08"))])
    again = count_contacts(once, [("talk", d("2026-09-09"))])
    assert [w.done for w in again] == [1]


def test_count_contacts_refuses_unknown_kind() -> None:
    with pytest.raises(ValueError, match="dorm-visit"):
        count_contacts([], [("dorm-visit", d("2026-03-02"))])


def test_count_contacts_refuses_datetimes() -> None:
    """A datetime would need a zone to find its day; the caller must pass local_date(occurred_at)."""
    with pytest.raises(TypeError, match="local_date"):
        count_contacts([], [("talk", datetime(2026, 3, 15, 16, 30, tzinfo=UTC))])  # type: ignore[list-item]


# ---------------------------------------------------------------------------------- overdue, next due

OVERDUE_CASE = [
    Window(Rule.TALK, d("2026-03-01"), d("2026-03-15"), 1, 1),  # met
    Window(Rule.DORM_VISIT, d("2026-03-01"), d("2026-03-31"), 2, 1),  # unmet, ends 3-31
    Window(Rule.TALK, d("2026-03-16"), d("2026-03-31"), 1, 0),  # unmet, ends 3-31
    Window(Rule.TALK, d("2026-04-01"), d("2026-04-15"), 1, 0),  # unmet, ends 4-15
]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param("2026-03-31", [], id="last-day-not-yet-overdue"),
        pytest.param("2026-04-01", [
            ("dorm_visit", "2026-03-01", "2026-03-31"), ("talk", "2026-03-16", "2026-03-31"),
        ], id="day-after-march"),
        pytest.param("2026-04-16", [
            ("dorm_visit", "2026-03-01", "2026-03-31"), ("talk", "2026-03-16", "2026-03-31"),
            ("talk", "2026-04-01", "2026-04-15"),
        ], id="after-all-ended-met-one-left-out"),
        pytest.param("2026-03-10", [], id="nothing-ended"),
    ],
)  # fmt: skip
def test_overdue(today: str, expected: list[tuple[str, str, str]]) -> None:
    assert brief(overdue(OVERDUE_CASE, d(today))) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # On 3-10 the met talk is out; the two windows ending 3-31: the one starting first (dorm, 3-01).
        pytest.param("2026-03-10", ("dorm_visit", "2026-03-01", "2026-03-31"), id="dorm-before-second-talk"),
        pytest.param("2026-03-31", ("dorm_visit", "2026-03-01", "2026-03-31"), id="last-day-still-owed"),
        pytest.param("2026-04-01", ("talk", "2026-04-01", "2026-04-15"), id="next-half-month"),
        pytest.param("2026-04-16", None, id="nothing-left"),
    ],
)
def test_next_due(today: str, expected: tuple[str, str, str] | None) -> None:
    window = next_due(OVERDUE_CASE, d(today))
    assert (brief([window])[0] if window else None) == expected
