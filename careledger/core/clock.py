"""The school's clock: dates are Asia/Shanghai dates, whatever the server's zone."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate()  # TIME_ZONE is Asia/Shanghai


def local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def local_time(moment: datetime) -> datetime:
    return timezone.localtime(moment)
