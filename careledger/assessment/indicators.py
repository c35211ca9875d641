"""Assessment (考核) indicators per semester, for the school, each college, counselor and mentor.

Definitions (api.md, Assessment; also shown beside each figure on the dashboard):
- students: active students in the unit; surveyed: those reviewed in the semester's survey;
  survey_coverage = surveyed / students.
- open_cases: cases open on the as-of day (the semester's last day, or today if earlier); a student in
  two categories counts once here and once in each of cases_by_category.
- with_mentor: open cases with a mentor paired on the as-of day; mentor_coverage = with_mentor / open_cases.
- windows_required / windows_met: the contact-frequency windows (contacts/rules.py) of the semester
  that have ended, over the unit's cases; compliance_rate = windows_met / windows_required.
- overdue_cases: open cases with an ended, unmet window.
- escalations: reported during the semester up to the as-of day; ack_minutes_median: the median time
  to acknowledge them (resolve_minutes_median likewise).
- ledger_on_time: a college's ledger submitted by its due date (true), late or missing after the due
  date (false), not yet due (null); for the school, the share of colleges on time.
- closed_improved: cases closed in the semester with improvement; effect_rating_avg: the average
  帮扶效果 rating (1–5) where one was given.
Rates are fractions 0..1, null when the denominator is 0.

Everything is computed from a fixed number of queries (students, reviews, cases, categories, pairings,
contacts, escalations, ledgers, effects), whatever the size of the school.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from careledger.accounts.models import Grant, Role, User
from careledger.cases.categories import Category
from careledger.cases.models import Case, CaseEffect, CategoryEntry, CloseRequest, Mentorship
from careledger.cases.selectors import calendars
from careledger.contacts import rules
from careledger.contacts.models import Contact
from careledger.core import clock
from careledger.core.models import Semester
from careledger.escalations import rules as escalation_rules
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger, LedgerStatus, SurveyReview
from careledger.roster.models import College, Student

LEVELS = ("school", "college", "counselor", "mentor")

DEFINITIONS = {
    "survey_coverage": "摸排覆盖率 = 已摸排学生 / 在册学生",
    "open_cases": "在档人数：统计日在档的学生（一人多类只计一次）",
    "cases_by_category": "各类别在档人数（一人多类在每类各计一次）",
    "mentor_coverage": "结对率 = 已结对导师的在档档案 / 在档档案",
    "compliance_rate": "联系达标率 = 已达标的窗口 / 应达标的窗口（谈心每半月 1 次，下寝室每月 2 次，重点时段 1 次；只计已结束的窗口）",
    "overdue_cases": "逾期档案：有已结束但未达标窗口的在档档案",
    "escalations": "安全隐患上报次数（学期内）",
    "ack_minutes_median": "确认用时中位数（分钟）：从上报到确认",
    "resolve_minutes_median": "处置用时中位数（分钟）：从上报到处置完毕",
    "ledger_on_time": "台账按时上报：截止日前上报为是；逾期或截止后未报为否；未到截止日为空（全校为按时学院的比例）",
    "closed_improved": "学期内撤销建档且帮扶后有改善的档案数",
    "effect_rating_avg": "帮扶效果平均评分（1–5，仅计已评分的档案）",
}


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


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
    cases: dict[int, Case]  # cases open at some point in the semester (up to as_of)
    categories: dict[int, set[str]]
    pairing_on_as_of: dict[int, int]  # case id → mentor id
    mentor_names: dict[int, str]
    windows: dict[int, list[rules.Window]]  # case id → ended windows, counted
    escalations: list[Escalation]
    ledgers: dict[int, Ledger]
    improved: set[int]
    ratings: dict[int, int]


def _aware(day: date, end: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end else day, time())
    return timezone.make_aware(moment)


def load(semester: Semester) -> Data:
    cal = next(c for s, c in calendars() if s.pk == semester.pk)
    today = clock.today()
    as_of = min(cal.end, today)
    students = {
        pk: (college_id, grade, class_id)
        for pk, college_id, grade, class_id in Student.objects.filter(is_active=True).values_list(
            "pk", "college_id", "grade", "school_class_id"
        )
    }
    reviewed = set(SurveyReview.objects.filter(semester=semester).values_list("student_id", flat=True))
    cases = {
        c.pk: c
        for c in Case.objects.filter(opened_on__lte=as_of)
        .exclude(closed_on__lt=cal.start)
        .only("pk", "student_id", "status", "opened_on", "closed_on", "reopened_on")
    }
    categories: dict[int, set[str]] = defaultdict(set)
    for case_id, category in CategoryEntry.objects.filter(case_id__in=cases).values_list("case_id", "category"):
        categories[case_id].add(category)
    as_of_end = _aware(as_of, end=True)
    pairing = {}
    mentor_names = {}
    for case_id, mentor_id, name, username in (
        Mentorship.objects.filter(case_id__in=cases, started_at__lt=as_of_end)
        .exclude(ended_at__lt=as_of_end)
        .values_list("case_id", "mentor_id", "mentor__name", "mentor__username")
    ):
        pairing[case_id] = mentor_id
        mentor_names[mentor_id] = name or username
    contacts: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for case_id, kind, day in Contact.objects.filter(
        case_id__in=cases, local_date__gte=cal.start, local_date__lte=as_of
    ).values_list("case_id", "kind", "local_date"):
        contacts[case_id].append((kind, day))
    windows = _ended_windows(cal, cases.values(), contacts, today)
    escalations = list(
        Escalation.objects.filter(case_id__in=cases, created_at__gte=_aware(cal.start), created_at__lt=as_of_end).only(
            "pk", "case_id", "created_at", "acknowledged_at", "resolved_at"
        )
    )
    ledgers = {x.college_id: x for x in Ledger.objects.filter(semester=semester)}
    improved = set(
        CloseRequest.objects.filter(
            case_id__in=cases,
            status="approved",
            improved=True,
            decided_at__gte=_aware(cal.start),
            decided_at__lt=as_of_end,
        ).values_list("case_id", flat=True)
    )
    ratings = dict(CaseEffect.objects.filter(semester=semester, rating__isnull=False).values_list("case_id", "rating"))
    return Data(
        semester, cal, as_of, today, students, reviewed, cases, categories, pairing, mentor_names, windows,
        escalations, ledgers, improved, ratings,
    )  # fmt: skip


def _ended_windows(cal, cases, contacts, today) -> dict[int, list[rules.Window]]:
    """Ended windows per case, counted. Cases sharing an open span share the required windows."""
    required: dict[tuple, list[rules.Window]] = {}
    out = {}
    for case in cases:
        span = (case.open_since, case.closed_on)
        if span not in required:
            try:
                required[span] = [
                    w for w in rules.required_windows(cal, opened_on=span[0], closed_on=span[1]) if w.ended(today)
                ]
            except ValueError:  # closed before (re)opened in a later semester: nothing required here
                required[span] = []
        out[case.pk] = _count(required[span], contacts.get(case.pk, []))
    return out


def _count(windows: list[rules.Window], contacts: list[tuple[str, date]]) -> list[rules.Window]:
    if not windows:
        return []
    talks = sorted(d for k, d in contacts if k == "talk")
    visits = sorted(d for k, d in contacts if k == "dorm_visit")
    counted = []
    for w in windows:
        dates = visits if w.rule == rules.Rule.DORM_VISIT else talks
        done = bisect_right(dates, w.end) - bisect_left(dates, w.start)
        counted.append(rules.Window(w.rule, w.start, w.end, w.required, done))
    return counted


def _is_open_on(case: Case, day: date) -> bool:
    return case.opened_on <= day and (case.closed_on is None or case.closed_on > day)


def row(data: Data, unit: Unit) -> dict:
    students = [s for s in unit.student_ids if s in data.students]
    surveyed = sum(1 for s in students if s in data.reviewed)
    cases = [data.cases[c] for c in unit.case_ids if c in data.cases]
    open_cases = [c for c in cases if _is_open_on(c, data.as_of)]
    by_category = {code: 0 for code in Category.values}
    for c in open_cases:
        for code in data.categories.get(c.pk, ()):
            by_category[code] += 1
    with_mentor = sum(1 for c in open_cases if c.pk in data.pairing_on_as_of)
    required = met = 0
    overdue = 0
    for c in cases:
        windows = data.windows.get(c.pk, [])
        required += len(windows)
        unmet = sum(1 for w in windows if not w.met)
        met += len(windows) - unmet
        if unmet and _is_open_on(c, data.as_of):
            overdue += 1
    case_set = {c.pk for c in cases}
    escalations = [e for e in data.escalations if e.case_id in case_set]
    acked = [e.acknowledged_at - e.created_at for e in escalations if e.acknowledged_at]
    resolved = [e.resolved_at - e.created_at for e in escalations if e.resolved_at]
    ratings = [data.ratings[c] for c in case_set if c in data.ratings]
    return {
        "unit": {"level": unit.level, "id": unit.id, "name": unit.name},
        "students": len(students),
        "surveyed": surveyed,
        "survey_coverage": _rate(surveyed, len(students)),
        "open_cases": len(open_cases),
        "cases_by_category": by_category,
        "with_mentor": with_mentor,
        "mentor_coverage": _rate(with_mentor, len(open_cases)),
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
    }


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
    return {pk for pk, c in data.cases.items() if c.student_id in student_ids}


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
    units = []
    for user_id in sorted(scopes, key=lambda u: names[u]):
        ids = {
            pk
            for pk, (college_id, grade, class_id) in data.students.items()
            if any(
                college_id == c and (grade in grades or class_id in classes) for c, grades, classes in scopes[user_id]
            )
        }
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
