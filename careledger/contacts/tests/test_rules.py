"""Table tests for the contact-frequency rules (product.md "Rules the notice sets, made exact"; api.md Cases).

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
    half_month_windows,
    holiday_days_in,
    local_date,
    month_windows,
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


# ------------------------------------------------------------------------------------ required_windows


MARCH_APRIL = Calendar(d("2026-03-01"), d("2026-04-30"))


@pytest.mark.parametrize(
    ("opened_on", "closed_on", "expected"),
    [
        pytest.param("2026-03-01", None, [
            ("talk", "2026-03-01", "2026-03-15"), ("dorm_visit", "2026-03-01", "2026-03-31"),
            ("talk", "2026-03-16", "2026-03-31"),
            ("talk", "2026-04-01", "2026-04-15"), ("dorm_visit", "2026-04-01", "2026-04-30"),
            ("talk", "2026-04-16", "2026-04-30"),
        ], id="open-all-semester"),
        # Opened mid-window (3-10): Mar 1–15 and March not required; the next window (Mar 16–31) is.
        pytest.param("2026-03-10", None, [
            ("talk", "2026-03-16", "2026-03-31"),
            ("talk", "2026-04-01", "2026-04-15"), ("dorm_visit", "2026-04-01", "2026-04-30"),
            ("talk", "2026-04-16", "2026-04-30"),
        ], id="opened-mid-window"),
        # Opened exactly on a window's first day (3-16): that window is required.
        pytest.param("2026-03-16", None, [
            ("talk", "2026-03-16", "2026-03-31"),
            ("talk", "2026-04-01", "2026-04-15"), ("dorm_visit", "2026-04-01", "2026-04-30"),
            ("talk", "2026-04-16", "2026-04-30"),
        ], id="opened-on-first-day"),
        # Opened on 3-15, the last day of Mar 1–15: not open for the whole of it.
        pytest.param("2026-03-15", None, [
            ("talk", "2026-03-16", "2026-03-31"),
            ("talk", "2026-04-01", "2026-04-15"), ("dorm_visit", "2026-04-01", "2026-04-30"),
            ("talk", "2026-04-16", "2026-04-30"),
        ], id="opened-on-last-day-of-window"),
        # Closed on 3-31, the last day of Mar 16–31 and of March: both required.
        pytest.param("2026-03-01", "2026-03-31", [
            ("talk", "2026-03-01", "2026-03-15"), ("dorm_visit", "2026-03-01", "2026-03-31"),
            ("talk", "2026-03-16", "2026-03-31"),
        ], id="closed-on-last-day"),
        # Closed on 3-30, the day before that last day: Mar 16–31 and March not required.
        pytest.param("2026-03-01", "2026-03-30", [
            ("talk", "2026-03-01", "2026-03-15"),
        ], id="closed-day-before-last-day"),
        pytest.param("2026-03-01", "2026-03-15", [("talk", "2026-03-01", "2026-03-15")], id="closed-on-the-15th"),
        pytest.param("2026-03-01", "2026-03-14", [], id="closed-on-the-14th"),
        pytest.param("2026-03-01", "2026-03-01", [], id="opened-and-closed-same-day"),
        # Carried over from a paper ledger: opened long before the semester.
        pytest.param("2025-06-01", "2026-04-15", [
            ("talk", "2026-03-01", "2026-03-15"), ("dorm_visit", "2026-03-01", "2026-03-31"),
            ("talk", "2026-03-16", "2026-03-31"),
            ("talk", "2026-04-01", "2026-04-15"),
        ], id="opened-before-semester-closed-mid-april"),
        pytest.param("2026-05-01", None, [], id="opened-after-semester"),
        pytest.param("2025-01-01", "2026-02-28", [], id="closed-before-semester"),
    ],
)  # fmt: skip
def test_required_windows_open_for_whole_window(
    opened_on: str, closed_on: str | None, expected: list[tuple[str, str, str]]
) -> None:
    closed = d(closed_on) if closed_on else None
    assert brief(required_windows(MARCH_APRIL, opened_on=d(opened_on), closed_on=closed)) == expected


def test_required_windows_required_counts_and_done_zero() -> None:
    calendar = Calendar(d("2026-03-01"), d("2026-03-31"), key_periods=(p("2026-03-20", "2026-03-25"),))
    assert full(required_windows(calendar, opened_on=d("2026-03-01"), closed_on=None)) == [
        ("talk", "2026-03-01", "2026-03-15", 1, 0),
        ("dorm_visit", "2026-03-01", "2026-03-31", 2, 0),
        ("talk", "2026-03-16", "2026-03-31", 1, 0),
        ("key_period", "2026-03-20", "2026-03-25", 1, 0),
    ]


def test_required_windows_refuses_closed_before_opened() -> None:
    with pytest.raises(ValueError):
        required_windows(MARCH_APRIL, opened_on=d("2026-03-10"), closed_on=d("2026-03-09"))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Month ends of every length: the second half runs to the 28th, 29th, 30th or 31st.
        pytest.param("2026-02-01", "2026-02-28", [
            ("talk", "2026-02-01", "2026-02-15"), ("dorm_visit", "2026-02-01", "2026-02-28"),
            ("talk", "2026-02-16", "2026-02-28"),
        ], id="feb-2026-28-days"),
        pytest.param("2028-02-01", "2028-02-29", [
            ("talk", "2028-02-01", "2028-02-15"), ("dorm_visit", "2028-02-01", "2028-02-29"),
            ("talk", "2028-02-16", "2028-02-29"),
        ], id="feb-2028-29-days-leap"),
        pytest.param("2026-04-01", "2026-04-30", [
            ("talk", "2026-04-01", "2026-04-15"), ("dorm_visit", "2026-04-01", "2026-04-30"),
            ("talk", "2026-04-16", "2026-04-30"),
        ], id="april-30-days"),
        pytest.param("2026-03-01", "2026-03-31", [
            ("talk", "2026-03-01", "2026-03-15"), ("dorm_visit", "2026-03-01", "2026-03-31"),
            ("talk", "2026-03-16", "2026-03-31"),
        ], id="march-31-days"),
        # A semester ending on 2028-02-28 stops one day short of Feb 16–29 and of February 2028.
        pytest.param("2028-02-01", "2028-02-28", [("talk", "2028-02-01", "2028-02-15")], id="semester-ends-feb-28-in-leap-year"),
        # Semester 3-10..4-20: Mar 1–15 and March straddle the start, Apr 16–30 and April straddle the end.
        pytest.param("2026-03-10", "2026-04-20", [
            ("talk", "2026-03-16", "2026-03-31"), ("talk", "2026-04-01", "2026-04-15"),
        ], id="windows-straddling-semester-start-and-end"),
        # Semester starting on the 16th: Mar 16–31 is wholly inside, March as a month is not.
        pytest.param("2026-03-16", "2026-04-30", [
            ("talk", "2026-03-16", "2026-03-31"),
            ("talk", "2026-04-01", "2026-04-15"), ("dorm_visit", "2026-04-01", "2026-04-30"),
            ("talk", "2026-04-16", "2026-04-30"),
        ], id="semester-starts-on-16th"),
        pytest.param("2026-03-02", "2026-03-30", [], id="semester-shorter-than-any-window"),
    ],
)  # fmt: skip
def test_required_windows_month_ends_and_semester_bounds(
    start: str, end: str, expected: list[tuple[str, str, str]]
) -> None:
    calendar = Calendar(d(start), d(end))
    assert brief(required_windows(calendar, opened_on=d("2020-01-01"), closed_on=None)) == expected


# Wide calendars so that only the holidays decide; each row checks one month's dorm-visit window.
AUTUMN_2026 = (d("2026-09-01"), d("2027-02-28"))
SPRING_2027 = (d("2027-03-01"), d("2027-08-31"))
YEAR_2026 = (d("2026-01-01"), d("2026-12-31"))
YEAR_2028 = (d("2028-01-01"), d("2028-12-31"))


@pytest.mark.parametrize(
    ("bounds", "holidays", "month", "required"),
    [
        pytest.param(AUTUMN_2026, [], "2027-01", True, id="no-holiday"),
        # 寒假 2027-01-16..02-28 covers 28 of February's 28 days: more than half → not required.
        pytest.param(AUTUMN_2026, [p("2027-01-16", "2027-02-28")], "2027-02", False, id="feb-2027-hanjia-28-of-28"),
        # Same 寒假 covers Jan 16..31 = 16 of January's 31 days; half is 15.5, 16 > 15.5 → not required.
        pytest.param(AUTUMN_2026, [p("2027-01-16", "2027-02-28")], "2027-01", False, id="jan-2027-16-of-31-more-than-half"),
        # From the 17th: 15 of 31 days, less than 15.5 → required.
        pytest.param(AUTUMN_2026, [p("2027-01-17", "2027-02-28")], "2027-01", True, id="jan-2027-15-of-31-less-than-half"),
        # April (30 days): 4-16..4-30 = 15 days, exactly half → still required.
        pytest.param(SPRING_2027, [p("2027-04-16", "2027-04-30")], "2027-04", True, id="april-15-of-30-exactly-half"),
        # 4-15..4-30 = 16 days of 30 → more than half → not required.
        pytest.param(SPRING_2027, [p("2027-04-15", "2027-04-30")], "2027-04", False, id="april-16-of-30-more-than-half"),
        pytest.param(SPRING_2027, [p("2027-04-01", "2027-04-05")], "2027-04", True, id="april-5-of-30-less-than-half"),
        # February 2026 (28 days): 2-15..2-28 = 14 days, exactly half → required; 2-14..2-28 = 15 → not.
        pytest.param(YEAR_2026, [p("2026-02-15", "2026-02-28")], "2026-02", True, id="feb-2026-14-of-28-exactly-half"),
        pytest.param(YEAR_2026, [p("2026-02-14", "2026-02-28")], "2026-02", False, id="feb-2026-15-of-28"),
        # February 2028 (29 days): half is 14.5; 2-16..2-29 = 14 → required; 2-15..2-29 = 15 → not.
        pytest.param(YEAR_2028, [p("2028-02-16", "2028-02-29")], "2028-02", True, id="feb-2028-14-of-29"),
        pytest.param(YEAR_2028, [p("2028-02-15", "2028-02-29")], "2028-02", False, id="feb-2028-15-of-29"),
        # Two holidays in July 2027 (31 days): 7-01..7-10 (10) + 7-20..7-27 (8) = 18 > 15.5 → not required,
        # though neither alone is more than half.
        pytest.param(SPRING_2027, [p("2027-07-01", "2027-07-10"), p("2027-07-20", "2027-07-27")], "2027-07", False, id="two-holidays-add-up-past-half"),
        pytest.param(SPRING_2027, [p("2027-07-01", "2027-07-10")], "2027-07", True, id="first-of-the-two-alone"),
        pytest.param(SPRING_2027, [p("2027-07-20", "2027-07-27")], "2027-07", True, id="second-of-the-two-alone"),
        # Overlapping holidays 4-01..4-10 and 4-06..4-15: union 15 of 30 days, exactly half → required
        # (counting the overlap twice would give 20 and wrongly drop the month).
        pytest.param(SPRING_2027, [p("2027-04-01", "2027-04-10"), p("2027-04-06", "2027-04-15")], "2027-04", True, id="overlapping-holidays-not-double-counted"),
        # 暑假 2027-07-10..08-31 covers 22 of July's 31 days and all of August → neither required.
        pytest.param(SPRING_2027, [p("2027-07-10", "2027-08-31")], "2027-07", False, id="shujia-july-22-of-31"),
        pytest.param(SPRING_2027, [p("2027-07-10", "2027-08-31")], "2027-08", False, id="shujia-august-31-of-31"),
        pytest.param(SPRING_2027, [p("2027-07-10", "2027-08-31")], "2027-06", True, id="shujia-june-untouched"),
    ],
)  # fmt: skip
def test_dorm_visit_month_and_holidays(
    bounds: tuple[date, date], holidays: list[Period], month: str, required: bool
) -> None:
    calendar = Calendar(bounds[0], bounds[1], holidays=tuple(holidays))
    dorm_months = [
        w.start.isoformat()[:7]
        for w in required_windows(calendar, opened_on=bounds[0], closed_on=None)
        if w.rule == Rule.DORM_VISIT
    ]
    assert (month in dorm_months) is required


def test_talk_windows_stay_required_in_holidays() -> None:
    """寒假 2027-01-16..02-28 drops the January and February dorm-visit months but none of the talk windows."""
    calendar = Calendar(d("2027-01-01"), d("2027-02-28"), holidays=(p("2027-01-16", "2027-02-28"),))
    assert brief(required_windows(calendar, opened_on=d("2027-01-01"), closed_on=None)) == [
        ("talk", "2027-01-01", "2027-01-15"),
        ("talk", "2027-01-16", "2027-01-31"),
        ("talk", "2027-02-01", "2027-02-15"),
        ("talk", "2027-02-16", "2027-02-28"),
    ]


# --------------------------------------------------------------------------------------- key periods

KAOQIAN = p("2026-12-28", "2027-01-08")  # 考前
SEMESTER_WITH_KAOQIAN = Calendar(d("2026-09-01"), d("2027-02-28"), key_periods=(KAOQIAN,))


@pytest.mark.parametrize(
    ("opened_on", "closed_on", "required"),
    [
        pytest.param("2026-09-01", None, True, id="open-throughout"),
        pytest.param("2026-12-28", None, True, id="opened-on-first-day"),
        pytest.param("2026-12-29", None, False, id="opened-inside-key-period"),
        pytest.param("2026-09-01", "2027-01-08", True, id="closed-on-last-day"),
        pytest.param("2026-09-01", "2027-01-07", False, id="closed-day-before-last-day"),
    ],
)
def test_key_period_required_when_open_throughout(opened_on: str, closed_on: str | None, required: bool) -> None:
    closed = d(closed_on) if closed_on else None
    windows = required_windows(SEMESTER_WITH_KAOQIAN, opened_on=d(opened_on), closed_on=closed)
    assert (("key_period", "2026-12-28", "2027-01-08") in brief(windows)) is required


@pytest.mark.parametrize(
    ("key_period", "required"),
    [
        pytest.param(p("2027-02-20", "2027-02-28"), True, id="ends-on-semester-last-day"),
        pytest.param(p("2027-02-20", "2027-03-05"), False, id="runs-past-semester-end"),
        pytest.param(p("2026-08-25", "2026-09-05"), False, id="starts-before-semester"),
        pytest.param(p("2026-09-01", "2026-09-01"), True, id="one-day-on-semester-first-day"),
    ],
)
def test_key_period_must_lie_inside_semester(key_period: Period, required: bool) -> None:
    calendar = Calendar(d("2026-09-01"), d("2027-02-28"), key_periods=(key_period,))
    windows = [
        w for w in required_windows(calendar, opened_on=d("2026-01-01"), closed_on=None) if w.rule == Rule.KEY_PERIOD
    ]
    assert bool(windows) is required


@pytest.mark.parametrize(
    ("contacts", "done", "met"),
    [
        pytest.param([("talk", "2026-12-30")], 1, True, id="talk-inside-met"),
        pytest.param([("talk", "2026-12-28")], 1, True, id="talk-on-first-day-met"),
        pytest.param([("talk", "2027-01-08")], 1, True, id="talk-on-last-day-met"),
        pytest.param([("talk", "2026-12-27"), ("talk", "2027-01-09")], 0, False, id="talks-just-outside-unmet"),
        pytest.param([("dorm_visit", "2026-12-30"), ("parent", "2026-12-30"), ("other", "2026-12-30")], 0, False, id="non-talks-unmet"),
        pytest.param([("talk", "2026-12-29"), ("talk", "2027-01-05")], 2, True, id="two-talks"),
        pytest.param([], 0, False, id="nothing-unmet"),
    ],
)  # fmt: skip
def test_key_period_counts_talks(contacts: list[tuple[str, str]], done: int, met: bool) -> None:
    windows = compliance(
        SEMESTER_WITH_KAOQIAN,
        opened_on=d("2026-09-01"),
        closed_on=None,
        contacts=[(kind, d(day)) for kind, day in contacts],
        date_from=d("2026-12-28"),
        date_to=d("2027-01-08"),
    )
    assert full(windows) == [("key_period", "2026-12-28", "2027-01-08", 1, done)]
    assert windows[0].met is met


# --------------------------------------------------------------------------------------- count_contacts

MARCH_WINDOWS = [
    Window(Rule.TALK, d("2026-03-01"), d("2026-03-15"), 1),
    Window(Rule.DORM_VISIT, d("2026-03-01"), d("2026-03-31"), 2),
    Window(Rule.TALK, d("2026-03-16"), d("2026-03-31"), 1),
    Window(Rule.KEY_PERIOD, d("2026-03-14"), d("2026-03-17"), 1),
]


@pytest.mark.parametrize(
    ("contacts", "done"),
    [
        # done per window, in MARCH_WINDOWS order: talk 1–15, dorm March, talk 16–31, key 14–17.
        pytest.param([], [0, 0, 0, 0], id="no-contacts"),
        pytest.param([("talk", "2026-03-15")], [1, 0, 0, 1], id="talk-on-15th-first-half"),
        pytest.param([("talk", "2026-03-16")], [0, 0, 1, 1], id="talk-on-16th-second-half"),
        pytest.param([("talk", "2026-03-01")], [1, 0, 0, 0], id="talk-on-1st"),
        pytest.param([("talk", "2026-03-31")], [0, 0, 1, 0], id="talk-on-31st"),
        pytest.param([("dorm_visit", "2026-03-01"), ("dorm_visit", "2026-03-31")], [0, 2, 0, 0], id="dorm-visits-on-month-ends"),
        pytest.param([("dorm_visit", "2026-03-15")], [0, 1, 0, 0], id="dorm-visit-not-a-talk"),
        pytest.param([("parent", "2026-03-10"), ("other", "2026-03-16")], [0, 0, 0, 0], id="parent-and-other-count-for-nothing"),
        pytest.param([("talk", "2026-02-28"), ("talk", "2026-04-01"), ("dorm_visit", "2026-04-01")], [0, 0, 0, 0], id="outside-any-window-ignored"),
        pytest.param([("talk", "2026-03-02"), ("talk", "2026-03-02"), ("talk", "2026-03-20")], [2, 0, 1, 0], id="same-day-talks-both-count"),
    ],
)  # fmt: skip
def test_count_contacts(contacts: list[tuple[str, str]], done: list[int]) -> None:
    counted = count_contacts(MARCH_WINDOWS, [(kind, d(day)) for kind, day in contacts])
    assert [w.done for w in counted] == done
    assert [(w.rule, w.start, w.end, w.required) for w in counted] == [
        (w.rule, w.start, w.end, w.required) for w in MARCH_WINDOWS
    ]


@pytest.mark.parametrize(
    ("occurred_at", "done"),
    [
        # 23:30 Beijing on 3-15 (15:30 UTC): first half. 00:30 Beijing on 3-16 (16:30 UTC on 3-15): second half.
        pytest.param(datetime(2026, 3, 15, 15, 30, tzinfo=UTC), [1, 0, 0, 1], id="23:30-beijing-counts-for-15th"),
        pytest.param(datetime(2026, 3, 15, 16, 30, tzinfo=UTC), [0, 0, 1, 1], id="00:30-beijing-counts-for-16th"),
        # 00:30 Beijing on 4-01 is 16:30 UTC on 3-31: outside every March window.
        pytest.param(datetime(2026, 3, 31, 16, 30, tzinfo=UTC), [0, 0, 0, 0], id="00:30-beijing-april-1st"),
        # 23:30 UTC on 2-28 is 07:30 Beijing on 3-01: a March talk, in Mar 1–15.
        pytest.param(datetime(2026, 2, 28, 23, 30, tzinfo=UTC), [1, 0, 0, 0], id="utc-feb-28-is-beijing-mar-1"),
    ],
)
def test_contacts_counted_by_local_date(occurred_at: datetime, done: list[int]) -> None:
    counted = count_contacts(MARCH_WINDOWS, [("talk", local_date(occurred_at))])
    assert [w.done for w in counted] == done


def test_count_contacts_replaces_an_earlier_count() -> None:
    once = count_contacts(MARCH_WINDOWS, [("talk", d("2026-03-02"))])
    again = count_contacts(once, [("talk", d("2026-03-02"))])
    assert [w.done for w in again] == [1, 0, 0, 0]


def test_count_contacts_accepts_a_generator() -> None:
    counted = count_contacts(MARCH_WINDOWS, (("talk", d(f"2026-03-{day:02}")) for day in (3, 20)))
    assert [w.done for w in counted] == [1, 0, 1, 0]


def test_count_contacts_refuses_unknown_kind() -> None:
    with pytest.raises(ValueError, match="dorm-visit"):
        count_contacts(MARCH_WINDOWS, [("dorm-visit", d("2026-03-02"))])


def test_count_contacts_refuses_datetimes() -> None:
    """A datetime would need a zone to find its day; the caller must pass local_date(occurred_at)."""
    with pytest.raises(TypeError, match="local_date"):
        count_contacts(MARCH_WINDOWS, [("talk", datetime(2026, 3, 15, 16, 30, tzinfo=UTC))])


# ------------------------------------------------------------------------------------------- compliance

APRIL_CONTACTS = [("talk", d("2026-03-03")), ("dorm_visit", d("2026-03-10")), ("talk", d("2026-04-20"))]


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        pytest.param(None, None, [
            ("talk", "2026-03-01", "2026-03-15", 1, 1), ("dorm_visit", "2026-03-01", "2026-03-31", 2, 1),
            ("talk", "2026-03-16", "2026-03-31", 1, 0),
            ("talk", "2026-04-01", "2026-04-15", 1, 0), ("dorm_visit", "2026-04-01", "2026-04-30", 2, 0),
            ("talk", "2026-04-16", "2026-04-30", 1, 1),
        ], id="unbounded"),
        pytest.param("2026-03-01", "2026-04-30", [
            ("talk", "2026-03-01", "2026-03-15", 1, 1), ("dorm_visit", "2026-03-01", "2026-03-31", 2, 1),
            ("talk", "2026-03-16", "2026-03-31", 1, 0),
            ("talk", "2026-04-01", "2026-04-15", 1, 0), ("dorm_visit", "2026-04-01", "2026-04-30", 2, 0),
            ("talk", "2026-04-16", "2026-04-30", 1, 1),
        ], id="bounds-equal-to-first-and-last-day-inclusive"),
        # from 3-02: Mar 1–15 and March start before it, so they are not wholly inside.
        pytest.param("2026-03-02", None, [
            ("talk", "2026-03-16", "2026-03-31", 1, 0),
            ("talk", "2026-04-01", "2026-04-15", 1, 0), ("dorm_visit", "2026-04-01", "2026-04-30", 2, 0),
            ("talk", "2026-04-16", "2026-04-30", 1, 1),
        ], id="from-excludes-windows-starting-before"),
        pytest.param(None, "2026-03-31", [
            ("talk", "2026-03-01", "2026-03-15", 1, 1), ("dorm_visit", "2026-03-01", "2026-03-31", 2, 1),
            ("talk", "2026-03-16", "2026-03-31", 1, 0),
        ], id="to-on-month-end-inclusive"),
        pytest.param(None, "2026-03-30", [("talk", "2026-03-01", "2026-03-15", 1, 1)], id="to-excludes-windows-ending-after"),
        pytest.param("2026-04-01", "2026-04-15", [("talk", "2026-04-01", "2026-04-15", 1, 0)], id="one-half-month-not-its-month"),
        pytest.param("2026-03-05", "2026-03-14", [], id="range-inside-one-window"),
        pytest.param("2026-04-30", "2026-03-01", [], id="reversed-range-empty"),
    ],
)  # fmt: skip
def test_compliance_filters_windows_wholly_inside(
    date_from: str | None, date_to: str | None, expected: list[tuple[str, str, str, int, int]]
) -> None:
    windows = compliance(
        MARCH_APRIL,
        opened_on=d("2026-03-01"),
        closed_on=None,
        contacts=APRIL_CONTACTS,
        date_from=d(date_from) if date_from else None,
        date_to=d(date_to) if date_to else None,
    )
    assert full(windows) == expected


def test_compliance_sorts_by_start_then_talk_dorm_key() -> None:
    """Three windows start on 3-01: talk before dorm_visit before key_period."""
    calendar = Calendar(d("2026-03-01"), d("2026-03-31"), key_periods=(p("2026-03-01", "2026-03-03"),))
    windows = compliance(calendar, opened_on=d("2026-03-01"), closed_on=None, contacts=[])
    assert brief(windows) == [
        ("talk", "2026-03-01", "2026-03-15"),
        ("dorm_visit", "2026-03-01", "2026-03-31"),
        ("key_period", "2026-03-01", "2026-03-03"),
        ("talk", "2026-03-16", "2026-03-31"),
    ]


# ---------------------------------------------------------------------------------------------- overdue

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


# ------------------------------------------------------------------------------- a realistic semester

# 2026-2027学年第一学期: 2026-09-01 to 2027-02-28 (the next semester starts 2027-03-01).
HANJIA = Period(d("2027-01-16"), d("2027-02-28"), "寒假")
AUTUMN = Calendar(
    d("2026-09-01"),
    d("2027-02-28"),
    holidays=(HANJIA,),
    key_periods=(
        Period(d("2026-12-28"), d("2027-01-08"), "考前"),
        Period(d("2027-01-12"), d("2027-01-18"), "放假前后"),  # ends 2027-01-18, inside the semester
    ),
)

# By hand:
# - talk: 2 half-months × 6 months (Sep, Oct, Nov, Dec, Jan, Feb) = 12, holidays notwithstanding.
# - dorm visits: Sep, Oct, Nov, Dec have no holiday → 4 required.
#   January 2027: 寒假 covers Jan 16..31 = 16 days; 16 × 2 = 32 > 31 → more than half → not required.
#   February 2027: 寒假 covers Feb 1..28 = 28 of 28 days → not required.
# - key periods: 考前 2026-12-28..2027-01-08 and 放假前后 2027-01-12..2027-01-18, both inside → 2.
# Total 12 + 4 + 2 = 18.
AUTUMN_REQUIRED = [
    ("talk", "2026-09-01", "2026-09-15", 1),
    ("dorm_visit", "2026-09-01", "2026-09-30", 2),
    ("talk", "2026-09-16", "2026-09-30", 1),
    ("talk", "2026-10-01", "2026-10-15", 1),
    ("dorm_visit", "2026-10-01", "2026-10-31", 2),
    ("talk", "2026-10-16", "2026-10-31", 1),
    ("talk", "2026-11-01", "2026-11-15", 1),
    ("dorm_visit", "2026-11-01", "2026-11-30", 2),
    ("talk", "2026-11-16", "2026-11-30", 1),
    ("talk", "2026-12-01", "2026-12-15", 1),
    ("dorm_visit", "2026-12-01", "2026-12-31", 2),
    ("talk", "2026-12-16", "2026-12-31", 1),
    ("key_period", "2026-12-28", "2027-01-08", 1),
    ("talk", "2027-01-01", "2027-01-15", 1),
    ("key_period", "2027-01-12", "2027-01-18", 1),
    ("talk", "2027-01-16", "2027-01-31", 1),
    ("talk", "2027-02-01", "2027-02-15", 1),
    ("talk", "2027-02-16", "2027-02-28", 1),
]


def test_realistic_semester_required_windows() -> None:
    windows = required_windows(AUTUMN, opened_on=d("2026-09-01"), closed_on=None)
    assert [(rule, start, end, required) for rule, start, end, required, _ in full(windows)] == AUTUMN_REQUIRED
    assert sum(w.rule == Rule.TALK for w in windows) == 12
    assert sum(w.rule == Rule.DORM_VISIT for w in windows) == 4
    assert sum(w.rule == Rule.KEY_PERIOD for w in windows) == 2


def test_realistic_semester_compliance_and_overdue() -> None:
    contacts = [
        ("talk", d("2026-09-03")),
        ("dorm_visit", d("2026-09-05")),
        ("talk", local_date(datetime(2026, 9, 15, 15, 30, tzinfo=UTC))),  # 23:30 Beijing 9-15: Sep 1–15
        ("dorm_visit", d("2026-09-25")),
        ("parent", d("2026-09-28")),  # counts for nothing
        ("talk", local_date(datetime(2026, 9, 30, 16, 30, tzinfo=UTC))),  # 00:30 Beijing 10-01: Oct 1–15
        ("dorm_visit", d("2026-10-10")),  # only one in October
        ("talk", d("2026-12-30")),  # Dec 16–31 and 考前
    ]
    windows = compliance(AUTUMN, opened_on=d("2026-09-01"), closed_on=None, contacts=contacts, date_to=d("2026-12-31"))
    assert full(windows) == [
        ("talk", "2026-09-01", "2026-09-15", 1, 2),
        ("dorm_visit", "2026-09-01", "2026-09-30", 2, 2),
        ("talk", "2026-09-16", "2026-09-30", 1, 0),
        ("talk", "2026-10-01", "2026-10-15", 1, 1),
        ("dorm_visit", "2026-10-01", "2026-10-31", 2, 1),
        ("talk", "2026-10-16", "2026-10-31", 1, 0),
        ("talk", "2026-11-01", "2026-11-15", 1, 0),
        ("dorm_visit", "2026-11-01", "2026-11-30", 2, 0),
        ("talk", "2026-11-16", "2026-11-30", 1, 0),
        ("talk", "2026-12-01", "2026-12-15", 1, 0),
        ("dorm_visit", "2026-12-01", "2026-12-31", 2, 0),
        ("talk", "2026-12-16", "2026-12-31", 1, 1),
    ]
    # On 2026-11-01 the September and October windows have ended; three of them are unmet.
    assert brief(overdue(windows, d("2026-11-01"))) == [
        ("talk", "2026-09-16", "2026-09-30"),
        ("dorm_visit", "2026-10-01", "2026-10-31"),
        ("talk", "2026-10-16", "2026-10-31"),
    ]


def test_realistic_semester_case_opened_mid_october_closed_in_january() -> None:
    """Opened 2026-10-20 (inside Oct 16–31), closed 2027-01-10 (inside 考前's tail and Jan 1–15)."""
    windows = required_windows(AUTUMN, opened_on=d("2026-10-20"), closed_on=d("2027-01-10"))
    assert brief(windows) == [
        ("talk", "2026-11-01", "2026-11-15"),
        ("dorm_visit", "2026-11-01", "2026-11-30"),
        ("talk", "2026-11-16", "2026-11-30"),
        ("talk", "2026-12-01", "2026-12-15"),
        ("dorm_visit", "2026-12-01", "2026-12-31"),
        ("talk", "2026-12-16", "2026-12-31"),
        ("key_period", "2026-12-28", "2027-01-08"),
    ]
