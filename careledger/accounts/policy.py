"""The one access policy. Every page and API endpoint is decided here; nothing is allowed by default.

Three kinds of answer:
- endpoint rules: which roles may call a URL (by its name) for reading and for writing — a URL with
  no rule is refused to everyone (see ``RULES`` and ``PUBLIC``);
- scoped querysets: ``students_for(user)``, ``users_for(user)`` … return only what the user may see
  and fall through to ``.none()``;
- fetch-and-authorise helpers: ``get_student_for(user, student_no)`` raises 404 for "missing" and
  "not yours" alike, and records the denial in the audit trail.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from rest_framework.permissions import BasePermission

from careledger.accounts.models import Grant, Role, User
from careledger.audit import context as request_context
from careledger.audit.services import Action, Outcome, record
from careledger.cases.categories import Category
from careledger.cases.models import Attachment, Case, Mentorship
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger
from careledger.roster.models import College, Student

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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


@dataclass(frozen=True)
class Rule:
    """Who may call an endpoint: roles for safe methods (read) and for the others (write).

    ``authenticated=True`` admits any signed-in account, with or without a grant (own profile,
    logout): such endpoints expose nothing but the caller's own data.
    """

    read: frozenset[str] = NOBODY
    write: frozenset[str] = NOBODY
    authenticated: bool = False


# URL names that need no login at all.
PUBLIC = frozenset(
    {
        "login",
        "set_language",
        "healthz",
        "api:token",
        "api:schema",
        "api:docs",
        "accounts:cas-login",  # 统一身份认证 sign-in (404 while CAS is off)
    }
)

RULES: dict[str, Rule] = {
    # Login security: the caller's own sign-in steps, token and lockouts (accounts/login_security.py)
    "accounts:otp-verify": Rule(authenticated=True),
    "accounts:otp-setup": Rule(authenticated=True),
    "accounts:user-unlock": Rule(write=ADMINS),
    "accounts:user-otp-reset": Rule(write=ADMINS),
    "api:auth-logout": Rule(authenticated=True),
    "api:me-password": Rule(authenticated=True),
    "api:me-totp": Rule(authenticated=True),
    "api:me-totp-confirm": Rule(authenticated=True),
    "api:user-unlock": Rule(write=ADMINS),
    # Pages
    "home": Rule(authenticated=True),
    "logout": Rule(authenticated=True, read=ANY_ROLE, write=ANY_ROLE),
    "password_change": Rule(authenticated=True),
    "students:list": Rule(read=STUDENT_READERS),
    "students:detail": Rule(read=STUDENT_READERS),
    "students:status": Rule(write=STATUS_SETTERS),  # cal (issue 12)
    "roster:import": Rule(read=ADMINS, write=ADMINS),
    "accounts:user-list": Rule(read=ADMINS),
    "accounts:user-create": Rule(read=ADMINS, write=ADMINS),
    "accounts:user-edit": Rule(read=ADMINS, write=ADMINS),
    "accounts:user-active": Rule(write=ADMINS),
    "accounts:grant-add": Rule(read=ADMINS, write=ADMINS),
    "accounts:grant-delete": Rule(write=ADMINS),
    "accounts:staff-import": Rule(read=ADMINS, write=ADMINS),
    # Case pages
    "cases:work": Rule(read=CASE_READERS),
    "cases:list": Rule(read=CASE_READERS),
    "cases:new": Rule(read=CASE_OPENERS, write=CASE_OPENERS),
    "cases:detail": Rule(read=CASE_READERS),
    "cases:edit": Rule(read=CASE_READERS, write=CASE_READERS),
    "cases:contact-new": Rule(read=CASE_READERS, write=CASE_READERS),
    "cases:mentor": Rule(write=MENTOR_ASSIGNERS),
    "cases:helper-add": Rule(write=CASE_READERS),
    "cases:helper-activity": Rule(write=CASE_READERS),
    "cases:effect": Rule(write=CASE_READERS),
    "cases:close-request": Rule(write=ON_CASE),
    "cases:close-approve": Rule(write=ADMINS),
    "cases:close-reject": Rule(write=ADMINS),
    "cases:reopen": Rule(write=REOPENERS),
    "cases:semesters": Rule(read=frozenset({Role.SCHOOL_ADMIN}), write=frozenset({Role.SCHOOL_ADMIN})),
    # Ledger pages
    "ledgers:survey": Rule(read=SURVEY_VIEWERS),
    "ledgers:survey-review": Rule(write=SURVEYORS),
    "ledgers:survey-undo": Rule(write=SURVEYORS),
    "ledgers:survey-rest": Rule(write=SURVEYORS),
    "ledgers:survey-new-case": Rule(read=SURVEYORS, write=SURVEYORS),
    "ledgers:index": Rule(read=LEDGER_READERS),
    "ledgers:open": Rule(write=LEDGER_KEEPERS),
    "ledgers:detail": Rule(read=LEDGER_READERS),
    "ledgers:submit": Rule(write=LEDGER_KEEPERS),
    "ledgers:accept": Rule(write=frozenset({Role.SCHOOL_ADMIN})),
    "ledgers:return": Rule(write=frozenset({Role.SCHOOL_ADMIN})),
    "ledgers:export": Rule(read=LEDGER_READERS),
    "ledgers:case-files": Rule(read=LEDGER_KEEPERS | frozenset({Role.SCHOOL_ADMIN}), write=ADMINS),  # docs: reason
    "ledgers:school": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.SECTION})),
    "ledgers:school-export": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.SECTION})),
    # Comparing needs all seven categories (compare_semesters is not narrowed to a section's).
    "ledgers:compare": Rule(read=LEDGER_KEEPERS | frozenset({Role.SCHOOL_ADMIN})),
    "ledgers:case-file": Rule(read=CASE_READERS),
    # API
    "api:me": Rule(authenticated=True),
    "api:user-list": Rule(read=ADMINS, write=ADMINS),
    "api:user-detail": Rule(read=ADMINS, write=ADMINS),
    "api:roster-import": Rule(write=ADMINS),
    "api:staff-import": Rule(write=ADMINS),
    "api:student-list": Rule(read=STUDENT_READERS),
    "api:student-detail": Rule(read=STUDENT_READERS, write=STATUS_SETTERS),  # PATCH: 学籍状态 (cal, issue 12)
    "api:department-list": Rule(read=ANY_ROLE, write=frozenset({Role.SCHOOL_ADMIN})),
    "api:audit-list": Rule(read=AUDIT_READERS),
    "api:semester-list": Rule(read=ANY_ROLE, write=frozenset({Role.SCHOOL_ADMIN})),
    "api:semester-current": Rule(read=ANY_ROLE),
    "api:case-list": Rule(read=CASE_READERS, write=CASE_OPENERS),
    "api:case-detail": Rule(read=CASE_READERS, write=CASE_READERS),
    "api:case-mentor": Rule(write=MENTOR_ASSIGNERS),
    "api:case-helpers": Rule(read=CASE_READERS, write=CASE_READERS),
    "api:case-contacts": Rule(read=CASE_READERS, write=CASE_READERS),
    "api:case-compliance": Rule(read=CASE_READERS),
    "api:case-timeline": Rule(read=CASE_READERS),
    "api:case-close-request": Rule(write=ON_CASE),
    "api:case-close-approve": Rule(write=ADMINS),
    "api:case-close-reject": Rule(write=ADMINS),
    "api:case-reopen": Rule(write=REOPENERS),
    "api:compliance-overdue": Rule(read=CASE_READERS),
    "api:case-attachments": Rule(read=CASE_READERS, write=CASE_READERS),
    "api:attachment-download": Rule(read=CASE_READERS),
    "api:ledger-list": Rule(read=LEDGER_READERS, write=LEDGER_KEEPERS),
    "api:ledger-overview": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.SECTION})),
    "api:ledger-school-export": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.SECTION})),
    "api:ledger-compare": Rule(read=LEDGER_READERS),
    "api:ledger-detail": Rule(read=LEDGER_READERS),
    "api:ledger-submit": Rule(write=LEDGER_KEEPERS),
    "api:ledger-accept": Rule(write=frozenset({Role.SCHOOL_ADMIN})),
    "api:ledger-return": Rule(write=frozenset({Role.SCHOOL_ADMIN})),
    "api:ledger-export": Rule(read=LEDGER_READERS),
    "api:ledger-case-files": Rule(read=LEDGER_KEEPERS | frozenset({Role.SCHOOL_ADMIN}), write=ADMINS),  # docs: reason
    "api:addenda": Rule(read=LEDGER_READERS),
    "api:survey": Rule(read=SURVEY_VIEWERS, write=SURVEYORS),
    "api:section-list": Rule(read=frozenset({Role.SCHOOL_ADMIN}), write=frozenset({Role.SCHOOL_ADMIN})),
    "api:case-export": Rule(read=CASE_READERS),
    "api:escalation-list": Rule(read=ESCALATION_READERS, write=ESCALATORS),
    "api:escalation-figures": Rule(read=ADMINS),
    "api:escalation-detail": Rule(read=ESCALATION_READERS),
    "api:escalation-acknowledge": Rule(write=ESCALATION_ACTORS),
    "api:escalation-resolve": Rule(write=ESCALATION_ACTORS),
    "api:escalation-notes": Rule(write=ESCALATION_ACTORS),
    "escalations:list": Rule(read=ESCALATION_READERS),
    "escalations:new": Rule(read=ESCALATORS, write=ESCALATORS),
    "escalations:detail": Rule(read=ESCALATION_READERS),
    "escalations:acknowledge": Rule(write=ESCALATION_ACTORS),
    "escalations:note": Rule(write=ESCALATION_ACTORS),
    "escalations:resolve": Rule(write=ESCALATION_ACTORS),
    "api:assessment": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.MENTOR})),
    # Assessment pages (each lists only the caller's visible units, as api:assessment does)
    "assessment:dashboard": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.MENTOR})),
    "assessment:export": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR, Role.MENTOR})),
    "assessment:ranking": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN})),
    "assessment:cadres": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR})),
    "assessment:cadres-export": Rule(read=frozenset({Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN, Role.COUNSELOR})),
    "notify:inbox": Rule(read=ANY_ROLE),
    "notify:bell": Rule(read=ANY_ROLE),
    "notify:mark-read": Rule(write=ANY_ROLE),
    # The caller's own messages (issue 14, engineer "loop")
    "api:inbox": Rule(read=ANY_ROLE),
    "api:inbox-read": Rule(write=ANY_ROLE),
    "api:channel-list": Rule(read=ANY_ROLE, write=ANY_ROLE),
    "api:channel-deactivate": Rule(write=ANY_ROLE),
    "api:case-reveal": Rule(write=ADMINS),
    "api:student-reveal": Rule(write=STUDENT_READERS),
    "cases:reveal": Rule(write=ADMINS),
    "attachments:download": Rule(read=CASE_READERS),
    "attachments:upload": Rule(write=CASE_READERS),
    # Audit pages: read-only for everyone; exports for the auditor (separation of duties, SEC-15)
    "audit:list": Rule(read=AUDIT_READERS),
    "audit:export": Rule(read=frozenset({Role.AUDITOR})),
    # --- jobs (perf, issue 13): a job is its owner's only; the object check is get_job_for ---
    "api:job-detail": Rule(read=ANY_ROLE),
    "api:job-download": Rule(read=ANY_ROLE),
    "jobs:detail": Rule(read=ANY_ROLE),
    "jobs:download": Rule(read=ANY_ROLE),
}


# --- grants of the caller (loaded once per request; permission changes apply on the next one) ---


def grants_of(user) -> list[Grant]:
    """The caller's grants, read once per request: a changed grant applies from the next request on."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = request_context.current().cache
    key = ("grants", user.pk)
    if cache is not None and key in cache:
        return cache[key]
    grants = list(user.grants.select_related("college", "department", "section").prefetch_related("classes"))
    if cache is not None:
        cache[key] = grants
    return grants


