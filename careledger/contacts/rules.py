"""Contact-frequency compliance (product.md, "Contact frequency"), as pure functions.

No ORM and no clock: the caller passes the semester as a `Calendar`, the case's open periods, the days the
student was away (not 在校), the contacts as (kind, local date) pairs and `today`. Every rule is checkable
with a table of hand-written cases, and the maintained compliance table (contacts/compliance.py), the API,
the overdue list, reminders and the assessment all share this one definition.

The rules:

- windows: talk (谈心交流) — half months, the 1st–15th and the 16th–last day; dorm visit (下寝室交流) —
  calendar months; key periods (考前, 放假前后, 开学初) as set per semester;
- a window straddling the start or end of a semester is cut there: each part belongs to its own semester;
- a window's **due days** are its days inside the semester on which the case was open (every open period
  counts) and the student was 在校;
- talk: 8 or more due days → 1 talk;
- dorm visit: the month's due days that are not holidays: 16 or more → 2 visits, 8–15 → 1, fewer → none;
- key period: 1 talk, required when every one of its days is a due day;
- a window is reported from its first to its last due day;
- a contact counts only on a due day of the window, and two contacts of one kind on one day count once.
"""

from __future__ import annotations

import calendar as _calendar
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

TALK_REQUIRED = 1
KEY_PERIOD_TALKS_REQUIRED = 1
TALK_MIN_DUE_DAYS = 8  # a half month with fewer due days requires no talk
DORM_TWO_VISITS_FROM = 16  # non-holiday due days for 2 visits
DORM_ONE_VISIT_FROM = 8  # non-holiday due days for 1 visit


class Rule(StrEnum):
    TALK = "talk"
    DORM_VISIT = "dorm_visit"
    KEY_PERIOD = "key_period"


# The one definition of contact kinds and of the rules each serves (contacts.models.ContactKind takes its
# values from here; the maintained table counts by it). parent/other are recorded but count for no rule.
KIND_RULES: Mapping[str, frozenset[Rule]] = {
    "talk": frozenset({Rule.TALK, Rule.KEY_PERIOD}),
    "dorm_visit": frozenset({Rule.DORM_VISIT}),
    "parent": frozenset(),
    "other": frozenset(),
}
CONTACT_KINDS = frozenset(KIND_RULES)
# The kind each rule counts (the inverse of KIND_RULES: every rule is served by exactly one kind).
RULE_KIND: Mapping[Rule, str] = {rule: kind for kind, served in KIND_RULES.items() for rule in served}

# Listing order within one start date: the order of the enum (talk, dorm_visit, key_period).
_RULE_ORDER = {rule: index for index, rule in enumerate(Rule)}

ONE_DAY = timedelta(days=1)


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


@dataclass(frozen=True)
class Window:
    """One required window of one rule: `done` of `required` contacts between its first due day `start` and
    its last due day `end` (inclusive). `days` are its due days (a closure or a leave may leave gaps)."""

    rule: Rule
    start: date
    end: date
    required: int
    done: int = 0
    days: frozenset[date] = field(default=frozenset(), compare=False, repr=False)
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
    """Every 1st–15th and 16th–last-day window that overlaps [start, end], whole (not clipped), in date order."""
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


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def holiday_days_in(period: Period, holidays: Iterable[Period]) -> int:
    """How many days of `period` some holiday covers (several holidays add up; a day covered twice counts once)."""
    covered: set[date] = set()
    for h in holidays:
        if _overlaps(h, period.start, period.end):
            covered.update(_days(max(h.start, period.start), min(h.end, period.end)))
    return len(covered)


OpenPeriod = tuple[date, date | None]


def due_days(
    calendar: Calendar, *, open_periods: Sequence[OpenPeriod], away: Sequence[tuple[date, date]] = ()
) -> frozenset[date]:
    """The semester's due days: inside the semester, inside some open period (a null end is still open) and
    not inside any away period (the student not 在校)."""
    days: set[date] = set()
    for opened_on, closed_on in open_periods:
        if closed_on is not None and closed_on < opened_on:
            raise ValueError(f"case closed ({closed_on}) before it was opened ({opened_on})")
        first = max(opened_on, calendar.start)
        last = calendar.end if closed_on is None else min(closed_on, calendar.end)
        days.update(_days(first, last))
    for away_from, away_to in away:
        for day in _days(max(away_from, calendar.start), min(away_to, calendar.end)):
            days.discard(day)
    return frozenset(days)


