"""Assessment reads, always given the user.

Who sees which units (api.md): school_admin everything; college_admin their college and its people;
counselor themself and the mentors of the cases in their scope; mentor themself. The pages (dashboard,
ranking, exports) and GET /api/v1/assessment/ all go through ``visible_units``. The cadre list follows
the policy's ``students_for``: school_admin all cadres, college_admin their college's, counselor theirs.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role
from careledger.assessment import indicators as ind
from careledger.assessment import rules
from careledger.cases.models import Helper, HelperActivity, HelperRole
from careledger.cases.selectors import calendars
from careledger.core.models import Semester
from careledger.roster.models import Student


def _admin_colleges(user) -> list[int]:
    return list(policy.administered_colleges(user).values_list("pk", flat=True))


def visible_units(user, data: ind.Data, level: str) -> list[ind.Unit]:
    school = policy.is_school_admin(user)
    colleges = None if school else _admin_colleges(user)
    if level == "school":
        return [ind.school_unit(data, settings.SCHOOL_NAME)] if school else []
    if level == "college":
        return ind.college_units(data, None if school else colleges) if school or colleges else []
    if level == "counselor":
        if school:
            return ind.counselor_units(data)
        ids = policy.assessed_counselor_ids(user, colleges or [], _counselors_of) or set()
        return ind.counselor_units(data, sorted(ids)) if ids else []
    if level == "mentor":
        if school:
            return ind.mentor_units(data)
        in_scope = set(policy.cases_for(user).values_list("pk", flat=True))
        mentor_ids = policy.assessed_mentor_ids(user, {m for c, m in data.pairing_on_as_of.items() if c in in_scope})
        units = ind.mentor_units(data, sorted(mentor_ids)) if mentor_ids else []
        for unit in units:  # only the cases the caller may see count in what they are shown
            unit.case_ids &= in_scope
            unit.student_ids = {data.cases[c].student_id for c in unit.case_ids}
        return units
    raise ValueError(level)


def assessment(user, semester: Semester, level: str) -> list[dict]:
    if level not in ind.LEVELS:
        raise ValueError(level)
    if not _may_see_level(user, level):
        return []
    data = ind.load(semester)
    return [ind.row(data, unit) for unit in visible_units(user, data, level)]


def _may_see_level(user, level: str) -> bool:
    return policy.can_see_assessment_level(user, level)


def _counselors_of(college_ids: list[int]) -> list[int]:
    return list(Grant.objects.filter(role=Role.COUNSELOR, college_id__in=college_ids).values_list("user_id", flat=True))


# --- the pages: dashboard, ranking, cadres ---


def levels_for(user) -> list[str]:
    """The levels the user may look at, top first (school_admin: all four; a mentor: their own)."""
    return [level for level in ind.LEVELS if _may_see_level(user, level)]


def semesters_for_trend(semester: Semester, count: int) -> list[Semester]:
    """Up to ``count`` semesters ending with ``semester``, oldest first."""
    earlier = Semester.objects.filter(start__lte=semester.start).order_by("-start")[:count]
    return list(reversed(earlier))


@dataclass
class Dashboard:
    semester: Semester
    data: ind.Data
    levels: list[str]  # the levels the user may see, top first
    level: str  # the level of the table and the charts
    headline: dict | None  # the user's own unit at their top level (the KPI cards)
    rows: list[dict]  # one per unit of ``level``
    trend: list[tuple[Semester, dict]] = field(default_factory=list)  # the headline unit per semester


def _own_unit(user, units: list[ind.Unit]) -> ind.Unit | None:
    """At the counselor and mentor levels the user's own figures come first; elsewhere the first unit."""
    return next((u for u in units if u.id == user.pk), units[0] if units else None)


def dashboard(user, semester: Semester, level: str | None = None, *, trend_semesters: int = 1) -> Dashboard:
    """The dashboard's figures in a fixed number of queries: the semester loaded once, the earlier
    semesters of the trend together with their case counts only (``indicators.load_many``)."""
    levels = levels_for(user)
    if not levels:
        raise ValueError("no level")
    if level is None:  # one level below the user's own: the school's colleges, a college's counselors …
        level = levels[1] if len(levels) > 1 else levels[0]
    if level not in levels:
        raise ValueError(level)
    cals = {s.pk: c for s, c in calendars()}
    data = ind.load(semester, calendar=cals[semester.pk])
    top = levels[0]
    top_units = visible_units(user, data, top)
    own = _own_unit(user, top_units)
    if level == top:
        figures = [(u, ind.row(data, u)) for u in top_units]
        rows = [r for _u, r in figures]
        headline = next((r for u, r in figures if u is own), None)
    else:
        headline = ind.row(data, own) if own else None
        rows = [ind.row(data, u) for u in visible_units(user, data, level)]
    trend = []
    if own is not None:
        shown = semesters_for_trend(semester, trend_semesters)
        earlier = [s for s in shown if s.pk != semester.pk]
        past = {d.semester.pk: d for d in ind.load_many([(s, cals[s.pk]) for s in earlier], students=data.students)}
        for s in shown:
            if s.pk == semester.pk:
                trend.append((s, headline))
                continue
            unit = next((u for u in visible_units(user, past[s.pk], top) if u.id == own.id), None)
            if unit is not None:
                trend.append((s, ind.row(past[s.pk], unit)))
    return Dashboard(semester, data, levels, level, headline, rows, trend)


