"""Reads of cases, always through the policy's scoped querysets; compliance from the maintained table."""

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Value, When

from careledger.accounts import policy
from careledger.cases.models import Case, CaseStatus, CategoryEntry, Mentorship
from careledger.contacts import compliance, rules
from careledger.contacts.models import ComplianceWindow
from careledger.core import clock
from careledger.core.models import PeriodKind, Semester, SemesterPeriod

# --- semesters as calendars ---


def current_semester() -> Semester | None:
    """The semester whose dates hold today (Semester.objects.current(), with its periods)."""
    return Semester.objects.prefetch_related("periods").current()


def calendars(date_from: date | None = None, date_to: date | None = None) -> list[tuple[Semester, rules.Calendar]]:
    """Every semester overlapping date_from..date_to, as the rules see it (two queries)."""
    return [
        (semester, cal)
        for semester, cal in compliance.semester_calendars()
        if not ((date_to and cal.start > date_to) or (date_from and cal.end < date_from))
    ]


def _calendar(semester: Semester, end: date) -> rules.Calendar:
    periods = list(semester.periods.all())
    return rules.Calendar(
        start=semester.start,
        end=end,
        holidays=tuple(rules.Period(p.start, p.end, p.name) for p in periods if p.kind == PeriodKind.HOLIDAY),
        key_periods=tuple(rules.Period(p.start, p.end, p.name) for p in periods if p.kind == PeriodKind.KEY_PERIOD),
    )


def current_calendar() -> rules.Calendar | None:
    """The calendar of the current semester (Semester.objects.current()), or None (two queries)."""
    current = current_semester()
    if current is None:
        return None
    return _calendar(current, current.effective_end(current.next_start))


# --- compliance, read from the maintained table (contacts/compliance.py) ---

_RULE_ORDER = {rule: i for i, rule in enumerate(rules.Rule)}


def _sorted(windows: Iterable[rules.Window]) -> list[rules.Window]:
    return sorted(windows, key=lambda w: (w.start, _RULE_ORDER[w.rule], w.end))


def case_compliance(case: Case, *, date_from: date | None = None, date_to: date | None = None) -> list[rules.Window]:
    """Required windows of ``case`` lying wholly inside date_from..date_to, with their counts (one query)."""
    qs = ComplianceWindow.objects.filter(case=case).order_by()
    if date_from is not None:
        qs = qs.filter(start__gte=date_from)
    if date_to is not None:
        qs = qs.filter(end__lte=date_to)
    rows = list(qs)
    # A key period's window carries the period's name (考前, 放假前后, 开学初) for display (one query).
    names = {
        (p.semester_id, p.start, p.end): p.name
        for p in SemesterPeriod.objects.filter(
            kind=PeriodKind.KEY_PERIOD, semester_id__in={w.semester_id for w in rows if w.rule == rules.Rule.KEY_PERIOD}
        )
    }
    return _sorted(
        dataclasses.replace(w.as_window(), name=names.get((w.semester_id, w.start, w.end), "")) for w in rows
    )


@dataclass
class CaseStanding:
    """Where a case stands in the current semester: what is overdue, what is due now, what it owes next."""

    case: Case
    overdue: list[rules.Window]
    due: list[rules.Window]  # windows containing today, not yet met
    next: rules.Window | None = None  # the unmet window not yet ended that ends first


def _in_semester(cal: rules.Calendar) -> models.Q:
    return models.Q(start__gte=cal.start, end__lte=cal.end)


def _windows_by_case(windows: QuerySet[ComplianceWindow]) -> defaultdict[int, list[rules.Window]]:
    """The maintained windows as the rules' Window, per case: plain rows, no model instance per window."""
    out: defaultdict[int, list[rules.Window]] = defaultdict(list)
    rows = windows.order_by().values_list("case_id", "rule", "start", "end", "required", "done")
    for case_id, rule, start, end, required, done in rows:
        out[case_id].append(rules.Window(rules.Rule(rule), start, end, required, done))
    return out


def standings(cases: Iterable[Case], cal: rules.Calendar | None = None) -> dict[int, CaseStanding]:
    """Compliance of many cases in the current semester from one query on the maintained table (their
    unmet windows only: a page of cases costs a page of rows, whatever the number of contacts)."""
    cases = list(cases)
    cal = cal or current_calendar()
    today = clock.today()
    if cal is None or not cases:
        return {c.pk: CaseStanding(c, [], []) for c in cases}
    unmet = _windows_by_case(
        ComplianceWindow.objects.filter(_in_semester(cal), case_id__in=[c.pk for c in cases], met=False)
    )
    out = {}
    for case in cases:
        windows = _sorted(unmet[case.pk])
        due = [w for w in windows if w.start <= today <= w.end]
        out[case.pk] = CaseStanding(case, rules.overdue(windows, today), due, rules.next_due(windows, today))
    return out


def overdue_exists(cal: rules.Calendar | None = None) -> Exists | None:
    """An `Exists` for case querysets: the case has an ended, unmet window in the current semester."""
    cal = cal or current_calendar()
    if cal is None:
        return None
    return Exists(
        ComplianceWindow.objects.filter(_in_semester(cal), case=OuterRef("pk"), met=False, end__lt=clock.today())
    )


def only_overdue(qs: QuerySet[Case], cal: rules.Calendar | None = None) -> QuerySet[Case]:
    """Narrow a case queryset to the cases with an ended, unmet window in the current semester (SQL only)."""
    exists = overdue_exists(cal)
    return qs.none() if exists is None else qs.filter(exists)


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


def first_rows(qs: QuerySet[Case], n: int) -> list[Case]:
    """The first ``n`` cases of a listed queryset, in its order: their ids by a narrow query first, then the
    full rows (annotations, joins) of those ids only — so a short list costs its rows, not the whole scope's
    (perf, issue 13: without it PostgreSQL computes every row's mentor subqueries before the DISTINCT)."""
    ids = list(qs.values_list("pk", flat=True)[:n])
    found = {c.pk: c for c in qs.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def overdue_for(user) -> list[CaseStanding]:
    """The caller's open cases that have an ended, unmet window in the current semester, with those windows
    (only: the list shows nothing else); each case carries only its student's 学号 and name (nothing encrypted
    is read or decrypted). One query for the cases and one for their ended, unmet windows."""
    cal = current_calendar()
    if cal is None:
        return []
    today = clock.today()
    qs = only_overdue(policy.cases_for(user).filter(status=CaseStatus.OPEN), cal)
    shown = ("id", "student_id", "student__id", "student__student_no", "student__name")
    cases = list(qs.select_related("student").only(*shown).order_by("student__student_no"))
    ended = _windows_by_case(
        ComplianceWindow.objects.filter(
            _in_semester(cal), case_id__in=qs.order_by().values("pk"), met=False, end__lt=today
        )
    )
    return [CaseStanding(c, _sorted(ended[c.pk]), []) for c in cases if ended[c.pk]]
