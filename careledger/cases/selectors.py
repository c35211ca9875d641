"""Reads of cases, always through the policy's scoped querysets; compliance figures from contacts/rules."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Value, When

from careledger.accounts import policy
from careledger.cases.models import Case, CaseStatus, CategoryEntry, Mentorship
from careledger.contacts import rules
from careledger.contacts.models import Contact
from careledger.core import clock
from careledger.core.models import PeriodKind, Semester

# --- semesters as calendars ---


def current_semester() -> Semester | None:
    return Semester.objects.filter(is_current=True).prefetch_related("periods").first()


def calendars(date_from: date | None = None, date_to: date | None = None) -> list[tuple[Semester, rules.Calendar]]:
    """Every semester overlapping date_from..date_to, as the rules see it (two queries)."""
    semesters = list(Semester.objects.order_by("start").prefetch_related("periods"))
    out = []
    for i, semester in enumerate(semesters):
        next_start = semesters[i + 1].start if i + 1 < len(semesters) else None
        end = semester.effective_end(next_start)
        if (date_to and semester.start > date_to) or (date_from and end < date_from):
            continue
        periods = list(semester.periods.all())
        cal = rules.Calendar(
            start=semester.start,
            end=end,
            holidays=tuple(rules.Period(p.start, p.end, p.name) for p in periods if p.kind == PeriodKind.HOLIDAY),
            key_periods=tuple(rules.Period(p.start, p.end, p.name) for p in periods if p.kind == PeriodKind.KEY_PERIOD),
        )
        out.append((semester, cal))
    return out


def current_calendar() -> rules.Calendar | None:
    """The calendar of the semester today falls in (falling back to the one marked current)."""
    today = clock.today()
    for _semester, cal in calendars(today, today):
        return cal
    current = current_semester()
    if current is None:
        return None
    return next((cal for semester, cal in calendars() if semester.pk == current.pk), None)


# --- compliance ---


def _windows(
    case_opened: date, case_closed: date | None, contacts, cals, date_from=None, date_to=None
) -> list[rules.Window]:
    out: list[rules.Window] = []
    for _semester, cal in cals:
        out += rules.compliance(
            cal, opened_on=case_opened, closed_on=case_closed, contacts=contacts, date_from=date_from, date_to=date_to
        )
    return out


def case_compliance(case: Case, *, date_from: date | None = None, date_to: date | None = None) -> list[rules.Window]:
    """Required windows of ``case`` lying wholly inside date_from..date_to, with their counts."""
    contacts = list(case.contacts.values_list("kind", "local_date"))
    return _windows(case.open_since, case.closed_on, contacts, calendars(date_from, date_to), date_from, date_to)


@dataclass
class CaseStanding:
    """Where a case stands in the current semester: what is overdue, and what is due next."""

    case: Case
    overdue: list[rules.Window]
    due: list[rules.Window]  # windows containing today, not yet met


def standings(cases: Iterable[Case], cal: rules.Calendar | None = None) -> dict[int, CaseStanding]:
    """Compliance for many cases with one contacts query (the current semester's contacts only)."""
    cases = list(cases)
    cal = cal or current_calendar()
    today = clock.today()
    if cal is None or not cases:
        return {c.pk: CaseStanding(c, [], []) for c in cases}
    by_case: dict[int, list[tuple[str, date]]] = defaultdict(list)
    rows = Contact.objects.filter(
        case_id__in=[c.pk for c in cases], local_date__gte=cal.start, local_date__lte=cal.end
    ).values_list("case_id", "kind", "local_date")
    for case_id, kind, day in rows.iterator(chunk_size=5000):
        by_case[case_id].append((kind, day))
    out = {}
    for case in cases:
        windows = rules.compliance(cal, opened_on=case.open_since, closed_on=case.closed_on, contacts=by_case[case.pk])
        due = [w for w in windows if w.start <= today <= w.end and not w.met]
        out[case.pk] = CaseStanding(case, rules.overdue(windows, today), due)
    return out


# --- lists ---


def _with_list_data(qs: QuerySet[Case]) -> QuerySet[Case]:
    current_mentor = Mentorship.objects.current().filter(case=OuterRef("pk"))
    return (
        qs.select_related("student", "student__school_class", "student__college", "student__dorm")
        .prefetch_related(Prefetch("categories", queryset=CategoryEntry.objects.only("id", "case_id", "category")))
        .annotate(
            mentor_name=Subquery(current_mentor.values("mentor__name")[:1]),
            mentor_username=Subquery(current_mentor.values("mentor__username")[:1]),
            mentor_id=Subquery(current_mentor.values("mentor_id")[:1]),
            has_mentor=Exists(current_mentor),
            risk_rank=models.Case(
                When(risk_level="high", then=Value(3)),
                When(risk_level="medium", then=Value(2)),
                default=Value(1),
            ),
        )
    )


def case_search(
    *,
    user,
    status: str = CaseStatus.OPEN,
    category: str = "",
    college: str = "",
    risk_level: str = "",
    school_class: str = "",
    q: str = "",
    no_mentor: bool = False,
    mine: bool = False,
) -> QuerySet[Case]:
    """Cases in ``user``'s scope, filtered. Filters only narrow the policy's queryset."""
    qs = policy.cases_for(user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(categories__category=category)
    if college:
        qs = qs.filter(student__college__name=college)
    if risk_level:
        qs = qs.filter(risk_level=risk_level)
    if school_class:
        qs = qs.filter(student__school_class__name=school_class)
    if q:
        q = q.strip()
        if q.isdigit():
            qs = qs.filter(student__student_no__startswith=q)
        elif q.isascii():
            qs = qs.filter(student__name_initials__startswith=q.lower())
        else:
            qs = qs.filter(student__name__contains=q)
    if mine:
        qs = qs.filter(pk__in=Mentorship.objects.current().filter(mentor=user).values("case_id"))
    qs = _with_list_data(qs)
    if no_mentor:
        qs = qs.filter(has_mentor=False)
    return qs.order_by("-risk_rank", "student__student_no").distinct()


def overdue_for(user) -> list[CaseStanding]:
    """The caller's open cases that have an ended, unmet window in the current semester."""
    cases = list(_with_list_data(policy.cases_for(user).filter(status=CaseStatus.OPEN)).order_by("student__student_no"))
    return [s for s in standings(cases).values() if s.overdue]