def roles_of(user) -> frozenset[str]:
    return frozenset(g.role for g in grants_of(user))


def has_role(user, *roles: str) -> bool:
    return not roles_of(user).isdisjoint(roles)


# --- endpoint rules ---


def allows_endpoint(user, url_name: str | None, method: str) -> bool:
    """May ``user`` call the endpoint named ``url_name`` with ``method``? No rule means no."""
    if url_name in PUBLIC:
        return True
    rule = RULES.get(url_name or "")
    if rule is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if rule.authenticated:
        return True
    allowed = rule.read if method in SAFE_METHODS else rule.write
    return not roles_of(user).isdisjoint(allowed)


def audit_denied(user, *, object_type: str = "", object_id: object = "", student_no: str = "", why: str = ""):
    record(
        actor=user,
        action=Action.DENIED,
        object_type=object_type,
        object_id=object_id,
        student_no=student_no,
        outcome=Outcome.DENIED,
        detail={"reason": why} if why else None,
    )


class PolicyPermission(BasePermission):
    """DRF's gate onto the same rules; set as the default permission class for every API view."""

    def has_permission(self, request, view) -> bool:
        match = request.resolver_match
        url_name = match.view_name if match else None
        if request.method not in view.allowed_methods:
            return True  # the view answers 405 itself; nothing is served
        from careledger.accounts import login_security

        step = login_security.blocking_step(request.user, url_name, session=login_security.api_session(request))
        if step is not None:
            # A restricted login (password change, two-factor): 403 with the step's flag (api.md).
            audit_denied(request.user, object_type="endpoint", object_id=url_name or request.path, why=step.value)
            raise login_security.StepRequired(step)
        if allows_endpoint(request.user, url_name, request.method):
            require_object_body(request)
            return True
        if request.user.is_authenticated:
            audit_denied(request.user, object_type="endpoint", object_id=url_name or request.path, why="role")
        return False


