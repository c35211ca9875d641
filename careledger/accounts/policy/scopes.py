"""Scoped querysets and fetch-and-authorise helpers.

``students_for(user)``, ``cases_for(user)`` … return only what the user may see and fall through to
``.none()``; ``get_student_for(user, student_no)`` … raise 404 for "missing" and "not yours" alike and
record the denial in the audit trail (``audit_denied``)."""

import uuid
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from careledger.accounts.models import Grant, Role, User
from careledger.accounts.policy.endpoints import audit_denied
from careledger.accounts.policy.roles import (
    CASE_READERS,
    COLLEGE_SCOPED,
    LEDGER_KEEPERS,
    SUGGESTION_DECIDERS,
    AnyUser,
    grants_of,
    has_role,
    roles_of,
)
from careledger.cases.models import Attachment, Case, Mentorship
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger
from careledger.notify.models import Channel
from careledger.roster.models import College, Student

M = TypeVar("M", bound=Model)


# --- students and cases ---


def _roster_scope(user: AnyUser, prefix: str = "") -> Q | None:
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


def _current_pairings(user: AnyUser) -> QuerySet[Mentorship]:
    return Mentorship.objects.current().filter(mentor=user)


def students_for(user: AnyUser) -> QuerySet[Student]:
    parts = [q for q in [_roster_scope(user)] if q is not None]
    if has_role(user, Role.MENTOR):
        parts.append(Q(pk__in=_current_pairings(user).values("case__student_id")))
    scope = _any(parts)
    return Student.objects.none() if scope is None else Student.objects.filter(scope)


def _fetch(
    user: AnyUser, scoped: QuerySet[M], object_type: str, key: object, *, student_no: str = "", **lookup: Any
) -> M:
    """One object of ``scoped`` (already limited to what ``user`` may see) or 404 with an audited denial —
    the same answer for "missing" and "not yours", so IDs reveal nothing."""
    found = scoped.filter(**lookup).first() if lookup else None
    if found is None:
        audit_denied(user, object_type=object_type, object_id=key, student_no=student_no, why="scope")
        raise Http404(object_type)
    return found


def _pk(value: object) -> dict[str, Any]:
    """A primary-key lookup for a value as it came in (a URL or JSON field), or none for a non-number."""
    return {"pk": int(str(value))} if str(value).isdigit() else {}


def get_student_for(user: AnyUser, student_no: str) -> Student:
    """The student, if ``user`` may see them; 404 (and an audited denial) for missing and forbidden alike."""
    scoped = students_for(user).select_related("college", "major", "school_class", "dorm")
    return _fetch(user, scoped, "student", student_no, student_no=student_no, student_no__exact=student_no)


def cases_for(user: AnyUser) -> QuerySet[Case]:
    parts = [q for q in [_roster_scope(user, "student__")] if q is not None]
    if has_role(user, Role.MENTOR):
        parts.append(Q(pk__in=_current_pairings(user).values("case_id")))
    scope = _any(parts)
    return Case.objects.none() if scope is None else Case.objects.filter(scope)


def get_case_for(user: AnyUser, pk: object) -> Case:
    """The case, if ``user`` may see it; 404 (and an audited denial) for missing and forbidden alike."""
    return _fetch(user, cases_for(user).select_related("student"), "case", pk, **_pk(pk))


def get_attachment_for(user: AnyUser, pk: int) -> Attachment:
    """An attachment of a case ``user`` may see; 404 (audited) otherwise."""
    scoped = Attachment.objects.select_related("case__student").filter(case__in=cases_for(user))
    return _fetch(user, scoped, "attachment", pk, **_pk(pk))


def student_roles(user: AnyUser, student: Student) -> frozenset[str]:
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


def case_roles(user: AnyUser, case: Case) -> frozenset[str]:
    """The roles ``user`` holds towards ``case``: roster roles plus mentor when currently paired."""
    roles = set(student_roles(user, case.student))
    if has_role(user, Role.MENTOR) and _current_pairings(user).filter(case_id=case.pk).exists():
        roles.add(Role.MENTOR)
    return frozenset(roles)


# --- ledgers ---


def ledgers_for(user: AnyUser) -> QuerySet[Ledger]:
    if has_role(user, Role.SCHOOL_ADMIN, Role.SECTION):
        return Ledger.objects.all()
    ids = [g.college_id for g in grants_of(user) if g.role in LEDGER_KEEPERS and g.college_id]
    return Ledger.objects.filter(college_id__in=ids)


def get_ledger_for(user: AnyUser, pk: object) -> Ledger:
    return _fetch(user, ledgers_for(user).select_related("semester", "college"), "ledger", pk, **_pk(pk))


def kept_colleges(user: AnyUser) -> QuerySet[College]:
    """The colleges whose ledger ``user`` keeps (a counselor's or college_admin's own college)."""
    ids = {g.college_id for g in grants_of(user) if g.role in LEDGER_KEEPERS and g.college_id}
    return College.objects.filter(pk__in=ids)


def comparable_colleges(user: AnyUser) -> QuerySet[College]:
    """The colleges whose semesters ``user`` may compare: all for the school office, else the kept ones."""
    if has_role(user, Role.SCHOOL_ADMIN):
        return College.objects.all()
    return kept_colleges(user)


def get_comparable_college_for(user: AnyUser, name: str) -> College:
    """A college to compare by its name; 404 (audited) for an unknown one and one out of scope alike."""
    return _fetch(user, comparable_colleges(user), "college", name, **({"name": name} if name else {}))


