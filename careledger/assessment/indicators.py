"""Assessment (考核) indicators per semester, for the school, each college, counselor and mentor.

Definitions (api.md, Assessment; also shown beside each figure on the dashboard):
- students: active students in the unit; surveyed: those reviewed in the semester's survey;
  survey_coverage = surveyed / students.
- open_cases: cases open on the as-of day (the semester's last day, or today if earlier); a student in
  two categories counts once here and once in each of cases_by_category.
- cases_by_risk: the open cases by their risk level (低/中/高) on the as-of day — the level a later
  change replaced (from the case's timeline), else the case's level now.
- with_mentor: open cases with a mentor paired on the as-of day; mentor_coverage = with_mentor / open_cases.
- windows_required / windows_met: the contact-frequency windows (contacts/rules.py: due days over every
  open period, 在校 days only) of the semester that have ended, over the unit's cases, read from the
  maintained compliance table; compliance_rate = windows_met / windows_required.
- overdue_cases: open cases with an ended, unmet window.
- escalations: reported during the semester up to the as-of day; ack_minutes_median: the median time
  to acknowledge them (resolve_minutes_median likewise).
- ledger_on_time: a college's ledger submitted by its due date (true), late or missing after the due
  date (false), not yet due (null); for the school, the share of colleges on time.
- closed_improved: cases closed in the semester with improvement; effect_rating_avg: the average
  帮扶效果 rating (1–5) where one was given.
Rates are fractions 0..1, null when the denominator is 0.

Everything is computed from a fixed number of queries (calendar, students, cases, categories, risk
changes, pairings, reviews, compliance windows, escalations, ledgers, closures, effects), whatever the
size of the school. The other queries filter on the semester's cases as a subquery, so no list of ids
travels to the database; the database counts each case's ended and met windows in the maintained
compliance table (one row per case; no contact is read). ``load_many`` gives the case counts of several semesters from the four case queries run
once over their whole span. Students are indexed once (by college and grade, by class, by case) so
that building every unit is linear in the school's size, not in units × students.

bench/dashboard.py times it on a 40,000-student school with 6,000 open cases.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils import timezone

from careledger.accounts.models import Grant, Role, User
from careledger.cases.categories import Category
from careledger.cases.models import Case, CaseEffect, CaseEvent, CategoryEntry, CloseRequest, Mentorship, RiskLevel
from careledger.cases.selectors import calendars
from careledger.contacts import rules
from careledger.contacts.models import ComplianceWindow
from careledger.core import clock
from careledger.core.models import Semester
from careledger.escalations import rules as escalation_rules
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger, LedgerStatus, SurveyReview
from careledger.roster.models import College, Student

LEVELS = ("school", "college", "counselor", "mentor")

DEFINITIONS = {
    "students": "在册学生：统计范围内在册的学生人数",
    "survey_coverage": "摸排覆盖率 = 已摸排学生 / 在册学生",
    "open_cases": "在档人数：统计日在档的学生（一人多类只计一次）",
    "cases_by_category": "各类别在档人数（一人多类在每类各计一次）",
    "cases_by_risk": "各风险等级在档人数（低/中/高，按统计日的风险等级）",
    "mentor_coverage": "导师结对覆盖率 = 已结对导师的在档档案 / 在档档案",
    "compliance_rate": "联系达标率 = 已达标的窗口 / 应达标的窗口（按应联系日计：谈心每半月 1 次，下寝室每月非假期应联系日 16 天以上 2 次、8–15 天 1 次，重点时段 1 次；只计已结束的窗口）",
    "overdue_cases": "逾期档案：有已结束但未达标窗口的在档档案",
    "escalations": "安全隐患上报次数（学期内）",
    "ack_minutes_median": "确认用时中位数（分钟）：从上报到确认",
    "resolve_minutes_median": "处置用时中位数（分钟）：从上报到处置完毕",
    "ledger_on_time": "台账按时上报：截止日前上报为是；逾期或截止后未报为否；未到截止日为空（全校为按时学院的比例）",
    "closed_improved": "学期内撤销建档且帮扶后有改善的档案数",
    "effect_rating_avg": "帮扶效果平均评分（1–5，仅计已评分的档案）",
    "suggestions_pending": "待确认的建档建议（来自心理普查与各部门名单）",
    "suggestions_confirmed": "已确认建档的建议",
    "suggestions_declined": "已排除的建议（附理由）",
}


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


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
class Unit:
    level: str
    id: int | None
    name: str
    student_ids: set[int] = field(default_factory=set)
    case_ids: set[int] = field(default_factory=set)
    college_id: int | None = None


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
        for pk, college_id, grade, class_id in Student.objects.filter(is_active=True).values_list(
            "pk", "college_id", "grade", "school_class_id"
        )
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
    data.windows = _window_counts(semester, case_ids, today)
    data.escalations = list(
        Escalation.objects.filter(
            case_id__in=case_ids, created_at__gte=_aware(cal.start), created_at__lt=as_of_end
        ).only("pk", "case_id", "created_at", "acknowledged_at", "resolved_at")
    )
    # Not the frozen snapshot: it holds every row of the college's ledger.
    data.ledgers = {
        x.college_id: x
        for x in Ledger.objects.filter(semester=semester).only("pk", "college_id", "status", "submitted_at", "late")
    }
    data.improved = set(
        CloseRequest.objects.filter(
            case_id__in=case_ids,
            status="approved",
            improved=True,
            decided_at__gte=_aware(cal.start),
            decided_at__lt=as_of_end,
        ).values_list("case_id", flat=True)
    )
    data.ratings = dict(
        CaseEffect.objects.filter(semester=semester, rating__isnull=False).values_list("case_id", "rating")
    )
    return data


def _suggestion_counts(semester: Semester) -> dict[int, dict[str, int]]:
    from careledger.evidence.models import Suggestion

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
    for case_id, category in CategoryEntry.objects.filter(case_id__in=case_ids).values_list("case_id", "category"):
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


def _window_counts(semester: Semester, case_ids, today: date) -> dict[int, tuple[int, int]]:
    """(ended windows required, of which met) per case, from the maintained compliance table
    (contacts/compliance.py, the rules of contacts/rules.py over every open period): one aggregate query,
    one row per case, whatever the number of contacts."""
    rows = (
        ComplianceWindow.objects.filter(semester=semester, case_id__in=case_ids, end__lt=today)
        .order_by()
        .values("case_id")
        .annotate(required=Count("pk"), met=Count("pk", filter=Q(met=True)))
        .values_list("case_id", "required", "met")
    )
    return {case_id: (required, met) for case_id, required, met in rows}


def _is_open_on(case: CaseRow, day: date) -> bool:
    return case.opened_on <= day and (case.closed_on is None or case.closed_on > day)


def row(data: Data, unit: Unit) -> dict:
    """The unit's figures (api.md). From a ``cases_only`` Data, only the case counts; the rest are None."""
    students = [s for s in unit.student_ids if s in data.students]
    cases = [data.cases[c] for c in unit.case_ids if c in data.cases]
    open_cases = [c for c in cases if _is_open_on(c, data.as_of)]
    by_category = {code: 0 for code in Category.values}
    by_risk = {code: 0 for code in RiskLevel.values}
    for c in open_cases:
        for code in data.categories.get(c.pk, ()):
            by_category[code] += 1
        level = data.risk.get(c.pk, c.risk_level)
        if level in by_risk:
            by_risk[level] += 1
    with_mentor = sum(1 for c in open_cases if c.pk in data.pairing_on_as_of)
    out = {
        "unit": {"level": unit.level, "id": unit.id, "name": unit.name},
        "students": len(students),
        "surveyed": None,
        "survey_coverage": None,
        "open_cases": len(open_cases),
        "cases_by_category": by_category,
        "cases_by_risk": by_risk,
        "with_mentor": with_mentor,
        "mentor_coverage": _rate(with_mentor, len(open_cases)),
        "windows_required": None,
        "windows_met": None,
        "compliance_rate": None,
        "overdue_cases": None,
        "escalations": None,
        "ack_minutes_median": None,
        "resolve_minutes_median": None,
        "ledger_on_time": None,
        "closed_improved": None,
        "effect_rating_avg": None,
        "suggestions_pending": None,
        "suggestions_confirmed": None,
        "suggestions_declined": None,
    }
    if not data.complete:
        return out
    surveyed = sum(1 for s in students if s in data.reviewed)
    required = met = overdue = 0
    for c in cases:
        case_required, case_met = data.windows.get(c.pk, (0, 0))
        required += case_required
        met += case_met
        if case_met < case_required and _is_open_on(c, data.as_of):
            overdue += 1
    case_set = {c.pk for c in cases}
    escalations = [e for e in data.escalations if e.case_id in case_set]
    acked = [e.acknowledged_at - e.created_at for e in escalations if e.acknowledged_at]
    resolved = [e.resolved_at - e.created_at for e in escalations if e.resolved_at]
    ratings = [data.ratings[c] for c in case_set if c in data.ratings]
    out.update(
        {
            "surveyed": surveyed,
            "survey_coverage": _rate(surveyed, len(students)),
            "windows_required": required,
            "windows_met": met,
            "compliance_rate": _rate(met, required),
            "overdue_cases": overdue,
            "escalations": len(escalations),
            "ack_minutes_median": escalation_rules.median_minutes(acked),
            "resolve_minutes_median": escalation_rules.median_minutes(resolved),
            "ledger_on_time": _ledger_on_time(data, unit),
            "closed_improved": len(case_set & data.improved),
            "effect_rating_avg": round(sum(ratings) / len(ratings), 2) if ratings else None,
            **{
                f"suggestions_{status}": sum(data.suggestions.get(s, {}).get(status, 0) for s in students)
                for status in ("pending", "confirmed", "declined")
            },
        }
    )
    return out