# --- sec (issue 11): SEC-49 — a JSON body that is not an object is a 400 on every endpoint ---


def require_object_body(request) -> None:
    """Parse a JSON body once the caller is let in, so that an array, string, number or null is a 400
    (``ObjectJSONParser``) even on endpoints that never read the body."""
    if request.method in SAFE_METHODS or not (request.content_type or "").startswith("application/json"):
        return
    request.data  # noqa: B018 — parses (ParseError → 400) and caches


# --- students and cases ---


def _roster_scope(user, prefix: str = "") -> Q | None:
    """The Q selecting students (``prefix=""``) or cases (``prefix="student__"``) in ``user``'s roster
    scope — by college, grade and class — or None when the grants give no roster scope."""
    parts: list[Q] = []
    for grant in grants_of(user):
        if grant.role == Role.SCHOOL_ADMIN:
            return Q()
        if grant.role == Role.COLLEGE_ADMIN and grant.college_id:
            parts.append(Q(**{f"{prefix}college_id": grant.college_id}))
        elif grant.role == Role.COUNSELOR and grant.college_id:
            class_ids = [c.pk for c in grant.classes.all()]
            within = Q(**{f"{prefix}grade__in": grant.grades}) if grant.grades else Q(pk__in=[])
            if class_ids:
                within |= Q(**{f"{prefix}school_class_id__in": class_ids})
            parts.append(Q(**{f"{prefix}college_id": grant.college_id}) & within)
        elif grant.role == Role.CLASS_TEACHER:
            class_ids = [c.pk for c in grant.classes.all()]
            if class_ids:
                parts.append(Q(**{f"{prefix}school_class_id__in": class_ids}))
        # Departments and auditors have no roster scope; mentors see through their pairings.
    return _any(parts)


