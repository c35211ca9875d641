"""Contact-frequency compliance (product.md, "Rules the notice sets, made exact"), as pure functions.

No ORM and no clock: the caller passes the semester as a `Calendar`, the case's open span, its contacts as
(kind, local date) pairs and `today`. That keeps every rule checkable with a table of hand-written cases, and
lets the API (`/cases/{id}/compliance/`), the overdue list and the assessment share one definition.

The rules:

- talk (谈心交流): at least 1 in every half-month window, 1st–15th and 16th–last day of each month; these stay
  required during holidays (a phone or online talk counts);
- dorm visit (下寝室交流): at least 2 in every calendar month, except months that holidays (寒假/暑假) cover by
  more than half of their days (exactly half is still required; several holidays add up);
- key period (考前, 放假前后): at least 1 talk inside each key period;
- a window is required only when the case was open for the whole of it (opened on or before its first day,
  not closed before its last day) and it lies wholly inside the semester;
- a contact belongs to the window of its Asia/Shanghai date (`local_date`).
"""

from __future__ import annotations

import calendar as _calendar
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

TALK_REQUIRED = 1
DORM_VISITS_REQUIRED = 2
KEY_PERIOD_TALKS_REQUIRED = 1

# Every contact kind the API accepts (POST /cases/{id}/contacts/). parent/other are recorded but count for no rule.
CONTACT_KINDS = frozenset({"talk", "dorm_visit", "parent", "other"})


@dataclass(frozen=True)
class Period:
    """A run of local dates, both ends inclusive (as the API reports them)."""

    start: date
    end: date
    name: str = ""

    def __post_init__(self) -> None:
        _check_range(self.start, self.end, what="period")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: Period) -> bool:
        """Whether `other` lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class Calendar:
    """One semester as the rules see it.

    `end` is the semester's last day; since a semester runs until the day before the next one starts, the
    caller passes that day when a next semester exists, so 寒假 falls in the first semester and 暑假 in the second.
    """

    start: date
    end: date
    holidays: tuple[Period, ...] = ()
    key_periods: tuple[Period, ...] = ()

    def __post_init__(self) -> None:
        _check_range(self.start, self.end, what="semester")

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)


class Rule(StrEnum):
    TALK = "talk"
    DORM_VISIT = "dorm_visit"
    KEY_PERIOD = "key_period"


# Listing order within one start date: the order of the enum (talk, dorm_visit, key_period).
_RULE_ORDER = {rule: index for index, rule in enumerate(Rule)}

# Which rules a contact of each kind counts for; parent and other count for none.
_COUNTS_FOR: dict[Rule, str] = {Rule.TALK: "talk", Rule.KEY_PERIOD: "talk", Rule.DORM_VISIT: "dorm_visit"}


@dataclass(frozen=True)
class Window:
    """One required window of one rule: `done` of `required` contacts between `start` and `end` (inclusive)."""

    rule: Rule
    start: date
    end: date
    required: int
    done: int = 0
    name: str = field(default="", compare=False)  # a key period's name (考前, 放假前后, 开学初)

    @property
    def met(self) -> bool:
        return self.done >= self.required

    def ended(self, today: date) -> bool:
        """Past its last day: a window ending today can still be met today, so it has not ended."""
        return self.end < today

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)


def _check_range(start: date, end: date, *, what: str) -> None:
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise TypeError(f"{what} bounds must be dates, not datetimes: convert with local_date()")
    if end < start:
        raise ValueError(f"{what} ends ({end}) before it starts ({start})")


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware moment.

    Naive datetimes are refused rather than guessed at: a naive UTC value read as local time (or the reverse)
    moves contacts between 23:00 and 08:00 into the wrong day, and so into the wrong half-month window.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: a contact's moment must carry its offset")
    return moment.astimezone(SHANGHAI).date()


def _last_day(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def _months(start: date, end: date) -> Iterator[tuple[int, int]]:
    """(year, month) for every month from `start`'s to `end`'s, inclusive."""
    _check_range(start, end, what="range")
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _overlaps(period: Period, start: date, end: date) -> bool:
    return period.start <= end and start <= period.end


def half_month_windows(start: date, end: date) -> list[Period]:
    """Every 1st–15th and 16th–last-day window that overlaps [start, end], whole (not clipped), in date order.

    Windows are returned whole so the caller can decide, per rule, whether a partly covered window counts.
    """
    windows: list[Period] = []
    for year, month in _months(start, end):
        halves = (
            Period(date(year, month, 1), date(year, month, 15)),
            Period(date(year, month, 16), date(year, month, _last_day(year, month))),
        )
        windows.extend(half for half in halves if _overlaps(half, start, end))
    return windows


def month_windows(start: date, end: date) -> list[Period]:
    """Every calendar month that overlaps [start, end], whole (not clipped), in date order."""
    return [
        Period(date(year, month, 1), date(year, month, _last_day(year, month))) for year, month in _months(start, end)
    ]


def holiday_days_in(period: Period, holidays: Iterable[Period]) -> int:
    """How many days of `period` some holiday covers.

    Several holidays add up, but a day covered by two overlapping holidays is one day: the holidays are
    clipped to `period`, walked in start order, and each counts only the days after those already counted.
    """
    clipped = sorted(
        (max(h.start, period.start), min(h.end, period.end)) for h in holidays if _overlaps(h, period.start, period.end)
    )
    covered = 0
    counted_to = period.start - timedelta(days=1)  # the last day already counted
    for start, end in clipped:
        first_new = max(start, counted_to + timedelta(days=1))
        if end >= first_new:
            covered += (end - first_new).days + 1
            counted_to = end
    return covered


def _open_throughout(window: Period, opened_on: date, closed_on: date | None) -> bool:
    """api.md: opened on or before the window's first day, and not closed before its last day."""
    return opened_on <= window.start and (closed_on is None or closed_on >= window.end)


