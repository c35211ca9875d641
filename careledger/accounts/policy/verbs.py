"""Action verbs: what a user may do (``can_*``), given what they can see (scopes.py)."""

from collections.abc import Callable, Iterable
from typing import Any

from careledger.accounts.models import Role, User
from careledger.accounts.policy.roles import (
    ADMINS,
    AUDIT_READERS,
    CASE_OPENERS,
    CASE_READERS,
    COLLEGE_GRANTABLE,
    ESCALATION_HANDLERS,
    ESCALATORS,
    LEDGER_KEEPERS,
    MENTOR_ASSIGNERS,
    ON_CASE,
    REOPENERS,
    STATUS_SETTERS,
    SUGGESTION_DECIDERS,
    SURVEY_VIEWERS,
    SURVEYORS,
    AnyUser,
    grants_of,
    has_role,
    roles_of,
)
from careledger.accounts.policy.scopes import (
    _department_ids,
    administered_colleges,
    case_roles,
    cases_for,
    roster_students,
    student_roles,
)
from careledger.cases.models import Case
from careledger.escalations.models import Escalation
from careledger.roster.models import College, Student

# --- cases ---


# What each role may do to a case it can see. No entry, no action.
CASE_ACTIONS: dict[str, frozenset[str]] = {
    "edit": ON_CASE | ADMINS,
    "assign_mentor": MENTOR_ASSIGNERS,
    "add_helper": ON_CASE | ADMINS,
    "record_contact": ON_CASE | ADMINS,
    "attach": ON_CASE | ADMINS,
    "record_effect": ON_CASE | ADMINS,
    "verify_physical": frozenset({Role.CLASS_TEACHER, Role.COUNSELOR}),
    "request_close": ON_CASE,
    "approve_close": ADMINS,
    "reopen": REOPENERS,
    "escalate": ESCALATORS,
}


def can(user: AnyUser, action: str, case: Case, *, roles: frozenset[str] | None = None) -> bool:
    allowed = CASE_ACTIONS[action]  # an unknown action is a programming error, never a yes
    return not allowed.isdisjoint(case_roles(user, case) if roles is None else roles)


def case_actions_for(user: AnyUser, case: Case, *, roles: frozenset[str] | None = None) -> dict[str, bool]:
    """Every action of CASE_ACTIONS with whether ``user`` may take it on ``case`` (for a page's buttons)."""
    roles = case_roles(user, case) if roles is None else roles
    return {action: can(user, action, case, roles=roles) for action in CASE_ACTIONS}


def can_open_case(user: AnyUser, student: Student, *, roles: frozenset[str] | None = None) -> bool:
    """May ``user`` open a case (建档) for ``student``? ``roles``: their roles towards the student, if known."""
    return not CASE_OPENERS.isdisjoint(student_roles(user, student) if roles is None else roles)


def can_verify_physical(
    user: AnyUser | None = None, student: Student | None = None, *, roles: frozenset[str] | None = None
) -> bool:
    """May ``user`` fill in 班主任核实情况 (the physical-condition verification) for ``student``?
    ``roles``: the caller's roles towards the student or case, when already known."""
    if roles is None:
        if user is None or student is None:
            raise TypeError("can_verify_physical needs the student or the roles")
        roles = student_roles(user, student)
    return not CASE_ACTIONS["verify_physical"].isdisjoint(roles)


def has_own_cases(user: AnyUser) -> bool:
    """A mentor: the work view lists their own paired cases."""
    return has_role(user, Role.MENTOR)


# Roles that oversee cases they are not paired with: they see the scope's figures on the work view.
OVERSEERS = frozenset({Role.COUNSELOR, Role.CLASS_TEACHER}) | ADMINS


def oversees_cases(user: AnyUser) -> bool:
    return has_role(user, *OVERSEERS)


def approves_closes(user: AnyUser) -> bool:
    """Admins decide close requests (撤销建档): the work view lists the pending ones."""
    return has_role(user, *ADMINS)


def has_work_view(user: AnyUser) -> bool:
    """Users with case roles land on their work view (我的工作台)."""
    return has_role(user, *CASE_READERS)


# --- survey and ledgers ---


def can_keep_ledger(user: AnyUser, college: College) -> bool:
    """The college's counselors and college_admin create, sign and submit its ledger."""
    return any(g.role in LEDGER_KEEPERS and g.college_id == college.pk for g in grants_of(user))


def can_review_ledger(user: AnyUser) -> bool:
    return has_role(user, Role.SCHOOL_ADMIN)


def can_review_survey(user: AnyUser, student: Student) -> bool:
    """摸排: the student's counselor or class teacher records the outcome."""
    return not SURVEYORS.isdisjoint(student_roles(user, student))


def sees_survey_by_college(user: AnyUser) -> bool:
    """The survey page shows progress per college to admins (the school's and a college's)."""
    return has_role(user, *ADMINS)