def _any(parts: list[Q]) -> Q | None:
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _current_pairings(user) -> QuerySet[Mentorship]:
    return Mentorship.objects.filter(mentor=user, ended_at__isnull=True)


def students_for(user) -> QuerySet[Student]:
    parts = [q for q in [_roster_scope(user)] if q is not None]
    if has_role(user, Role.MENTOR):
        parts.append(Q(pk__in=_current_pairings(user).values("case__student_id")))
    scope = _any(parts)
    return Student.objects.none() if scope is None else Student.objects.filter(scope)


def _fetch(user, scoped: QuerySet, object_type: str, key: object, *, student_no: str = "", **lookup):
    """One object of ``scoped`` (already limited to what ``user`` may see) or 404 with an audited denial —
    the same answer for "missing" and "not yours", so IDs reveal nothing."""
    found = scoped.filter(**lookup).first() if lookup else None
    if found is None:
        audit_denied(user, object_type=object_type, object_id=key, student_no=student_no, why="scope")
        raise Http404(object_type)
    return found


def _pk(value: object) -> dict:
    """A primary-key lookup for a value as it came in (a URL or JSON field), or none for a non-number."""
    return {"pk": int(str(value))} if str(value).isdigit() else {}


def get_student_for(user, student_no: str) -> Student:
    """The student, if ``user`` may see them; 404 (and an audited denial) for missing and forbidden alike."""
    scoped = students_for(user).select_related("college", "major", "school_class", "dorm")
    return _fetch(user, scoped, "student", student_no, student_no=student_no, student_no__exact=student_no)


def cases_for(user) -> QuerySet[Case]:
    parts = [q for q in [_roster_scope(user, "student__")] if q is not None]
    if has_role(user, Role.MENTOR):
        parts.append(Q(pk__in=_current_pairings(user).values("case_id")))
    scope = _any(parts)
    return Case.objects.none() if scope is None else Case.objects.filter(scope)


def get_case_for(user, pk: object) -> Case:
    """The case, if ``user`` may see it; 404 (and an audited denial) for missing and forbidden alike."""
    return _fetch(user, cases_for(user).select_related("student"), "case", pk, **_pk(pk))


def get_attachment_for(user, pk: int) -> Attachment:
    """An attachment of a case ``user`` may see; 404 (audited) otherwise."""
    scoped = Attachment.objects.select_related("case__student").filter(case__in=cases_for(user))
    return _fetch(user, scoped, "attachment", pk, **_pk(pk))


def student_roles(user, student: Student) -> frozenset[str]:
    """The roles ``user`` holds towards this student through the roster (not through a pairing)."""
    roles = set()
    for grant in grants_of(user):
        if grant.role == Role.SCHOOL_ADMIN:
            roles.add(Role.SCHOOL_ADMIN)
        elif grant.role == Role.COLLEGE_ADMIN and grant.college_id == student.college_id:
            roles.add(Role.COLLEGE_ADMIN)
        elif grant.role == Role.COUNSELOR and grant.college_id == student.college_id:
            if student.grade in grant.grades or any(c.pk == student.school_class_id for c in grant.classes.all()):
                roles.add(Role.COUNSELOR)
        elif grant.role == Role.CLASS_TEACHER and any(c.pk == student.school_class_id for c in grant.classes.all()):
            roles.add(Role.CLASS_TEACHER)
    return frozenset(roles)


def case_roles(user, case: Case) -> frozenset[str]:
    """The roles ``user`` holds towards ``case``: roster roles plus mentor when currently paired."""
    roles = set(student_roles(user, case.student))
    if has_role(user, Role.MENTOR) and _current_pairings(user).filter(case_id=case.pk).exists():
        roles.add(Role.MENTOR)
    return frozenset(roles)


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


def can(user, action: str, case: Case, *, roles: frozenset[str] | None = None) -> bool:
    allowed = CASE_ACTIONS[action]  # an unknown action is a programming error, never a yes
    return not allowed.isdisjoint(case_roles(user, case) if roles is None else roles)