def _mostly_holiday(month: Period, holidays: Iterable[Period]) -> bool:
    """More than half of the month's days are holiday; exactly half is not more than half."""
    return 2 * holiday_days_in(month, holidays) > month.days


def _sort_key(window: Window) -> tuple[date, int, date]:
    return (window.start, _RULE_ORDER[window.rule], window.end)


def required_windows(calendar: Calendar, *, opened_on: date, closed_on: date | None) -> list[Window]:
    """The windows the case must meet in this semester (done=0), sorted by start then rule."""
    if closed_on is not None and closed_on < opened_on:
        raise ValueError(f"case closed ({closed_on}) before it was opened ({opened_on})")
    semester = calendar.period

    def applies(window: Period) -> bool:
        return semester.contains(window) and _open_throughout(window, opened_on, closed_on)

    windows = [
        Window(Rule.TALK, p.start, p.end, TALK_REQUIRED)
        for p in half_month_windows(calendar.start, calendar.end)
        if applies(p)
    ]
    windows += [
        Window(Rule.DORM_VISIT, p.start, p.end, DORM_VISITS_REQUIRED)
        for p in month_windows(calendar.start, calendar.end)
        if applies(p) and not _mostly_holiday(p, calendar.holidays)
    ]
    windows += [
        Window(Rule.KEY_PERIOD, p.start, p.end, KEY_PERIOD_TALKS_REQUIRED, name=p.name)
        for p in calendar.key_periods
        if applies(p)
    ]
    return sorted(windows, key=_sort_key)


def _dates_by_kind(contacts: Iterable[tuple[str, date]]) -> dict[str, list[date]]:
    """Sorted local dates per contact kind; an unknown kind is an error, not a silent zero."""
    by_kind: dict[str, list[date]] = {kind: [] for kind in CONTACT_KINDS}
    for kind, day in contacts:
        if kind not in CONTACT_KINDS:
            raise ValueError(f"unknown contact kind {kind!r}")
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError("a contact is counted by its local date: convert occurred_at with local_date()")
        by_kind[kind].append(day)
    for days in by_kind.values():
        days.sort()
    return by_kind


def count_contacts(windows: list[Window], contacts: Iterable[tuple[str, date]]) -> list[Window]:
    """The windows with `done` set to the contacts inside each (replacing any earlier count).

    A talk counts for every talk window and key period containing its date (a talk on 考前 days also
    serves its half-month); a dorm visit counts for its month; parent and other contacts count for nothing.
    Contacts outside every window are ignored. Dates are bisected, so a case's full history costs
    O((contacts + windows) · log contacts).
    """
    by_kind = _dates_by_kind(contacts)
    counted = []
    for window in windows:
        days = by_kind[_COUNTS_FOR[window.rule]]
        done = bisect_right(days, window.end) - bisect_left(days, window.start)
        counted.append(replace(window, done=done))
    return counted


def _within(window: Window, date_from: date | None, date_to: date | None) -> bool:
    return (date_from is None or date_from <= window.start) and (date_to is None or window.end <= date_to)


def compliance(
    calendar: Calendar,
    *,
    opened_on: date,
    closed_on: date | None,
    contacts: Iterable[tuple[str, date]],
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Window]:
    """What `/cases/{id}/compliance/?from=&to=` lists: the required windows lying wholly inside
    date_from..date_to (both inclusive, None = unbounded), counted, sorted by start then rule
    (talk, dorm_visit, key_period). A reversed range simply holds no window."""
    windows = [
        w
        for w in required_windows(calendar, opened_on=opened_on, closed_on=closed_on)
        if _within(w, date_from, date_to)
    ]
    return sorted(count_contacts(windows, contacts), key=_sort_key)


def overdue(windows: list[Window], today: date) -> list[Window]:
    """The windows that have ended unmet, in the order given: what the overdue list and reminders report."""
    return [w for w in windows if w.ended(today) and not w.met]