def signs_ledger_as_head(user: AnyUser) -> bool:
    """A college's head (college_admin, not also a counselor) signs a ledger as 负责人, not 填表人."""
    return has_role(user, Role.COLLEGE_ADMIN) and not has_role(user, Role.COUNSELOR)


def can_read_school_ledgers(user: AnyUser) -> bool:
    """The school-wide ledger tables (and their export): the school office and its sections."""
    return has_role(user, Role.SCHOOL_ADMIN, Role.SECTION)


# --- escalations ---


def sees_case_of(user: AnyUser, escalation: Escalation) -> bool:
    """Whether the user sees the escalation through the case (full view) rather than as a department."""
    if has_role(user, Role.SCHOOL_ADMIN):
        return True
    if escalation.case_id is None:  # evidence (issue 16): through the student's roster scope
        return roster_students(user).filter(pk=escalation.student_id).exists()
    return cases_for(user).filter(pk=escalation.case_id).exists()


def can_handle_escalation(user: AnyUser, escalation: Escalation) -> bool:
    if escalation.status != "resolved" and escalation.departments.filter(pk__in=_department_ids(user)).exists():
        return True
    if escalation.case is None:
        return not ESCALATION_HANDLERS.isdisjoint(student_roles(user, escalation.student))
    return not ESCALATION_HANDLERS.isdisjoint(case_roles(user, escalation.case))


def escalation_case_ids_seen(user: AnyUser, escalations: Iterable[Escalation]) -> set[int]:
    """The escalations (of a page) that ``user`` sees through the case: one query for the whole page."""
    escalations = list(escalations)
    if has_role(user, Role.SCHOOL_ADMIN):
        return {e.pk for e in escalations}
    case_ids = set(cases_for(user).filter(pk__in=[e.case_id for e in escalations]).values_list("pk", flat=True))
    # An escalation without a case (a screening's urgent answer): seen in full through the roster scope.
    caseless = [e.student_id for e in escalations if e.case_id is None]
    student_ids = set(roster_students(user).filter(pk__in=caseless).values_list("pk", flat=True))
    return {e.pk for e in escalations if e.case_id in case_ids or (e.case_id is None and e.student_id in student_ids)}


# --- notification channels ---


def can_configure_department_channels(user: AnyUser) -> bool:
    return is_school_admin(user)


# --- assessment (考核) ---

ASSESSMENT_LEVELS: dict[str, frozenset[str]] = {
    "school": frozenset({Role.SCHOOL_ADMIN}),
    "college": frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN}),
    "counselor": frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR}),
    "mentor": frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.MENTOR}),
}
CADRE_READERS = frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR})


def can_see_assessment_level(user: AnyUser, level: str) -> bool:
    return not roles_of(user).isdisjoint(ASSESSMENT_LEVELS[level])


def assessed_counselor_ids(
    user: AnyUser, college_ids: list[int], counselors_of: Callable[[list[int]], Iterable[int]]
) -> set[int] | None:
    """The counselors whose figures ``user`` sees: None for all (school office); else the counselors of
    the colleges they administer (``college_ids``; ``counselors_of(college_ids)`` gives their ids) and
    themselves."""
    if is_school_admin(user):
        return None
    ids = set(counselors_of(college_ids)) if college_ids else set()
    if has_role(user, Role.COUNSELOR) and user.pk is not None:
        ids.add(user.pk)
    return ids


def assessed_mentor_ids(user: AnyUser, mentors_of_visible_cases: set[int]) -> set[int]:
    """The mentors whose figures ``user`` sees: those paired with cases in scope, and themselves."""
    ids = set(mentors_of_visible_cases)
    if has_role(user, Role.MENTOR) and user.pk is not None:
        ids.add(user.pk)
    return ids


def can_read_cadres(user: AnyUser) -> bool:
    """学生干部考察: counts of a cadre's help-group activities, for the school, college and counselor."""
    return not roles_of(user).isdisjoint(CADRE_READERS)


# --- colleges, accounts, imports, audit ---


def is_school_admin(user: AnyUser) -> bool:
    return has_role(user, Role.SCHOOL_ADMIN)


def can_grant(user: AnyUser, *, role: str, college: College | None, target: User | None = None) -> bool:
    """May ``user`` give (or take away) a grant of ``role`` in ``college`` — to ``target`` when known?
    Never to oneself, never the auditor role, never to an auditor's account (SEC-46)."""
    if not may_change_grants_of(user, target) or role in CLI_ONLY_ROLES:
        return False
    if is_school_admin(user):
        return True
    if role not in COLLEGE_GRANTABLE or college is None:
        return False
    return administered_colleges(user).filter(pk=college.pk).exists()


def can_import_into(user: AnyUser, colleges: Iterable[College | str]) -> bool:
    """May ``user`` write roster or staff rows for every one of ``colleges`` (College or name)? (SEC-34)"""
    if is_school_admin(user):
        return True
    wanted = [c.name if isinstance(c, College) else str(c) for c in colleges]
    allowed = set(administered_colleges(user).values_list("name", flat=True))
    return bool(allowed) and all(name in allowed for name in wanted)