def can_open_case(user, student: Student) -> bool:
    return not CASE_OPENERS.isdisjoint(student_roles(user, student))


# --- survey and ledgers ---


def can_keep_ledger(user, college: College) -> bool:
    """The college's counselors and college_admin create, sign and submit its ledger."""
    return any(g.role in LEDGER_KEEPERS and g.college_id == college.pk for g in grants_of(user))


def can_review_ledger(user) -> bool:
    return has_role(user, Role.SCHOOL_ADMIN)


def ledgers_for(user) -> QuerySet[Ledger]:
    if has_role(user, Role.SCHOOL_ADMIN, Role.SECTION):
        return Ledger.objects.all()
    ids = [g.college_id for g in grants_of(user) if g.role in LEDGER_KEEPERS and g.college_id]
    return Ledger.objects.filter(college_id__in=ids)


def get_ledger_for(user, pk: object) -> Ledger:
    return _fetch(user, ledgers_for(user).select_related("semester", "college"), "ledger", pk, **_pk(pk))


def ledger_categories_for(user) -> list[str]:
    """The sub-tables a user may see: all seven, or a section's own categories (分类报到相关科室)."""
    roles = roles_of(user)
    if not roles.isdisjoint(LEDGER_KEEPERS | {Role.SCHOOL_ADMIN}):
        return list(Category.values)
    wanted = {c for g in grants_of(user) if g.role == Role.SECTION and g.section for c in g.section.categories}
    return [c for c in Category.values if c in wanted]


# --- field-level need-to-know (SECURITY.md, "Who sees which fields") ---

# Sensitive case text: category details and structured data, 问题描述, 生活史, 辅导方案, 备注, contact
# contents, the old → new values of the history, 帮扶效果, close reasons, attached files.
# Those on the case read it; the college's and the school's admins must state a reason first
# (break-glass), which opens it for REVEAL_MINUTES and is audited as a "reveal".
REVEAL_MINUTES = 30


def revealed(user, object_type: str, object_id: object) -> bool:
    """Did ``user`` state a reason to open this object within the last REVEAL_MINUTES?"""
    from careledger.audit.models import AuditEvent
    from careledger.core import clock

    since = clock.now() - timedelta(minutes=REVEAL_MINUTES)
    return AuditEvent.objects.filter(
        actor_id=user.pk, action="reveal", object_type=object_type, object_id=str(object_id), at__gte=since
    ).exists()


def case_text_access(user, case: Case, roles: frozenset[str] | None = None) -> str:
    """'full' — read the sensitive text; 'reason' — an admin who must state a reason first; 'none'."""
    roles = case_roles(user, case) if roles is None else roles
    if not roles.isdisjoint(ON_CASE):
        return "full"
    if not roles.isdisjoint(ADMINS):
        return "full" if revealed(user, "case", case.pk) else "reason"
    return "none"


def can_read_case_text(user, case: Case, roles: frozenset[str] | None = None) -> bool:
    return case_text_access(user, case, roles) == "full"


# --- sec (issue 11): SEC-45 — the one need-to-know function every renderer of case text calls ---

# Timeline kinds whose summary may carry case text (a close reason, a decision note, an attachment title).
TEXT_SUMMARY_KINDS = frozenset({"close_requested", "closed", "close_rejected", "attachment"})


def may_read_case_text(user, case: Case, roles: frozenset[str] | None = None) -> bool:
    """Need-to-know for one case: those on the case read its text; the college's and the school's admins
    after stating a reason (break-glass, audited as a reveal). Case page, edit form, timeline (page and
    API), attachment lists and downloads, exports — all ask here."""
    return case_text_access(user, case, roles) == "full"


def timeline_for(user, case: Case, events, access: str | None = None) -> list:
    """The case's timeline events as ``user`` may see them: without old → new values and without the
    summaries of text-bearing kinds unless the reader may read the text. Never saved."""
    access = case_text_access(user, case) if access is None else access
    shown = list(events)
    if access == "full":
        return shown
    for event in shown:
        event.changes = [{"field": c.get("field", "")} for c in (event.changes or []) if isinstance(c, dict)]
        if event.kind in TEXT_SUMMARY_KINDS:
            event.summary = ""
    return shown


def ledger_text_case_ids(user, college_id: int, in_scope: set[int] | None = None) -> set[int] | None:
    """Cases of ``college_id`` whose ledger text (category texts, plan, effect, note, contacts) ``user`` may
    read; None means all of them. The school's admins and sections (their categories only, chosen by
    ``ledger_categories_for``) and the college's admin (负责人) read the whole college; a counselor reads
    the rows of their own case scope only (SEC-45)."""
    if has_role(user, Role.SCHOOL_ADMIN, Role.SECTION):
        return None
    if any(g.role == Role.COLLEGE_ADMIN and g.college_id == college_id for g in grants_of(user)):
        return None
    if in_scope is not None:  # the caller already holds cases_for(user) within the college
        return in_scope
    return set(cases_for(user).filter(student__college_id=college_id).values_list("pk", flat=True))


