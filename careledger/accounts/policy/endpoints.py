"""Endpoint rules: which roles may call a URL (by its name) for reading and for writing. A URL with no rule
is refused to everyone (``RULES``; ``PUBLIC`` lists the few that need no login). Pages are gated by
``PolicyMiddleware``, API views by ``careledger.api.permissions.PolicyPermission`` — both read this table,
and so does the navigation (``nav_for``)."""

from dataclasses import dataclass
from typing import Any

from careledger.accounts.models import Role
from careledger.accounts.policy.roles import (
    ADMINS,
    ANY_ROLE,
    AUDIT_READERS,
    CASE_OPENERS,
    CASE_READERS,
    ESCALATION_ACTORS,
    ESCALATION_READERS,
    ESCALATORS,
    EVIDENCE_UPLOADERS,
    LEDGER_COMPARERS,
    LEDGER_KEEPERS,
    LEDGER_READERS,
    MENTOR_ASSIGNERS,
    NOBODY,
    ON_CASE,
    REOPENERS,
    STATUS_SETTERS,
    STUDENT_READERS,
    SUGGESTION_DECIDERS,
    SURVEY_VIEWERS,
    SURVEYORS,
    AnyUser,
    roles_of,
)
from careledger.audit.services import Action, Outcome, record

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
    "ledgers:compare": Rule(read=LEDGER_COMPARERS),
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
    "api:ledger-compare": Rule(read=LEDGER_COMPARERS),
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


# --- endpoint rules ---


def allows_endpoint(user: AnyUser, url_name: str | None, method: str) -> bool:
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


def audit_denied(
    user: AnyUser, *, object_type: str = "", object_id: object = "", student_no: str = "", why: str = ""
) -> None:
    record(
        actor=user,
        action=Action.DENIED,
        object_type=object_type,
        object_id=object_id,
        student_no=student_no,
        outcome=Outcome.DENIED,
        detail={"reason": why} if why else None,
    )


# The navigation: each entry is shown when the caller may call the URL it leads to (method in brackets).
# evidence (issue 16)
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


NAV: dict[str, tuple[str, str]] = {
    "students": ("students:list", "GET"),
    "accounts": ("accounts:user-list", "GET"),
    "roster_import": ("roster:import", "GET"),
    "cases": ("cases:list", "GET"),
    "open_case": ("cases:new", "GET"),
    "semesters": ("cases:semesters", "GET"),
    "survey": ("ledgers:survey", "GET"),
    "ledger": ("ledgers:open", "POST"),  # the college's own ledger: its keepers
    "school_ledgers": ("ledgers:school", "GET"),
    "escalations": ("escalations:list", "GET"),
    "assessment": ("assessment:dashboard", "GET"),
    "audit": ("audit:list", "GET"),
    "evidence_upload": ("evidence:upload", "GET"),  # evidence (issue 16)
}


def nav_for(user: AnyUser) -> dict[str, bool]:
    """Which navigation entries ``user`` sees: asked of the same rules the views enforce."""
    return {key: allows_endpoint(user, name, method) for key, (name, method) in NAV.items()}


# --- sec (issue 11): SEC-49 — a JSON body that is not an object is a 400 on every endpoint ---


def require_object_body(request: Any) -> None:
    """Parse a JSON body once the caller is let in, so that an array, string, number or null is a 400
    (``ObjectJSONParser``) even on endpoints that never read the body."""
    if request.method in SAFE_METHODS or not (request.content_type or "").startswith("application/json"):
        return
    request.data  # noqa: B018 — parses (ParseError → 400) and caches
