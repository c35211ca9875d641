"""Loading a semester's data for the indicators, in a fixed number of queries (calendar, students, cases,
categories, risk changes, pairings, reviews, compliance windows, escalations, ledgers, closures,
effects), whatever the size of the school. The other queries filter on the semester's cases as a
subquery, so no list of ids travels to the database; the database counts each case's ended and met
windows in the maintained compliance table (one row per case; no contact is read). ``load_many`` gives
the case counts of several semesters from the four case queries run once over their whole span."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils import timezone

from careledger.cases.models import Case, CaseEffect, CaseEvent, CategoryEntry, CloseRequest, Mentorship, RiskLevel
from careledger.cases.selectors import calendars
from careledger.contacts import rules
from careledger.contacts.models import ComplianceWindow
from careledger.core import clock
from careledger.core.models import Semester
from careledger.escalations.models import Escalation
from careledger.evidence.models import Suggestion
from careledger.ledgers.models import Ledger, SurveyReview
from careledger.roster.models import Student


class CaseRow(NamedTuple):
    """The fields of a case the indicators read (a tuple: thousands are loaded per semester)."""

    pk: int
    student_id: int
    status: str
    opened_on: date
    closed_on: date | None
    reopened_on: date | None
    risk_level: str

    @property
    def open_since(self) -> date:
        return self.reopened_on or self.opened_on


@dataclass
class Data:
    """Everything the indicators need, loaded once."""

    semester: Semester
    calendar: rules.Calendar
    as_of: date
    today: date
    students: dict[int, tuple[int, str, int]]  # id → (college_id, grade, class_id); active only
    reviewed: set[int]
    cases: dict[int, CaseRow]  # cases open at some point in the semester (up to as_of)
    categories: dict[int, set[str]]
    pairing_on_as_of: dict[int, int]  # case id → mentor id
    mentor_names: dict[int, str]
    windows: dict[int, tuple[int, int]]  # case id → (ended windows required, of which met)
    escalations: list[Escalation]
    ledgers: dict[int, Ledger]
    improved: set[int]
    ratings: dict[int, int]
    risk: dict[int, str] = field(default_factory=dict)  # case id → risk level on the as-of day
    cases_by_student: dict[int, list[int]] = field(default_factory=dict)
    # evidence (issue 16): student id → {"pending": n, "confirmed": n, "declined": n} for the semester
    suggestions: dict[int, dict[str, int]] = field(default_factory=dict)
    # False when loaded with cases_only=True: only the case counts are known, the rest read None.
    complete: bool = True


def _aware(day: date, end: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end else day, time())
    return timezone.make_aware(moment)


def load_students() -> dict[int, tuple[int, str, int]]:
    """Active students: id → (college_id, grade, class_id). The roster as it is now, for every semester."""
    return {
        pk: (college_id, grade, class_id)
        for pk, college_id, grade, class_id in Student.objects.filter(is_active=True)
        .order_by()
        .values_list("pk", "college_id", "grade", "school_class_id")
    }


def load(
    semester: Semester,
    *,
    cases_only: bool = False,
    students: dict[int, tuple[int, str, int]] | None = None,
    calendar: rules.Calendar | None = None,
) -> Data:
    """The semester's data, in a fixed number of queries.

    ``cases_only=True`` loads the cases, their categories, risk and mentors only (no contacts, reviews
    or escalations): ``row`` then gives the case counts and None for the rest. ``students`` (from
    ``load_students``) and ``calendar`` save their queries when the caller has them.
    """
    cal = calendar or next(c for s, c in calendars() if s.pk == semester.pk)
    (data,) = load_many([(semester, cal)], students=load_students() if students is None else students)
    if cases_only:
        return data
    data.complete = True
    today, as_of_end = data.today, _aware(data.as_of, end=True)
    case_ids = _in_span(cal.start, data.as_of).values("pk")  # a subquery: no list of ids travels
    data.reviewed = set(SurveyReview.objects.filter(semester=semester).values_list("student_id", flat=True))
    data.suggestions = _suggestion_counts(semester)
    # A survey is not complete while an evidence suggestion is pending (issue 16).
    data.reviewed -= {s for s, counts in data.suggestions.items() if counts.get("pending")}
    data.windows = {pk: n for pk, n in _window_counts(semester, today).items() if pk in data.cases}
    data.escalations = list(
        Escalation.objects.filter(case_id__in=case_ids, created_at__gte=_aware(cal.start), created_at__lt=as_of_end)
        .order_by()
        .only("pk", "case_id", "created_at", "acknowledged_at", "resolved_at")
    )
    # Not the frozen snapshot: it holds every row of the college's ledger.
    data.ledgers = {
        x.college_id: x
        for x in Ledger.objects.filter(semester=semester)
        .order_by()
        .only("pk", "college_id", "status", "submitted_at", "late")
    }
    data.improved = set(
        CloseRequest.objects.filter(
            case_id__in=case_ids,
            status="approved",
            improved=True,
            decided_at__gte=_aware(cal.start),
            decided_at__lt=as_of_end,
        )
        .order_by()
        .values_list("case_id", flat=True)
    )
    data.ratings = dict(
        CaseEffect.objects.filter(semester=semester, rating__isnull=False).values_list("case_id", "rating")
    )
    return data


def _suggestion_counts(semester: Semester) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for student_id, status, n in (
        Suggestion.objects.filter(semester=semester)
        .values("student_id", "status")
        .annotate(n=Count("pk"))
        .values_list("student_id", "status", "n")
    ):
        out[student_id][status] = n
    return dict(out)


def _in_span(start: date, as_of: date):
    """Cases open at some point from ``start`` to ``as_of``."""
    return Case.objects.filter(opened_on__lte=as_of).exclude(closed_on__lt=start)


def load_many(
    semesters: list[tuple[Semester, rules.Calendar]], *, students: dict[int, tuple[int, str, int]]
) -> list[Data]:
    """The case counts of several semesters (each a ``cases_only`` Data) from four queries in all —
    cases, categories, risk changes, pairings — over the span the semesters cover, each semester then
    cut out of them in memory: the trend over six semesters costs the queries of one."""
    if not semesters:
        return []
    today = clock.today()
    spans = [(semester, cal, min(cal.end, today)) for semester, cal in semesters]
    first = min(cal.start for _s, cal, _a in spans)
    last = max(as_of for _s, _c, as_of in spans)
    earliest_end = _aware(min(as_of for _s, _c, as_of in spans), end=True)
    in_span = _in_span(first, last)
    case_ids = in_span.values("pk")
    everything = [CaseRow(*row) for row in in_span.order_by().values_list(*CaseRow._fields)]
    categories: dict[int, set[str]] = defaultdict(set)
    for case_id, category in (
        CategoryEntry.objects.filter(case_id__in=case_ids).order_by().values_list("case_id", "category")
    ):
        categories[case_id].add(category)
    changes = _risk_changes(case_ids, earliest_end)
    pairings = list(
        Mentorship.objects.filter(case_id__in=case_ids, started_at__lt=_aware(last, end=True))
        .exclude(ended_at__lt=earliest_end)
        .order_by("started_at", "pk")
        .values_list("case_id", "mentor_id", "started_at", "ended_at", "mentor__name", "mentor__username")
    )
    out = []
    for semester, cal, as_of in spans:
        as_of_end = _aware(as_of, end=True)
        cases = {c.pk: c for c in everything if c.opened_on <= as_of and not (c.closed_on and c.closed_on < cal.start)}
        cases_by_student: dict[int, list[int]] = defaultdict(list)
        for c in cases.values():
            cases_by_student[c.student_id].append(c.pk)
        pairing, mentor_names = {}, {}
        for case_id, mentor_id, started_at, ended_at, name, username in pairings:
            if case_id in cases and started_at < as_of_end and (ended_at is None or ended_at >= as_of_end):
                pairing[case_id] = mentor_id  # the latest pairing started by then
                mentor_names[mentor_id] = name or username
        risk = {pk: _risk_at(changes.get(pk), as_of_end, c.risk_level) for pk, c in cases.items()}
        out.append(
            Data(
                semester=semester,
                calendar=cal,
                as_of=as_of,
                today=today,
                students=students,
                reviewed=set(),
                cases=cases,
                categories={pk: categories[pk] for pk in cases if pk in categories},
                pairing_on_as_of=pairing,
                mentor_names=mentor_names,
                windows={},
                escalations=[],
                ledgers={},
                improved=set(),
                ratings={},
                risk=risk,
                cases_by_student=dict(cases_by_student),
                complete=False,
            )
        )
    return out


def _risk_changes(case_ids, since: datetime) -> dict[int, list[tuple[datetime, str]]]:
    """Per case, its risk changes from ``since`` on as (when, the level it replaced), oldest first."""
    out: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for case_id, at, changes in (
        CaseEvent.objects.filter(case_id__in=case_ids, kind=CaseEvent.Kind.UPDATED, at__gte=since)
        .order_by("at", "id")
        .values_list("case_id", "at", "changes")
    ):
        for change in changes or ():
            if change.get("field") == "risk_level" and change.get("old") in RiskLevel.values:
                out[case_id].append((at, change["old"]))
                break
    return out


def _risk_at(changes: list[tuple[datetime, str]] | None, moment: datetime, now: str) -> str:
    """The risk level at ``moment``: the level the first change after it replaced, else the level now
    (the case timeline keeps every change with old → new)."""
    for at, old in changes or ():
        if at >= moment:
            return old
    return now


def _window_counts(semester: Semester, today: date) -> dict[int, tuple[int, int]]:
    """(ended windows required, of which met) per case of ``semester``, from the maintained compliance table
    (contacts/compliance.py, the rules of contacts/rules.py over every open period): one aggregate query,
    one row per case, whatever the number of contacts. It reads the covering index (semester, case, end,
    met) alone — no join with the cases, no other semester's windows; ``load`` keeps the cases it counts."""
    rows = (
        ComplianceWindow.objects.filter(semester=semester, end__lt=today)
        .order_by()
        .values("case_id")
        .annotate(required=Count("pk"), met=Count("pk", filter=Q(met=True)))
        .values_list("case_id", "required", "met")
    )
    return {case_id: (required, met) for case_id, required, met in rows}