@dataclass
class RankedUnit:
    rank: int | None
    score: float | None
    row: dict
    values: dict  # the score's inputs, 0..1 or None
    qualified: bool  # meets every commendation threshold that applies
    commended: bool = False


def ranking(rows: list[dict], level: str) -> list[RankedUnit]:
    """The units of ``level`` by weighted score (settings.ASSESSMENT_WEIGHTS), best first, with the
    commendation candidates marked (settings.ASSESSMENT_COMMEND_TOP, ASSESSMENT_COMMEND_THRESHOLDS)."""
    items = []
    for row in rows:
        values = rules.inputs(row, ack_target_minutes=settings.ASSESSMENT_ACK_TARGET_MINUTES)
        present = rules.has_data(row)
        score = rules.score(values, settings.ASSESSMENT_WEIGHTS) if present else None
        qualified = present and rules.meets(values, settings.ASSESSMENT_COMMEND_THRESHOLDS, level)
        items.append((row["unit"]["name"], score, RankedUnit(None, score, row, values, qualified)))
    ranked = rules.rank(items)
    chosen = rules.candidates(ranked, lambda unit: unit.qualified, settings.ASSESSMENT_COMMEND_TOP)
    out = []
    for r in ranked:
        unit = r.item
        unit.rank = r.rank
        unit.commended = any(c.item is unit for c in chosen)
        out.append(unit)
    return out


def rows_for(user, data: ind.Data, level: str) -> list[dict]:
    if not _may_see_level(user, level):
        return []
    return [ind.row(data, unit) for unit in visible_units(user, data, level)]


# --- help-group contribution (学生干部考察, 党员发展考核) ---

CADRE_READERS = policy.CADRE_READERS


@dataclass
class Cadre:
    """A student cadre's contribution in a semester: who they are and what they did, counted — never the
    student they helped, the case, or the content of an activity."""

    student: Student  # with school_class and college
    roles: list[str]  # HelperRole codes, in HelperRole order
    activities: int = 0
    by_role: dict[str, int] = field(default_factory=dict)  # role code → activities in that role
    months: int = 0  # calendar months with at least one activity
    last_on: date | None = None


def cadres(user, semester: Semester) -> list[Cadre]:
    """Cadres in the user's scope (school_admin all; college_admin their college's; counselor their
    students) who were members of a help group during the semester or recorded an activity in it, with
    their activities of the semester. Three queries, whatever the number of cadres."""
    if not policy.can_read_cadres(user):
        return []
    cal = next(c for s, c in calendars() if s.pk == semester.pk)
    in_semester = HelperActivity.objects.filter(on__gte=cal.start, on__lte=cal.end)
    helpers = Helper.objects.filter(student__in=policy.students_for(user)).filter(
        Q(added_on__lte=cal.end, removed_on__isnull=True)
        | Q(added_on__lte=cal.end, removed_on__gte=cal.start)
        | Q(pk__in=in_semester.values("helper_id"))
    )
    roles_of: dict[int, tuple[int, str]] = {
        pk: (student_id, role) for pk, student_id, role in helpers.values_list("pk", "student_id", "role")
    }
    by_student: dict[int, Cadre] = {}
    students = Student.objects.filter(pk__in=helpers.values("student_id")).select_related("school_class", "college")
    for student in students:
        by_student[student.pk] = Cadre(student=student, roles=[])
    for student_id, role in roles_of.values():
        cadre = by_student.get(student_id)
        if cadre is not None and role not in cadre.roles:
            cadre.roles.append(role)
    months: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for helper_id, on in in_semester.filter(helper__in=helpers).values_list("helper_id", "on"):
        student_id, role = roles_of[helper_id]
        cadre = by_student[student_id]
        cadre.activities += 1
        cadre.by_role[role] = cadre.by_role.get(role, 0) + 1
        months[student_id].add((on.year, on.month))
        cadre.last_on = max(cadre.last_on, on) if cadre.last_on else on
    order = {code: i for i, code in enumerate(HelperRole.values)}
    for student_id, cadre in by_student.items():
        cadre.roles.sort(key=order.__getitem__)
        cadre.by_role = dict(sorted(cadre.by_role.items(), key=lambda kv: order[kv[0]]))
        cadre.months = len(months.get(student_id, ()))
    return sorted(
        by_student.values(),
        key=lambda c: (c.student.college.name, c.student.school_class.name, c.student.student_no),
    )
