"""Roles, the sets of roles the rules are written with, and the caller's grants (read once per request)."""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from careledger.accounts.models import Grant, Role, User
from careledger.audit import context as request_context
from careledger.escalations.models import Department
from careledger.ledgers.models import Section
from careledger.roster.models import College, SchoolClass

# Whoever calls: an account, or nobody signed in.
AnyUser = User | AnonymousUser

# Roles that may see students (each within its own scope).
STUDENT_READERS = frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.CLASS_TEACHER, Role.MENTOR})
ADMINS = frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN})
CASE_READERS = STUDENT_READERS
ON_CASE = frozenset({Role.MENTOR, Role.COUNSELOR, Role.CLASS_TEACHER})
CASE_OPENERS = frozenset({Role.COUNSELOR, Role.CLASS_TEACHER}) | ADMINS
MENTOR_ASSIGNERS = CASE_OPENERS
REOPENERS = frozenset({Role.COUNSELOR, Role.CLASS_TEACHER}) | ADMINS
SURVEYORS = frozenset({Role.COUNSELOR, Role.CLASS_TEACHER})
SURVEY_VIEWERS = SURVEYORS | ADMINS
LEDGER_KEEPERS = frozenset({Role.COUNSELOR, Role.COLLEGE_ADMIN})
LEDGER_READERS = LEDGER_KEEPERS | frozenset({Role.SCHOOL_ADMIN, Role.SECTION})
# Comparing two semesters needs all seven categories (compare_semesters is not narrowed to a section's):
# the page and the API share this set.
LEDGER_COMPARERS = LEDGER_KEEPERS | frozenset({Role.SCHOOL_ADMIN})
ESCALATORS = ON_CASE | frozenset({Role.COLLEGE_ADMIN})
ESCALATION_HANDLERS = frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.CLASS_TEACHER})
ESCALATION_READERS = CASE_READERS | frozenset({Role.DEPARTMENT})
ESCALATION_ACTORS = ESCALATION_HANDLERS | frozenset({Role.DEPARTMENT})
AUDIT_READERS = frozenset({Role.SCHOOL_ADMIN, Role.AUDITOR})
# cal (issue 12): who records a student's 学籍状态 — school_admin, the college's admin, the student's counselor.
STATUS_SETTERS = frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR})
ANY_ROLE = frozenset(Role)
NOBODY: frozenset[str] = frozenset()
# Roles a college_admin may hand out, and only inside their own college.
COLLEGE_GRANTABLE = frozenset({Role.COUNSELOR, Role.CLASS_TEACHER, Role.MENTOR})
# Roles whose grants are scoped to one college.
COLLEGE_SCOPED = frozenset({Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.CLASS_TEACHER, Role.MENTOR})


# --- grants of the caller (loaded once per request; permission changes apply on the next one) ---


def grants_of(user: AnyUser) -> list[Grant]:
    """The caller's grants, read once per request: a changed grant applies from the next request on."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = request_context.current().cache
    key = ("grants", user.pk)
    if cache is not None and key in cache:
        cached: list[Grant] = cache[key]
        return cached
    grants = list(user.grants.select_related("college", "department", "section").prefetch_related("classes"))
    if cache is not None:
        cache[key] = grants
    return grants


def roles_of(user: AnyUser) -> frozenset[str]:
    return frozenset(g.role for g in grants_of(user))


def has_role(user: AnyUser, *roles: str) -> bool:
    return not roles_of(user).isdisjoint(roles)


def otp_roles_of(user: AnyUser) -> frozenset[str]:
    """The caller's roles that call for two-factor sign-in (settings.OTP_ROLES)."""
    return roles_of(user) & frozenset(settings.OTP_ROLES)


def role_needs_two_factor(role: str) -> bool:
    return role in frozenset(settings.OTP_ROLES)


# --- the shape of a grant: which scope each role carries ---


def grant_scope_errors(
    *,
    role: str,
    college: College | None,
    grades: Sequence[str],
    classes: Sequence[SchoolClass],
    department: Department | None,
    section: Section | None,
) -> dict[str, list[str]]:
    """What is missing or superfluous in a grant of ``role`` with this scope (field → messages)."""
    errors: dict[str, list[str]] = {}
    if role in COLLEGE_SCOPED and college is None:
        errors["college"] = [_("该角色须指定学院。")]
    if role == Role.COUNSELOR and not (grades or classes):
        errors["grades"] = [_("辅导员须指定所带年级或班级。")]
    if role == Role.CLASS_TEACHER and not classes:
        errors["classes"] = [_("班主任须指定所带班级。")]
    if college is not None and any(c.college_id != college.pk for c in classes):
        errors["classes"] = [_("班级须属于所选学院。")]
    if role == Role.DEPARTMENT and department is None:
        errors["department"] = [_("职能部门账号须指定部门。")]
    if role not in COLLEGE_SCOPED and college is not None:
        errors["college"] = [_("该角色不按学院授权。")]
    if role != Role.DEPARTMENT and department is not None:
        errors["department"] = [_("只有职能部门角色可指定部门。")]
    if role == Role.SECTION and section is None:
        errors["section"] = [_("学工处科室账号须指定科室。")]
    if role != Role.SECTION and section is not None:
        errors["section"] = [_("只有学工处科室角色可指定科室。")]
    return errors


# evidence (issue 16): who uploads screenings and office lists, who decides suggestions
EVIDENCE_UPLOADERS = frozenset({Role.SCHOOL_ADMIN, Role.DEPARTMENT})
SUGGESTION_DECIDERS = SURVEY_VIEWERS