def _college_on_time(data: Data, college_id: int) -> bool | None:
    ledger = data.ledgers.get(college_id)
    if ledger is not None and ledger.submitted_at is not None and ledger.status != LedgerStatus.DRAFT:
        return not ledger.late
    return False if data.today > data.semester.ledger_due else None


def _ledger_on_time(data: Data, unit: Unit) -> bool | float | None:
    if unit.level == "college":
        return _college_on_time(data, unit.id)
    if unit.level == "school":
        verdicts = [
            v
            for v in (_college_on_time(data, c) for c in College.objects.values_list("pk", flat=True))
            if v is not None
        ]
        return _rate(sum(verdicts), len(verdicts))
    return None


# --- units ---


def _cases_of_students(data: Data, student_ids: set[int]) -> set[int]:
    by_student = data.cases_by_student
    if not by_student and data.cases:  # a Data built without the index
        return {pk for pk, c in data.cases.items() if c.student_id in student_ids}
    return {pk for s in student_ids for pk in by_student.get(s, ())}


def school_unit(data: Data, name: str) -> Unit:
    return Unit("school", None, name, set(data.students), set(data.cases))


def college_units(data: Data, college_ids: list[int] | None = None) -> list[Unit]:
    colleges = College.objects.order_by("name")
    if college_ids is not None:
        colleges = colleges.filter(pk__in=college_ids)
    by_college: dict[int, set[int]] = defaultdict(set)
    for pk, (college_id, _grade, _class) in data.students.items():
        by_college[college_id].add(pk)
    student_college = {pk: v[0] for pk, v in data.students.items()}
    cases_by_college: dict[int, set[int]] = defaultdict(set)
    for pk, case in data.cases.items():
        college_id = student_college.get(case.student_id)
        if college_id is not None:
            cases_by_college[college_id].add(pk)
    return [
        Unit("college", c.pk, c.name, by_college.get(c.pk, set()), cases_by_college.get(c.pk, set()), c.pk)
        for c in colleges
    ]


