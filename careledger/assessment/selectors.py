"""Who sees which assessment units (api.md): school_admin everything; college_admin their college and
its people; counselor themself and the mentors of the cases in their scope; mentor themself."""

from django.conf import settings

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role
from careledger.assessment import indicators as ind
from careledger.core.models import Semester


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
        ids = set()
        if colleges:
            ids |= set(
                Grant.objects.filter(role=Role.COUNSELOR, college_id__in=colleges).values_list("user_id", flat=True)
            )
        if policy.has_role(user, Role.COUNSELOR):
            ids.add(user.pk)
        return ind.counselor_units(data, sorted(ids)) if ids else []
    if level == "mentor":
        if school:
            return ind.mentor_units(data)
        in_scope = set(policy.cases_for(user).values_list("pk", flat=True))
        mentor_ids = {m for c, m in data.pairing_on_as_of.items() if c in in_scope}
        if policy.has_role(user, Role.MENTOR):
            mentor_ids.add(user.pk)
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
    roles = policy.roles_of(user)
    allowed = {
        "school": {Role.SCHOOL_ADMIN},
        "college": {Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN},
        "counselor": {Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR},
        "mentor": {Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.MENTOR},
    }[level]
    return not roles.isdisjoint(allowed)