# --- sec (issue 11): finding 13 — a helper is chosen among students the caller may see ---


def helper_candidates_for(user, case: Case) -> QuerySet[Student]:
    """Students ``user`` may add to ``case``'s 帮扶小组: active students of the case's college that the
    caller may see. Missing and out of scope answer alike, and no name is resolved for the others."""
    return students_for(user).filter(college_id=case.student.college_id, is_active=True)


# --- escalations ---


def _department_ids(user) -> list[int]:
    return [g.department_id for g in grants_of(user) if g.role == Role.DEPARTMENT and g.department_id]


def escalations_for(user) -> QuerySet[Escalation]:
    """Escalations on cases the user may see, plus — for department users — those addressed to their
    department while not yet resolved (SEC-13)."""
    parts = []
    if has_role(user, Role.SCHOOL_ADMIN):
        return Escalation.objects.all()
    if not roles_of(user).isdisjoint(CASE_READERS):
        parts.append(Q(case__in=cases_for(user)))
        # evidence (issue 16): a screening's urgent escalation on a student without an open case
        parts.append(Q(case__isnull=True, student__in=_roster_students(user)))
    departments = _department_ids(user)
    if departments:
        parts.append(Q(departments__in=departments) & ~Q(status="resolved"))
    scope = _any(parts)
    return Escalation.objects.none() if scope is None else Escalation.objects.filter(scope).distinct()


def get_escalation_for(user, pk: object) -> Escalation:
    scoped = escalations_for(user).select_related(
        "case__student__college", "case__student__school_class", "case__student__dorm"
    )
    return _fetch(user, scoped, "escalation", pk, **_pk(pk))


def sees_case_of(user, escalation: Escalation) -> bool:
    """Whether the user sees the escalation through the case (full view) rather than as a department."""
    if has_role(user, Role.SCHOOL_ADMIN):
        return True
    if escalation.case_id is None:  # evidence (issue 16): through the student's roster scope
        return _roster_students(user).filter(pk=escalation.student_id).exists()
    return cases_for(user).filter(pk=escalation.case_id).exists()


def can_handle_escalation(user, escalation: Escalation) -> bool:
    if escalation.status != "resolved" and escalation.departments.filter(pk__in=_department_ids(user)).exists():
        return True
    if escalation.case_id is None:
        return not ESCALATION_HANDLERS.isdisjoint(student_roles(user, escalation.student))
    return not ESCALATION_HANDLERS.isdisjoint(case_roles(user, escalation.case))


# --- the reporting loop (issue 14, engineer "loop"): whom a message may name a student to ---


def may_name_student(user, student: Student) -> bool:
    """A message names the student only to a person who may see that student (api.md, Notifications)."""
    return students_for(user).filter(pk=student.pk).exists()


def can_confirm_ledger(user, college: College) -> bool:
    """The college_admin signs the ledger as 负责人 (product.md): only they send it to 学工处."""
    return any(g.role == Role.COLLEGE_ADMIN and g.college_id == college.pk for g in grants_of(user))


def resolved_escalations_of_departments(user) -> QuerySet[Escalation]:
    """Resolved escalations that were addressed to the user's departments. A department keeps only a
    de-identified history of them (date, college, severity, response times): callers read those columns
    and nothing of the student or the case (SEC-13)."""
    departments = _department_ids(user)
    if not departments:
        return Escalation.objects.none()
    return Escalation.objects.filter(departments__in=departments, status="resolved").distinct()


# --- notification channels ---


def channels_for(user):
    """Channels ``user`` manages: their own; the school office also the departments'."""
    from careledger.notify.models import Channel

    qs = Channel.objects.select_related("user", "department")
    if is_school_admin(user):
        return qs.filter(Q(user=user) | Q(department__isnull=False))
    return qs.filter(user=user)


def can_configure_department_channels(user) -> bool:
    return is_school_admin(user)


# --- colleges and accounts ---


def administered_colleges(user) -> QuerySet[College]:
    """Colleges whose accounts and roster ``user`` administers."""
    if has_role(user, Role.SCHOOL_ADMIN):
        return College.objects.all()
    ids = [g.college_id for g in grants_of(user) if g.role == Role.COLLEGE_ADMIN and g.college_id]
    return College.objects.filter(pk__in=ids)


def is_school_admin(user) -> bool:
    return has_role(user, Role.SCHOOL_ADMIN)


def users_for(user) -> QuerySet[User]:
    """Accounts ``user`` may see and manage: all for school_admin; the college's staff for college_admin."""
    if is_school_admin(user):
        return User.objects.all()
    college_ids = list(administered_colleges(user).values_list("pk", flat=True))
    if not college_ids:
        return User.objects.none()
    # A college admin manages only accounts all of whose grants lie in their college(s).
    outside = Grant.objects.exclude(role__in=COLLEGE_SCOPED).values("user_id")
    other_college = Grant.objects.filter(role__in=COLLEGE_SCOPED).exclude(college_id__in=college_ids)
    return (
        User.objects.filter(grants__college_id__in=college_ids)
        .exclude(pk__in=outside)
        .exclude(pk__in=other_college.values("user_id"))
        .distinct()
    )


