"""Compliance as maintained data (issue 13): the `ComplianceWindow` table, kept equal to `contacts/rules.py`.

Every write that can move a window calls one of the refresh functions below inside its own transaction:

- a contact added, edited or deleted, a case opened, closed or reopened → ``compliance_refresh_for_case``;
- a student's 学籍状态 changed → ``compliance_refresh_for_student`` (also hooked on StudentStatus saves and
  deletes in ``contacts/apps.py``; bulk writers call ``compliance_refresh_for_students``);
- a semester's dates, holidays or key periods changed → ``compliance_refresh_for_semester`` (hooked on
  ``core.signals.semester_changed``), which also rebuilds the semester before it (its last day moves).

``rebuild(semester_ids=None)`` recomputes from scratch (``careledger compliance rebuild [--semester ID]``).
A refresh recomputes the case's windows in every semester its open periods touch: one case's contacts, a
few queries, whatever the size of the school.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction

from careledger.cases.models import Case, CasePeriod
from careledger.contacts import rules
from careledger.contacts.models import ComplianceWindow, Contact
from careledger.core.models import PeriodKind, Semester
from careledger.roster.selectors import away_periods

# --- semesters as the rules see them ---


def semester_calendars() -> list[tuple[Semester, rules.Calendar]]:
    """Every semester in start order with its calendar (a semester ends the day before the next starts)."""
    semesters = list(Semester.objects.order_by("start", "pk").prefetch_related("periods"))
    out = []
    for i, semester in enumerate(semesters):
        next_start = semesters[i + 1].start if i + 1 < len(semesters) else None
        periods = list(semester.periods.all())
        cal = rules.Calendar(
            start=semester.start,
            end=semester.effective_end(next_start),
            holidays=tuple(rules.Period(p.start, p.end, p.name) for p in periods if p.kind == PeriodKind.HOLIDAY),
            key_periods=tuple(rules.Period(p.start, p.end, p.name) for p in periods if p.kind == PeriodKind.KEY_PERIOD),
        )
        out.append((semester, cal))
    return out


# --- computing ---

OpenPeriods = list[tuple[date, date | None]]


def _open_periods(case_ids: Iterable[int] | None) -> dict[int, OpenPeriods]:
    """Each case's open periods; a case with none recorded (made outside the services) counts from its fields."""
    periods: dict[int, OpenPeriods] = defaultdict(list)
    rows = CasePeriod.objects.order_by()
    cases = Case.objects.order_by()
    if case_ids is not None:
        ids = list(case_ids)
        rows, cases = rows.filter(case_id__in=ids), cases.filter(pk__in=ids)
    for case_id, opened_on, closed_on in rows.values_list("case_id", "opened_on", "closed_on"):
        periods[case_id].append((opened_on, closed_on))
    for pk, opened_on, reopened_on, closed_on in cases.values_list("pk", "opened_on", "reopened_on", "closed_on"):
        if pk not in periods:
            start = reopened_on or opened_on
            periods[pk].append((start, closed_on if closed_on is None or closed_on >= start else start))
    return periods


def _touches(periods: OpenPeriods, cal: rules.Calendar) -> bool:
    return any(opened <= cal.end and (closed is None or closed >= cal.start) for opened, closed in periods)


