"""Semester writes (school_admin)."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.audit.services import Action, record
from careledger.core.models import PeriodKind, Semester, SemesterPeriod
from careledger.core.signals import semester_changed


@dataclass
class PeriodInput:
    name: str
    start: date
    end: date


def _check_periods(start: date, end: date, periods: list[PeriodInput], field_name: str) -> None:
    for p in periods:
        if p.end < p.start:
            raise ValidationError({field_name: [_("“%(n)s”的结束日期早于开始日期。") % {"n": p.name}]})
        if p.start < start or p.end > end:
            raise ValidationError({field_name: [_("“%(n)s”须在学期日期之内。") % {"n": p.name}]})


@transaction.atomic
def semester_create(
    *,
    actor,
    name: str,
    start: date,
    end: date,
    ledger_due: date,
    holidays: list[PeriodInput] = (),
    key_periods: list[PeriodInput] = (),
) -> Semester:
    """A semester of the 校历. Which semester is current follows from the dates alone (Semester.objects.current())."""
    if end < start:
        raise ValidationError({"end": [_("结束日期早于开始日期。")]})
    if Semester.objects.filter(name=name).exists():
        raise ValidationError({"name": [_("学期名称已存在。")]})
    overlapping = Semester.objects.filter(start__lte=end, end__gte=start).first()
    if overlapping is not None:
        raise ValidationError({"start": [_("与“%(n)s”的日期重叠。") % {"n": overlapping.name}]})
    _check_periods(start, end, list(holidays), "holidays")
    _check_periods(start, end, list(key_periods), "key_periods")
    semester = Semester.objects.create(name=name, start=start, end=end, ledger_due=ledger_due)
    SemesterPeriod.objects.bulk_create(
        [
            SemesterPeriod(semester=semester, kind=PeriodKind.HOLIDAY, name=p.name, start=p.start, end=p.end)
            for p in holidays
        ]
        + [
            SemesterPeriod(semester=semester, kind=PeriodKind.KEY_PERIOD, name=p.name, start=p.start, end=p.end)
            for p in key_periods
        ]
    )
    record(actor=actor, action=Action.CREATE, object_type="semester", object_id=semester.pk, detail={"name": name})
    semester_changed.send(sender=Semester, semester=semester)  # compliance windows follow the new dates
    return semester
