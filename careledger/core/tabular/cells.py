"""A cell's text as a value: a date, a month, a number. ``None`` when the text is not one (the importer
says which row and column)."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_DATE_TIME = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?(?:[ T].*)?$")


def parse_date(value: str, *, with_time: bool = False) -> date | None:
    """2024-03-01, 2024/3/1, 2024.3.1 or 2024年3月1日, and also 20240301.

    ``with_time``: the text may go on with a time (``2024-03-01 08:30``, what a date-time cell reads as),
    which is ignored; 20240301 is then not taken (the office lists never wrote it)."""
    m = _DATE_TIME.match(value) if with_time else (_DATE.match(value) or _DATE8.match(value))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_month(value: str) -> str | None:
    """2024-03, 2024年3月, or a date in that month (its day and time ignored) → "2024-03"."""
    m = _MONTH.match(value.strip())
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    return None


def parse_decimal(value: str) -> Decimal | None:
    """A finite number, zero or more (credits, money, a grade point)."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def parse_whole(value: str) -> int | None:
    """A whole number, zero or more (a count); "3.0" is 3, "3.5" is not a count."""
    number = parse_decimal(value)
    return int(number) if number is not None and number == int(number) else None
