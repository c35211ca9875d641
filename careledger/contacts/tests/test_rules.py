"""Table tests for the contact-frequency rules (product.md "Contact frequency"; api.md Cases).

Every expected figure below is written out by hand; the comment on each row says how to check it against
the docs. No database: these are pure functions.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from careledger.contacts.rules import (
    SHANGHAI,
    Calendar,
    Period,
    Rule,
    Window,
    compliance,
    count_contacts,
    due_days,
    half_month_windows,
    holiday_days_in,
    local_date,
    month_windows,
    next_due,
    overdue,
    required_windows,
)


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def p(start: str, end: str) -> Period:
    return Period(d(start), d(end))


def spans(periods: list[Period]) -> list[tuple[str, str]]:
    return [(x.start.isoformat(), x.end.isoformat()) for x in periods]


def brief(windows: list[Window]) -> list[tuple[str, str, str]]:
    """(rule, start, end): enough to say which windows are required."""
    return [(str(w.rule), w.start.isoformat(), w.end.isoformat()) for w in windows]


def full(windows: list[Window]) -> list[tuple[str, str, str, int, int]]:
    """(rule, start, end, required, done): everything the API reports except met/ended."""
    return [(str(w.rule), w.start.isoformat(), w.end.isoformat(), w.required, w.done) for w in windows]


PLUS_8 = timezone(timedelta(hours=8))
MINUS_4 = timezone(timedelta(hours=-4))

# ---------------------------------------------------------------------------------------------- local_date


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 23:30 Beijing on the 15th is 15:30 UTC on the 15th: still the 15th.
        pytest.param(datetime(2026, 3, 15, 15, 30, tzinfo=UTC), "2026-03-15", id="23:30-beijing-given-in-utc"),
        pytest.param(datetime(2026, 3, 15, 23, 30, tzinfo=PLUS_8), "2026-03-15", id="23:30-beijing-given-+08"),
        pytest.param(datetime(2026, 3, 15, 23, 30, tzinfo=SHANGHAI), "2026-03-15", id="23:30-beijing-zoneinfo"),
        # 00:30 Beijing on the 16th is 16:30 UTC on the 15th: UTC says the 15th, locally it is the 16th.
        pytest.param(datetime(2026, 3, 15, 16, 30, tzinfo=UTC), "2026-03-16", id="00:30-beijing-given-in-utc"),
        pytest.param(datetime(2026, 3, 16, 0, 30, tzinfo=PLUS_8), "2026-03-16", id="00:30-beijing-given-+08"),
        # 11:30 at -04:00 is 15:30 UTC is 23:30 Beijing (15th); 12:30 at -04:00 is 00:30 Beijing (16th).
        pytest.param(datetime(2026, 3, 15, 11, 30, tzinfo=MINUS_4), "2026-03-15", id="23:30-beijing-given-at-minus-4"),
        pytest.param(datetime(2026, 3, 15, 12, 30, tzinfo=MINUS_4), "2026-03-16", id="00:30-beijing-given-at-minus-4"),
        # The exact turn of the day: 16:00:00 UTC is 00:00:00 Beijing; one second earlier is 23:59:59.
        pytest.param(datetime(2026, 3, 15, 15, 59, 59, tzinfo=UTC), "2026-03-15", id="23:59:59-beijing"),
        pytest.param(datetime(2026, 3, 15, 16, 0, 0, tzinfo=UTC), "2026-03-16", id="00:00:00-beijing"),
        # Month and year turns move too: 2026-12-31 16:30 UTC is 2027-01-01 00:30 Beijing.
        pytest.param(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027-01-01", id="new-year-00:30-beijing"),
        pytest.param(datetime(2026, 2, 28, 16, 30, tzinfo=UTC), "2026-03-01", id="feb-28-utc-is-mar-1-beijing"),
    ],
)
def test_local_date(moment: datetime, expected: str) -> None:
    assert local_date(moment) == d(expected)


def test_local_date_refuses_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 3, 15, 23, 30))  # naive on purpose


def test_local_date_refuses_a_plain_date() -> None:
    with pytest.raises(TypeError):
        local_date(d("2026-03-15"))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ window generators


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("2026-02-01", "2026-02-28", [("2026-02-01", "2026-02-15"), ("2026-02-16", "2026-02-28")], id="feb-2026-28-days"),
        pytest.param("2028-02-01", "2028-02-29", [("2028-02-01", "2028-02-15"), ("2028-02-16", "2028-02-29")], id="feb-2028-29-days-leap"),
        pytest.param("2026-04-01", "2026-04-30", [("2026-04-01", "2026-04-15"), ("2026-04-16", "2026-04-30")], id="april-30-days"),
        pytest.param("2026-03-01", "2026-03-31", [("2026-03-01", "2026-03-15"), ("2026-03-16", "2026-03-31")], id="march-31-days"),
        # The boundary: the 15th is in the first half, the 16th in the second.
        pytest.param("2026-03-15", "2026-03-15", [("2026-03-01", "2026-03-15")], id="15th-is-first-half"),
        pytest.param("2026-03-16", "2026-03-16", [("2026-03-16", "2026-03-31")], id="16th-is-second-half"),
        pytest.param("2026-03-15", "2026-03-16", [("2026-03-01", "2026-03-15"), ("2026-03-16", "2026-03-31")], id="15th-to-16th-two-windows"),
        # Overlapping windows are returned whole, not clipped to the range.
        pytest.param("2026-03-10", "2026-04-05", [("2026-03-01", "2026-03-15"), ("2026-03-16", "2026-03-31"), ("2026-04-01", "2026-04-15")], id="partial-windows-whole"),
        pytest.param("2026-12-20", "2027-01-05", [("2026-12-16", "2026-12-31"), ("2027-01-01", "2027-01-15")], id="across-new-year"),
    ],
)  # fmt: skip
def test_half_month_windows(start: str, end: str, expected: list[tuple[str, str]]) -> None:
    assert spans(half_month_windows(d(start), d(end))) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("2026-02-01", "2026-02-28", [("2026-02-01", "2026-02-28")], id="feb-2026-28-days"),
        pytest.param("2028-02-10", "2028-02-10", [("2028-02-01", "2028-02-29")], id="feb-2028-29-days-leap"),
        pytest.param("2026-04-30", "2026-04-30", [("2026-04-01", "2026-04-30")], id="april-30-days"),
        pytest.param("2026-03-31", "2026-03-31", [("2026-03-01", "2026-03-31")], id="march-31-days"),
        pytest.param("2026-11-30", "2027-01-01", [("2026-11-01", "2026-11-30"), ("2026-12-01", "2026-12-31"), ("2027-01-01", "2027-01-31")], id="partial-months-whole-across-new-year"),
    ],
)  # fmt: skip
def test_month_windows(start: str, end: str, expected: list[tuple[str, str]]) -> None:
    assert spans(month_windows(d(start), d(end))) == expected


@pytest.mark.parametrize("generator", [half_month_windows, month_windows])
def test_window_generators_refuse_a_reversed_range(generator) -> None:
    with pytest.raises(ValueError):
        generator(d("2026-03-16"), d("2026-03-15"))


def test_every_day_falls_in_exactly_one_half_month_and_one_month() -> None:
    """Property check over 2024–2030 (two leap Februaries): the windows tile the calendar without gaps."""
    first, last = d("2024-01-01"), d("2030-12-31")
    halves, months = half_month_windows(first, last), month_windows(first, last)
    assert len(halves) == 7 * 24 and len(months) == 7 * 12
    day = first
    while day <= last:
        assert sum(h.start <= day <= h.end for h in halves) == 1, day
        assert sum(m.start <= day <= m.end for m in months) == 1, day
        day += timedelta(days=1)


# -------------------------------------------------------------------------------------- holiday_days_in


@pytest.mark.parametrize(
    ("period", "holidays", "expected"),
    [
        pytest.param(p("2027-02-01", "2027-02-28"), [], 0, id="no-holiday"),
        # 寒假 2027-01-16..2027-02-28 covers all 28 days of February 2027 ...
        pytest.param(p("2027-02-01", "2027-02-28"), [p("2027-01-16", "2027-02-28")], 28, id="feb-2027-wholly-hanjia"),
        # ... and January 16..31 = 16 days of January.
        pytest.param(p("2027-01-01", "2027-01-31"), [p("2027-01-16", "2027-02-28")], 16, id="jan-2027-from-16th"),
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-05-01", "2026-05-05")], 0, id="holiday-outside"),
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-03-20", "2026-05-10")], 30, id="holiday-beyond-both-ends"),
        # Two separate holidays add up: 4-01..4-05 (5 days) + 4-20..4-30 (11 days) = 16.
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-04-01", "2026-04-05"), p("2026-04-20", "2026-04-30")], 16, id="two-holidays-add-up"),
        # Given out of order, same answer.
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-04-20", "2026-04-30"), p("2026-04-01", "2026-04-05")], 16, id="two-holidays-unsorted"),
        # Overlap 4-01..4-10 and 4-05..4-15: union 4-01..4-15 = 15 days, not 10 + 11 = 21.
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-04-01", "2026-04-10"), p("2026-04-05", "2026-04-15")], 15, id="overlapping-not-double-counted"),
        # One inside another: 4-01..4-20 holds 4-05..4-06; union is 20 days.
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-04-01", "2026-04-20"), p("2026-04-05", "2026-04-06")], 20, id="nested-holiday"),
        # Back to back: 4-01..4-10 + 4-11..4-15 = 15.
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-04-01", "2026-04-10"), p("2026-04-11", "2026-04-15")], 15, id="adjacent-holidays"),
        pytest.param(p("2026-04-01", "2026-04-30"), [p("2026-04-10", "2026-04-12"), p("2026-04-10", "2026-04-12")], 3, id="same-holiday-twice"),
    ],
)  # fmt: skip
def test_holiday_days_in(period: Period, holidays: list[Period], expected: int) -> None:
    assert holiday_days_in(period, holidays) == expected


# ------------------------------------------------------------------------------------ Window, Period, Calendar


@pytest.mark.parametrize(
    ("required", "done", "met"),
    [
        pytest.param(1, 0, False, id="talk-none"),
        pytest.param(1, 1, True, id="talk-one"),
        pytest.param(1, 3, True, id="talk-more"),
        pytest.param(2, 1, False, id="dorm-one-of-two"),
        pytest.param(2, 2, True, id="dorm-two"),
    ],
)
def test_window_met(required: int, done: int, met: bool) -> None:
    assert Window(Rule.DORM_VISIT, d("2026-03-01"), d("2026-03-31"), required, done).met is met


@pytest.mark.parametrize(
    ("today", "ended"),
    [
        pytest.param("2026-03-14", False, id="before-last-day"),
        pytest.param("2026-03-15", False, id="on-last-day-not-ended"),
        pytest.param("2026-03-16", True, id="day-after-last-day"),
    ],
)
def test_window_ended(today: str, ended: bool) -> None:
    assert Window(Rule.TALK, d("2026-03-01"), d("2026-03-15"), 1).ended(d(today)) is ended


def test_rule_values_are_the_api_strings() -> None:
    assert [str(r) for r in Rule] == ["talk", "dorm_visit", "key_period"]


@pytest.mark.parametrize("cls", [Period, Calendar])
def test_reversed_dates_refused(cls) -> None:
    with pytest.raises(ValueError):
        cls(d("2026-03-16"), d("2026-03-15"))


def test_period_refuses_datetimes() -> None:
    with pytest.raises(TypeError):
        Period(datetime(2026, 3, 1, tzinfo=UTC), d("2026-03-15"))


# ------------------------------------------------------------------------------------ kinds and rules


def test_each_kind_serves_its_rules_and_each_rule_one_kind() -> None:
    from careledger.contacts.rules import CONTACT_KINDS, KIND_RULES, RULE_KIND

    assert {"talk", "dorm_visit", "parent", "other"} == CONTACT_KINDS
    assert KIND_RULES["talk"] == {Rule.TALK, Rule.KEY_PERIOD}
    assert KIND_RULES["dorm_visit"] == {Rule.DORM_VISIT}
    assert KIND_RULES["parent"] == KIND_RULES["other"] == frozenset()
    assert dict(RULE_KIND) == {Rule.TALK: "talk", Rule.KEY_PERIOD: "talk", Rule.DORM_VISIT: "dorm_visit"}


# ------------------------------------------------------------------------------------ due days and windows

# 2026-2027学年第一学期 as a school enters it: it starts on 9月7日 and runs to the day before the spring
# semester (2027-03-01); 国庆 10-01..10-07 (7 days), 寒假 2027-01-16..02-28, 考前 2027-01-04..01-15.
GUOQING = Period(d("2026-10-01"), d("2026-10-07"), "国庆")
HANJIA = Period(d("2027-01-16"), d("2027-02-28"), "寒假")
KAOQIAN = Period(d("2027-01-04"), d("2027-01-15"), "考前")
AUTUMN = Calendar(d("2026-09-07"), d("2027-02-28"), holidays=(GUOQING, HANJIA), key_periods=(KAOQIAN,))

OPEN_ALL_ALONG = [(d("2026-09-01"), None)]


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


# --------------------------------------------------------------------------------------- counting


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