def get_user_for(user, pk: int) -> User:
    return _fetch(user, users_for(user), "user", pk, **_pk(pk))


def can_grant(user, *, role: str, college: College | None, target: User | None = None) -> bool:
    """May ``user`` give (or take away) a grant of ``role`` in ``college`` — to ``target`` when known?
    Never to oneself, never the auditor role, never to an auditor's account (SEC-46)."""
    if not may_change_grants_of(user, target) or role in CLI_ONLY_ROLES:
        return False
    if is_school_admin(user):
        return True
    if role not in COLLEGE_GRANTABLE or college is None:
        return False
    return administered_colleges(user).filter(pk=college.pk).exists()


# --- sec (issue 11): SEC-46 separation of duties (三权分立) ---

# Roles only the server's command line hands out or takes away (careledger createadmin …).
CLI_ONLY_ROLES = frozenset({Role.AUDITOR})


def is_auditor_account(target: User | None) -> bool:
    return target is not None and target.grants.filter(role__in=CLI_ONLY_ROLES).exists()


def managed_users_for(user) -> QuerySet[User]:
    """``users_for`` without the caller: the accounts whose grants and credentials ``user`` may change
    (grant pages, staff import, second-factor reset)."""
    return users_for(user).exclude(pk=user.pk)


def get_managed_user_for(user, pk: object) -> User:
    return _fetch(user, managed_users_for(user), "user", pk, **_pk(pk))


def may_change_grants_of(user, target: User | None) -> bool:
    """Nobody changes their own grants; no admin changes an auditor's."""
    if target is None:
        return True
    return target.pk != user.pk and not is_auditor_account(target)


def may_set_credentials_of(user, target: User) -> bool:
    """May ``user`` set ``target``'s password or remove their second factor as an administrator?
    Not their own (the own-password flow asks for the old one) and not an auditor's (the command line)."""
    return target.pk != user.pk and not is_auditor_account(target)


def can_import_into(user, colleges: Iterable[College]) -> bool:
    """May ``user`` write roster or staff rows for every one of ``colleges``? (SEC-34)"""
    if is_school_admin(user):
        return True
    allowed = set(administered_colleges(user).values_list("pk", flat=True))
    return bool(allowed) and all(c.pk in allowed for c in colleges)


def can_read_audit(user) -> bool:
    return has_role(user, *AUDIT_READERS)


# --- cal (issue 12): student status (学籍状态) ---


def can_set_student_status(user, student: Student) -> bool:
    """school_admin, the admin of the student's college and the student's counselor record a 学籍状态 change;
    class teachers and mentors see the status but do not set it."""
    return not STATUS_SETTERS.isdisjoint(student_roles(user, student))


# --- docs: a ledger's case files (issue 14 item 4; SEC-45) ---
# A ledger's reader downloads the case files of the cases on the ledger that are in their case scope.
# Those on a case (counselor, class teacher) read its text; an admin not on the case states ONE reason
# for the whole ledger's case files (a "reveal" of the ledger, audited, REVEAL_MINUTES like a case's),
# or has revealed that case itself.


@dataclass(frozen=True)
class CaseFiles:
    readable: list[int]  # case ids whose files the reader may have now
    need_reason: list[int]  # case ids the reader may have once a reason is stated for the ledger

    @property
    def total(self) -> int:
        return len(self.readable) + len(self.need_reason)


def ledger_case_files(user, ledger: Ledger, case_ids: Iterable[int]) -> CaseFiles:
    """Which of ``case_ids`` (the ledger's cases) ``user`` may download as case files (a few queries,
    however many cases)."""
    wanted = sorted({pk for pk in case_ids if pk is not None})
    if not wanted or not allows_endpoint(user, "ledgers:case-files", "GET"):
        return CaseFiles([], [])
    context = request_context.current()
    if context.cache is not None:
        return _ledger_case_files(user, ledger, wanted)
    # Outside a request (a background job): memoise the grants for this one decision.
    token = request_context.set_current(dataclasses.replace(context, cache={}))
    try:
        return _ledger_case_files(user, ledger, wanted)
    finally:
        request_context.reset(token)