def can_read_audit(user: AnyUser) -> bool:
    return has_role(user, *AUDIT_READERS)


def can_export_audit(user: AnyUser) -> bool:
    """Audit exports are the auditor's alone (separation of duties, SEC-15)."""
    return has_role(user, Role.AUDITOR)


# --- the reporting loop (issue 14, engineer "loop") ---


def can_confirm_ledger(user: AnyUser, college: College) -> bool:
    """The college_admin signs the ledger as 负责人 (product.md): only they send it to 学工处."""
    return any(g.role == Role.COLLEGE_ADMIN and g.college_id == college.pk for g in grants_of(user))


def keeps_department_history(user: AnyUser) -> bool:
    """A department keeps a de-identified record of the escalations it handled (SEC-13)."""
    return has_role(user, Role.DEPARTMENT)


# --- cal (issue 12): student status (学籍状态) ---


def can_set_student_status(user: AnyUser, student: Student) -> bool:
    """school_admin, the admin of the student's college and the student's counselor record a 学籍状态 change;
    class teachers and mentors see the status but do not set it."""
    return not STATUS_SETTERS.isdisjoint(student_roles(user, student))


# --- docs: a ledger's case files (issue 14 item 4; SEC-45) ---


def can_reveal_ledger_case_files(user: AnyUser) -> bool:
    """May ``user`` state a reason to open a ledger's case files (the admins who read ledgers)?"""
    return has_role(user, *ADMINS)


# --- ui (issue 15): a home page per role ---

HOME_PANELS: dict[str, frozenset[str]] = {
    # panel → the roles whose home shows it
    "verify": frozenset({Role.CLASS_TEACHER}),
    "reports": frozenset({Role.DEPARTMENT}),
    "survey": SURVEY_VIEWERS,
    "survey_by_college": ADMINS,  # overseers of many classes see survey progress per college
    "ledgers": frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR}),
    "escalations": frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN}),
    "work": CASE_READERS,
    "search": frozenset({Role.MENTOR}),
}


def home_panels(user: AnyUser) -> frozenset[str]:
    """Which panels of the home page ``user``'s grants call for (each panel reads only scoped data)."""
    roles = roles_of(user)
    return frozenset(panel for panel, wanted in HOME_PANELS.items() if roles & wanted)


# --- sec (issue 11): SEC-46 separation of duties (三权分立) ---

# Roles only the server's command line hands out or takes away (careledger createadmin …).
CLI_ONLY_ROLES = frozenset({Role.AUDITOR})


def is_auditor_account(target: User | None) -> bool:
    return target is not None and target.grants.filter(role__in=CLI_ONLY_ROLES).exists()


def may_change_grants_of(user: AnyUser, target: User | None) -> bool:
    """Nobody changes their own grants; no admin changes an auditor's."""
    if target is None:
        return True
    return target.pk != user.pk and not is_auditor_account(target)


def may_set_credentials_of(user: AnyUser, target: User) -> bool:
    """May ``user`` set ``target``'s password or remove their second factor as an administrator?
    Not their own (the own-password flow asks for the old one) and not an auditor's (the command line)."""
    return target.pk != user.pk and not is_auditor_account(target)


# --- evidence for the survey (issue 16: screenings, office lists, suggestions) ---
# Screenings are imported by the school office and the psychological centre's department (its code is
# settings.CARELEDGER_PSYCH_DEPARTMENT); each office list by the school office and the department that
# holds it (settings.CARELEDGER_SIGNAL_DEPARTMENTS, kind → department code). Item answers are read only
# by those who may import screenings; everyone else sees a result's level and reason in words.


def _department_codes(user: AnyUser) -> set[str]:
    return {g.department.code for g in grants_of(user) if g.role == Role.DEPARTMENT and g.department is not None}


def can_import_screening(user: AnyUser) -> bool:
    from django.conf import settings

    return is_school_admin(user) or settings.CARELEDGER_PSYCH_DEPARTMENT in _department_codes(user)


def reads_item_answers(user: AnyUser) -> bool:
    """Item answers and a result's flags: the school office and the psychological centre only."""
    return can_import_screening(user)


def can_upload_signal(user: AnyUser, kind: str) -> bool:
    from django.conf import settings

    code = settings.CARELEDGER_SIGNAL_DEPARTMENTS.get(kind)
    return is_school_admin(user) or (code is not None and code in _department_codes(user))


def signal_kinds_for(user: AnyUser) -> list[str]:
    from django.conf import settings

    return [k for k in settings.CARELEDGER_SIGNAL_DEPARTMENTS if can_upload_signal(user, k)]


def can_decide_suggestion(user: AnyUser, suggestion: Any) -> bool:
    return not SUGGESTION_DECIDERS.isdisjoint(student_roles(user, suggestion.student))


def can_decide_suggestions_of(user: AnyUser, student: Student) -> bool:
    return not SUGGESTION_DECIDERS.isdisjoint(student_roles(user, student))