def counselor_units(data: Data, user_ids: list[int] | None = None) -> list[Unit]:
    """Each counselor's students: their grants' colleges, grades and classes."""
    grants = (
        Grant.objects.filter(role=Role.COUNSELOR, user__is_active=True)
        .select_related("user")
        .prefetch_related("classes")
    )
    if user_ids is not None:
        grants = grants.filter(user_id__in=user_ids)
    scopes: dict[int, list[tuple[int, set[str], set[int]]]] = defaultdict(list)
    names: dict[int, str] = {}
    for g in grants:
        scopes[g.user_id].append((g.college_id, set(g.grades), {c.pk for c in g.classes.all()}))
        names[g.user_id] = g.user.name or g.user.username
    # Students indexed once by (college, grade) and by class: each counselor's set is a union of buckets.
    by_grade: dict[tuple[int, str], set[int]] = defaultdict(set)
    by_class: dict[tuple[int, int], set[int]] = defaultdict(set)
    for pk, (college_id, grade, class_id) in data.students.items():
        by_grade[(college_id, grade)].add(pk)
        by_class[(college_id, class_id)].add(pk)
    units = []
    for user_id in sorted(scopes, key=lambda u: names[u]):
        ids: set[int] = set()
        for college_id, grades, classes in scopes[user_id]:
            for grade in grades:
                ids |= by_grade.get((college_id, grade), set())
            for class_id in classes:
                ids |= by_class.get((college_id, class_id), set())
        units.append(Unit("counselor", user_id, names[user_id], ids, _cases_of_students(data, ids)))
    return units


def mentor_units(data: Data, user_ids: list[int] | None = None) -> list[Unit]:
    """Each mentor's cases as paired on the as-of day."""
    by_mentor: dict[int, set[int]] = defaultdict(set)
    for case_id, mentor_id in data.pairing_on_as_of.items():
        if user_ids is None or mentor_id in user_ids:
            by_mentor[mentor_id].add(case_id)
    if user_ids is not None:
        for user_id, name in User.objects.filter(pk__in=user_ids).values_list("pk", "name"):
            data.mentor_names.setdefault(user_id, name)
            by_mentor.setdefault(user_id, set())
    return [
        Unit("mentor", m, data.mentor_names.get(m, ""), {data.cases[c].student_id for c in cases}, cases)
        for m, cases in sorted(by_mentor.items(), key=lambda kv: data.mentor_names.get(kv[0], ""))
    ]
