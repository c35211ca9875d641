"""Reads of the roster, always through the policy's scoped querysets."""

from django.db.models import Count, Q, QuerySet

from careledger.accounts import policy
from careledger.roster.models import Student

# perf (issue 13): what no student list shows.
LIST_DEFERRED = ("parent_name", "parent_phone", "id_number", "birth_date", "native_place", "created_at", "updated_at")


def student_search(
    *,
    user,
    q: str = "",
    college: str = "",
    grade: str = "",
    school_class: str = "",
    include_inactive: bool = False,
) -> QuerySet[Student]:
    """Students in ``user``'s scope matching ``q`` (学号 prefix, name, or pinyin initials) and filters.

    The filters only narrow the scoped queryset; they can never widen it (SEC-11).
    """
    qs = policy.students_for(user)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    q = q.strip()
    if q:
        if q.isdigit():
            qs = qs.filter(student_no__startswith=q)
        elif q.isascii() and q.isalpha():
            qs = qs.filter(name_initials__startswith=q.lower())
        else:
            qs = qs.filter(name__contains=q)
    if college:
        qs = qs.filter(college__name=college)
    if grade:
        qs = qs.filter(grade=grade.removesuffix("级"))
    if school_class:
        qs = qs.filter(school_class__name=school_class)
    # A list shows neither the encrypted columns nor the rest: they are not loaded (nor decrypted).
    return qs.select_related("college", "major", "school_class", "dorm").defer(*LIST_DEFERRED).order_by("student_no")


def student_counts_for(user) -> dict[str, int]:
    return policy.students_for(user).aggregate(
        active=Count("pk", filter=Q(is_active=True)), inactive=Count("pk", filter=Q(is_active=False))
    )