def _sort_key(window: Window) -> tuple[date, int, date]:
    return (window.start, _RULE_ORDER[window.rule], window.end)


def _dorm_visits_required(non_holiday_due_days: int) -> int:
    if non_holiday_due_days >= DORM_TWO_VISITS_FROM:
        return 2
    if non_holiday_due_days >= DORM_ONE_VISIT_FROM:
        return 1
    return 0


def required_windows(
    calendar: Calendar, *, open_periods: Sequence[OpenPeriod], away: Sequence[tuple[date, date]] = ()
) -> list[Window]:
    """The windows the case must meet in this semester (done=0), sorted by start then rule."""
    due = due_days(calendar, open_periods=open_periods, away=away)
    if not due:
        return []
    holidays = {
        day
        for h in calendar.holidays
        if _overlaps(h, calendar.start, calendar.end)
        for day in _days(max(h.start, calendar.start), min(h.end, calendar.end))
    }
    windows: list[Window] = []

    def due_in(period: Period) -> frozenset[date]:
        return frozenset(day for day in _days(period.start, period.end) if day in due)

    for half in half_month_windows(calendar.start, calendar.end):
        days = due_in(half)
        if len(days) >= TALK_MIN_DUE_DAYS:
            windows.append(Window(Rule.TALK, min(days), max(days), TALK_REQUIRED, days=days))
    for month in month_windows(calendar.start, calendar.end):
        days = due_in(month)
        needed = _dorm_visits_required(len(days - holidays))
        if needed:
            windows.append(Window(Rule.DORM_VISIT, min(days), max(days), needed, days=days))
    for key in calendar.key_periods:
        days = due_in(key)
        if len(days) == key.days:
            windows.append(
                Window(Rule.KEY_PERIOD, key.start, key.end, KEY_PERIOD_TALKS_REQUIRED, days=days, name=key.name)
            )
    return sorted(windows, key=_sort_key)


def _days_by_kind(contacts: Iterable[tuple[str, date]]) -> dict[str, set[date]]:
    """The distinct local dates per contact kind; an unknown kind is an error, not a silent zero."""
    by_kind: dict[str, set[date]] = {kind: set() for kind in CONTACT_KINDS}
    for kind, day in contacts:
        if kind not in CONTACT_KINDS:
            raise ValueError(f"unknown contact kind {kind!r}")
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError("a contact is counted by its local date: convert occurred_at with local_date()")
        by_kind[kind].add(day)
    return by_kind


def count_contacts(windows: Sequence[Window], contacts: Iterable[tuple[str, date]]) -> list[Window]:
    """The windows with `done` set to the days with a contact of the rule's kind among the window's due
    days (replacing any earlier count): two contacts of one kind on one day count once, and a contact on a
    day that is not due (the case closed, the student away) counts for nothing.

    A talk counts for every talk window and key period holding its date (a talk on 考前 days also serves its
    half-month); a dorm visit counts for its month; parent and other contacts count for nothing.
    """
    by_kind = _days_by_kind(contacts)
    return [replace(w, done=len(w.days & by_kind[RULE_KIND[w.rule]])) for w in windows]


def _within(window: Window, date_from: date | None, date_to: date | None) -> bool:
    return (date_from is None or date_from <= window.start) and (date_to is None or window.end <= date_to)


def compliance(
    calendar: Calendar,
    *,
    open_periods: Sequence[OpenPeriod],
    contacts: Iterable[tuple[str, date]],
    away: Sequence[tuple[date, date]] = (),
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Window]:
    """What `/cases/{id}/compliance/?from=&to=` lists: the required windows lying wholly inside
    date_from..date_to (both inclusive, None = unbounded), counted, sorted by start then rule
    (talk, dorm_visit, key_period). A reversed range simply holds no window."""
    windows = [
        w for w in required_windows(calendar, open_periods=open_periods, away=away) if _within(w, date_from, date_to)
    ]
    return sorted(count_contacts(windows, contacts), key=_sort_key)


def overdue(windows: Sequence[Window], today: date) -> list[Window]:
    """The windows that have ended unmet, in the order given: what the overdue list and reminders report."""
    return [w for w in windows if w.ended(today) and not w.met]


def next_due(windows: Sequence[Window], today: date) -> Window | None:
    """The unmet window the case owes next: of those not yet ended, the one ending first (then starting first)."""
    open_ = [w for w in windows if not w.ended(today) and not w.met]
    return min(open_, key=lambda w: (w.end, w.start, _RULE_ORDER[w.rule]), default=None)
