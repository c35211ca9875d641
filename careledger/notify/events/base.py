"""The loop's events (careledger.notify.events): who is told, and how one message is told to them —
with the student's name for those the policy lets see the student, without it for the others."""

import functools
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role, User
from careledger.cases.categories import Category
from careledger.core import clock
from careledger.notify.services import notify


def in_school_language(event):
    """A message is stored once and read by many, also by e-mail: written in the school's language, not in
    the language of whoever happened to cause it."""

    @functools.wraps(event)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return event(*args, **kwargs)

    return wrapper


def active_users(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active:
            seen.setdefault(user.pk, user)
    return [seen[pk] for pk in sorted(seen)]


def school_admins() -> list[User]:
    return list(User.objects.filter(is_active=True, grants__role=Role.SCHOOL_ADMIN).distinct())


def college_admins(college_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True, grants__role=Role.COLLEGE_ADMIN, grants__college_id=college_id).distinct()
    )


def section_users(categories: Iterable[str]) -> dict[int, tuple[User, list[str]]]:
    """Each active section user whose section acts on one of ``categories``, with those categories."""
    wanted = set(categories)
    out: dict[int, tuple[User, list[str]]] = {}
    theirs: dict[int, set[str]] = {}
    users: dict[int, User] = {}
    section_grants = Grant.objects.filter(role=Role.SECTION, user__is_active=True, section__isnull=False)
    for grant in section_grants.select_related("user", "section"):
        users[grant.user_id] = grant.user
        theirs.setdefault(grant.user_id, set()).update(set(grant.section.categories) & wanted)
    for pk, codes in theirs.items():
        if codes:
            out[pk] = (users[pk], [c for c in Category.values if c in codes])
    return out


def department_users(departments) -> list[User]:
    ids = [d.pk for d in departments]
    if not ids:
        return []
    return list(
        User.objects.filter(is_active=True, grants__role=Role.DEPARTMENT, grants__department_id__in=ids).distinct()
    )


def tell(
    *,
    users: Iterable[User],
    student=None,
    kind: str,
    key: str,
    link: str,
    title: str,
    body: str,
    title_named: str = "",
    body_named: str = "",
    departments=(),
) -> None:
    """One message to ``users`` (and the channels of ``departments``): with the student's name for those who
    may see the student, without it for the others. Each person gets exactly one inbox message."""
    users = active_users(users)
    named: list[User] = []
    unnamed: list[User] = []
    for user in users:
        (named if student is not None and title_named and policy.may_name_student(user, student) else unnamed).append(
            user
        )
    if named:
        notify(
            users=named,
            kind=kind,
            subject=title_named,
            body=body_named or body,
            link=link,
            dedupe_key=f"{key}:named",
        )
    if unnamed or departments:
        notify(
            users=unnamed,
            departments=departments,
            department_inbox=False,  # the department's users are in ``users`` already
            kind=kind,
            subject=title,
            body=body,
            link=link,
            dedupe_key=key,
        )


def when(moment) -> str:
    return f"{clock.local_time(moment):%Y-%m-%d %H:%M}"


def where(student) -> str:
    return f"{student.college.name} {student.school_class.name}"


def person(user: User | None) -> str:
    return (user.name or user.username) if user else ""