# --- escalations ---


def _department_ids(user: AnyUser) -> list[int]:
    return [g.department_id for g in grants_of(user) if g.role == Role.DEPARTMENT and g.department_id]


def escalations_for(user: AnyUser) -> QuerySet[Escalation]:
    """Escalations on cases the user may see, plus — for department users — those addressed to their
    department while not yet resolved (SEC-13)."""
    parts = []
    if has_role(user, Role.SCHOOL_ADMIN):
        return Escalation.objects.all()
    if not roles_of(user).isdisjoint(CASE_READERS):
        parts.append(Q(case__in=cases_for(user)))
        # evidence (issue 16): a screening's urgent escalation on a student without an open case
        parts.append(Q(case__isnull=True, student__in=roster_students(user)))
    departments = _department_ids(user)
    if departments:
        parts.append(Q(departments__in=departments) & ~Q(status="resolved"))
    scope = _any(parts)
    return Escalation.objects.none() if scope is None else Escalation.objects.filter(scope).distinct()


def get_escalation_for(user: AnyUser, pk: object) -> Escalation:
    scoped = escalations_for(user).select_related(
        "case__student__college", "case__student__school_class", "case__student__dorm"
    )
    return _fetch(user, scoped, "escalation", pk, **_pk(pk))


def resolved_escalations_of_departments(user: AnyUser) -> QuerySet[Escalation]:
    """Resolved escalations that were addressed to the user's departments. A department keeps only a
    de-identified history of them (date, college, severity, response times): callers read those columns
    and nothing of the student or the case (SEC-13). (loop, issue 14)"""
    departments = _department_ids(user)
    if not departments:
        return Escalation.objects.none()
    return Escalation.objects.filter(departments__in=departments, status="resolved").distinct()


# --- notification channels ---


def channels_for(user: AnyUser) -> QuerySet[Channel]:
    """Channels ``user`` manages: their own; the school office also the departments'."""
    qs = Channel.objects.select_related("user", "department")
    if user.pk is None:
        return qs.none()
    if has_role(user, Role.SCHOOL_ADMIN):
        return qs.filter(Q(user_id=user.pk) | Q(department__isnull=False))
    return qs.filter(user_id=user.pk)


# --- colleges and accounts ---


def administered_colleges(user: AnyUser) -> QuerySet[College]:
    """Colleges whose accounts and roster ``user`` administers."""
    if has_role(user, Role.SCHOOL_ADMIN):
        return College.objects.all()
    ids = [g.college_id for g in grants_of(user) if g.role == Role.COLLEGE_ADMIN and g.college_id]
    return College.objects.filter(pk__in=ids)


def users_for(user: AnyUser) -> QuerySet[User]:
    """Accounts ``user`` may see and manage: all for school_admin; the college's staff for college_admin."""
    if has_role(user, Role.SCHOOL_ADMIN):
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


def get_user_for(user: AnyUser, pk: int) -> User:
    return _fetch(user, users_for(user), "user", pk, **_pk(pk))


def managed_users_for(user: AnyUser) -> QuerySet[User]:
    """``users_for`` without the caller: the accounts whose grants and credentials ``user`` may change
    (grant pages, staff import, second-factor reset) — SEC-46."""
    return users_for(user).exclude(pk=getattr(user, "pk", None) or 0)


def get_managed_user_for(user: AnyUser, pk: object) -> User:
    return _fetch(user, managed_users_for(user), "user", pk, **_pk(pk))


def roster_students(user: AnyUser) -> QuerySet[Student]:
    """Students in ``user``'s roster scope (college, grade, class) — not those seen through a pairing."""
    scope = _roster_scope(user)
    return Student.objects.none() if scope is None else Student.objects.filter(scope)


def helper_candidates_for(user: AnyUser, case: Case) -> QuerySet[Student]:
    """Students ``user`` may add to ``case``'s 帮扶小组 (finding 13 of issue 11): active students of the case's
    college that the caller may see. Missing and out of scope answer alike; no other name is resolved."""
    return students_for(user).filter(college_id=case.student.college_id, is_active=True)


# --- jobs (perf, issue 13) ---


def jobs_for(user: AnyUser) -> QuerySet[Any]:
    """Background jobs are their owner's alone (api.md "Long work"): no role sees another's job."""
    from careledger.jobs.models import Job  # jobs sits above accounts: its model is read late

    if not isinstance(user, User) or not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def get_job_for(user: AnyUser, pk: object) -> Any:
    """The caller's own job, or 404 (audited) for a missing job, another's job or a malformed id."""
    lookup: dict[str, Any]
    try:
        lookup = {"pk": uuid.UUID(str(pk))}
    except ValueError:
        lookup = {}
    return _fetch(user, jobs_for(user), "job", pk, **lookup)


# --- evidence (issue 16): suggestions are seen by the student's counselor and class teacher and the admins ---


def suggestions_for(user: AnyUser) -> QuerySet[Any]:
    from careledger.evidence.models import Suggestion  # evidence sits above accounts: its model is read late

    if roles_of(user).isdisjoint(SUGGESTION_DECIDERS):
        return Suggestion.objects.none()
    return Suggestion.objects.filter(student__in=roster_students(user))


def get_suggestion_for(user: AnyUser, pk: object) -> Any:
    return _fetch(user, suggestions_for(user).select_related("student"), "suggestion", pk, **_pk(pk))