def _ledger_case_files(user, ledger: Ledger, wanted: list[int]) -> CaseFiles:
    from careledger.audit.models import AuditEvent
    from careledger.core import clock

    cases = list(cases_for(user).filter(pk__in=wanted, student__college_id=ledger.college_id).select_related("student"))
    since = clock.now() - timedelta(minutes=REVEAL_MINUTES)
    reveals = set(
        AuditEvent.objects.filter(actor_id=user.pk, action="reveal", at__gte=since)
        .filter(Q(object_type="ledger", object_id=str(ledger.pk)) | Q(object_type="case"))
        .values_list("object_type", "object_id")
    )
    ledger_open = ("ledger", str(ledger.pk)) in reveals
    readable, need_reason = [], []
    for case in cases:
        roles = student_roles(user, case.student)
        if not roles.isdisjoint(ON_CASE) or ledger_open or ("case", str(case.pk)) in reveals:
            readable.append(case.pk)
        elif not roles.isdisjoint(ADMINS):
            need_reason.append(case.pk)
    return CaseFiles(readable, need_reason)


def can_reveal_ledger_case_files(user) -> bool:
    """May ``user`` state a reason to open a ledger's case files (the admins who read ledgers)?"""
    return has_role(user, *ADMINS)


# --- home panels (issue 15: a home page per role) ---

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


def home_panels(user) -> frozenset[str]:
    """Which panels of the home page ``user``'s grants call for (each panel reads only scoped data)."""
    roles = roles_of(user)
    return frozenset(panel for panel, wanted in HOME_PANELS.items() if roles & wanted)


# --- jobs (perf, issue 13) ---


def jobs_for(user) -> QuerySet:
    """Background jobs are their owner's alone (api.md "Long work"): no role sees another's job."""
    from careledger.jobs.models import Job

    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def get_job_for(user, pk: object):
    """The caller's own job, or 404 (audited) for a missing job, another's job or a malformed id."""
    import uuid

    try:
        lookup = {"pk": uuid.UUID(str(pk))}
    except ValueError:
        lookup = {}
    return _fetch(user, jobs_for(user), "job", pk, **lookup)


# --- evidence for the survey (issue 16: screenings, office lists, suggestions) ---
# Screenings are imported by the school office and the psychological centre's department (its code is
# settings.CARELEDGER_PSYCH_DEPARTMENT); each office list by the school office and the department that
# holds it (settings.CARELEDGER_SIGNAL_DEPARTMENTS, kind → department code). Item answers are read only
# by those who may import screenings; everyone else sees a result's level and reason in words.
# Suggestions are seen and decided by the student's counselor and class teacher and the admins.

EVIDENCE_UPLOADERS = frozenset({Role.SCHOOL_ADMIN, Role.DEPARTMENT})
SUGGESTION_DECIDERS = SURVEY_VIEWERS


def _department_codes(user) -> set[str]:
    return {g.department.code for g in grants_of(user) if g.role == Role.DEPARTMENT and g.department_id}


def roster_students(user) -> QuerySet[Student]:
    """Students in ``user``'s roster scope (college, grade, class) — not those seen through a pairing."""
    scope = _roster_scope(user)
    return Student.objects.none() if scope is None else Student.objects.filter(scope)


_roster_students = roster_students


def can_import_screening(user) -> bool:
    from django.conf import settings

    return is_school_admin(user) or settings.CARELEDGER_PSYCH_DEPARTMENT in _department_codes(user)


def reads_item_answers(user) -> bool:
    """Item answers and a result's flags: the school office and the psychological centre only."""
    return can_import_screening(user)


def can_upload_signal(user, kind: str) -> bool:
    from django.conf import settings

    code = settings.CARELEDGER_SIGNAL_DEPARTMENTS.get(kind)
    return is_school_admin(user) or (code is not None and code in _department_codes(user))


def signal_kinds_for(user) -> list[str]:
    from django.conf import settings

    return [k for k in settings.CARELEDGER_SIGNAL_DEPARTMENTS if can_upload_signal(user, k)]


def suggestions_for(user):
    from careledger.evidence.models import Suggestion

    if not has_role(user, *SUGGESTION_DECIDERS):
        return Suggestion.objects.none()
    return Suggestion.objects.filter(student__in=roster_students(user))


def get_suggestion_for(user, pk: object):
    return _fetch(user, suggestions_for(user).select_related("student"), "suggestion", pk, **_pk(pk))


def can_decide_suggestion(user, suggestion) -> bool:
    return not SUGGESTION_DECIDERS.isdisjoint(student_roles(user, suggestion.student))


RULES.update(
    {
        "api:screenings": Rule(read=EVIDENCE_UPLOADERS, write=EVIDENCE_UPLOADERS),
        "api:signals": Rule(write=EVIDENCE_UPLOADERS),
        "api:suggestion-list": Rule(read=SUGGESTION_DECIDERS),
        "api:suggestion-confirm": Rule(write=SUGGESTION_DECIDERS),
        "api:suggestion-decline": Rule(write=SUGGESTION_DECIDERS),
        "evidence:upload": Rule(read=EVIDENCE_UPLOADERS, write=EVIDENCE_UPLOADERS),
        "evidence:pending": Rule(read=SUGGESTION_DECIDERS),
        "evidence:confirm": Rule(write=SUGGESTION_DECIDERS),
        "evidence:decline": Rule(write=SUGGESTION_DECIDERS),
    }
)
