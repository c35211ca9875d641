"""Helpers and the autumn semester shared by the contact-rule table tests (test_rules*.py)."""

from datetime import date

from careledger.contacts.rules import Calendar, Period, Window


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


# 2026-2027学年第一学期 as a school enters it: it starts on 9月7日 and runs to the day before the spring
# semester (2027-03-01); 国庆 10-01..10-07 (7 days), 寒假 2027-01-16..02-28, 考前 2027-01-04..01-15.
GUOQING = Period(d("2026-10-01"), d("2026-10-07"), "国庆")
HANJIA = Period(d("2027-01-16"), d("2027-02-28"), "寒假")
KAOQIAN = Period(d("2027-01-04"), d("2027-01-15"), "考前")
AUTUMN = Calendar(d("2026-09-07"), d("2027-02-28"), holidays=(GUOQING, HANJIA), key_periods=(KAOQIAN,))

OPEN_ALL_ALONG = [(d("2026-09-01"), None)]