def compute(case_ids: Iterable[int] | None, calendars: list[tuple[Semester, rules.Calendar]]) -> list[ComplianceWindow]:
    """The windows `rules.compliance` gives for these cases (None: every case) in these semesters, unsaved."""
    if not calendars:
        return []
    periods = _open_periods(case_ids)
    wanted = {pk: [(s, c) for s, c in calendars if _touches(p, c)] for pk, p in periods.items()}
    wanted = {pk: cals for pk, cals in wanted.items() if cals}
    if not wanted:
        return []
    first = min(c.start for cals in wanted.values() for _s, c in cals)
    last = max(c.end for cals in wanted.values() for _s, c in cals)
    student_of = dict(Case.objects.filter(pk__in=list(wanted)).order_by().values_list("pk", "student_id"))
    away = away_periods(set(student_of.values()), first, last)
    contacts: dict[int, list[tuple[str, date]]] = defaultdict(list)
    counted_kinds = sorted(set(rules.RULE_KIND.values()))
    rows = (
        Contact.objects.filter(case_id__in=list(wanted), kind__in=counted_kinds, local_date__range=(first, last))
        .order_by()  # no default ordering: the database need not sort what is only counted
        .values_list("case_id", "kind", "local_date")
        .distinct()
    )
    for case_id, kind, day in rows.iterator(chunk_size=5000):
        contacts[case_id].append((kind, day))
    out = []
    for pk, cals in wanted.items():
        for semester, cal in cals:
            for w in rules.compliance(
                cal, open_periods=periods[pk], away=away.get(student_of[pk], []), contacts=contacts.get(pk, [])
            ):
                out.append(
                    ComplianceWindow(
                        case_id=pk,
                        semester_id=semester.pk,
                        rule=str(w.rule),
                        start=w.start,
                        end=w.end,
                        required=w.required,
                        done=w.done,
                        met=w.met,
                    )
                )
    return out


# --- maintaining ---


def compliance_refresh_for_cases(case_ids: Iterable[int], *, day: date | None = None) -> None:
    """Recompute the windows of these cases in every semester (call inside the write's transaction); with
    ``day`` (a contact's local date), only in the semester holding that day — a contact moves nothing else."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    with transaction.atomic():
        # One writer per case at a time: two contacts recorded at once on one case would otherwise each
        # recompute without the other's contact and insert the same windows (a lost count, or a unique
        # violation). The lock waits for the other transaction's commit; the counts below then see it.
        list(Case.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        calendars = semester_calendars()
        rows = ComplianceWindow.objects.filter(case_id__in=ids)
        if day is not None:
            calendars = [(s, c) for s, c in calendars if c.start <= day <= c.end]
            rows = rows.filter(semester_id__in=[s.pk for s, _c in calendars])
        windows = compute(ids, calendars)
        rows.delete()
        ComplianceWindow.objects.bulk_create(windows, batch_size=2000)


def compliance_refresh_for_case(case: Case | int, *, day: date | None = None) -> None:
    """After a change to one case: its opening, closure or reopening (every semester), or a contact added,
    edited or deleted on ``day`` (that day's semester; an edit that moves a contact calls this for both days)."""
    compliance_refresh_for_cases([case if isinstance(case, int) else case.pk], day=day)


def compliance_refresh_for_students(student_ids: Iterable[int]) -> None:
    """After a 学籍状态 change (or a roster import that changed several): every case of these students."""
    ids = list(set(student_ids))
    if ids:
        compliance_refresh_for_cases(Case.objects.filter(student_id__in=ids).values_list("pk", flat=True))


def compliance_refresh_for_student(student: object) -> None:
    compliance_refresh_for_students([student if isinstance(student, int) else student.pk])  # type: ignore[attr-defined]


def rebuild(semester_ids: Iterable[int] | None = None) -> int:
    """Recompute the table for these semesters (None: all) from the contacts, periods and statuses; the
    number of windows written. Windows of semesters no longer entered are dropped with a full rebuild."""
    with transaction.atomic():
        calendars = semester_calendars()
        if semester_ids is not None:
            ids = set(semester_ids)
            calendars = [(s, c) for s, c in calendars if s.pk in ids]
            ComplianceWindow.objects.filter(semester_id__in=ids).delete()
        else:
            ComplianceWindow.objects.all().delete()
        windows = compute(None, calendars)
        ComplianceWindow.objects.bulk_create(windows, batch_size=2000)
        return len(windows)


def compliance_refresh_for_semester(semester: Semester | int) -> None:
    """A semester's dates, holidays or key periods changed: rebuild it and the one before it (whose last day
    is the day before this one starts)."""
    pk = semester if isinstance(semester, int) else semester.pk
    ordered = [s.pk for s, _c in semester_calendars()]
    affected = {pk}
    if pk in ordered:
        i = ordered.index(pk)
        if i > 0:
            affected.add(ordered[i - 1])
    rebuild(affected)
