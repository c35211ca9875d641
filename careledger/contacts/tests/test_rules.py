"""Table tests for the contact-frequency rules (product.md "Contact frequency"; api.md Cases).

Every expected figure below is written out by hand; the comment on each row says how to check it against
the docs. No database: these are pure functions.
"""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from careledger.contacts.rules import (
    SHANGHAI,
    Calendar,
    Period,
    Rule,
    Window,
    half_month_windows,
    holiday_days_in,
    local_date,
    month_windows,
)
from careledger.contacts.tests.rules_support import (
    d,
    p,
    spans,
)

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
