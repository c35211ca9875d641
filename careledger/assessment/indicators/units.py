"""The units assessed at each level — the school, each college, counselor and mentor — as sets of
students and cases. Students are indexed once (by college and grade, by class, by case) so that building
every unit is linear in the school's size, not in units × students."""

from collections import defaultdict
from dataclasses import dataclass, field

from careledger.accounts.models import Grant, Role, User
from careledger.assessment.indicators.loading import Data
from careledger.roster.models import College


@dataclass
class Unit:
    level: str
    id: int | None
    name: str
    student_ids: set[int] = field(default_factory=set)
    case_ids: set[int] = field(default_factory=set)
    college_id: int | None = None


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
