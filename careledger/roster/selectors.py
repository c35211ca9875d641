"""Reads of the roster, always through the policy's scoped querysets."""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from careledger.accounts import policy
from careledger.roster.models import EnrolmentStatus, Student, StudentStatus


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
    return qs.select_related("college", "major", "school_class", "dorm").order_by("student_no")


def student_counts_for(user) -> dict[str, int]:
    return policy.students_for(user).aggregate(
        active=Count("pk", filter=Q(is_active=True)), inactive=Count("pk", filter=Q(is_active=False))
    )


# --- student status (学籍状态) as the compliance rules read it (issue 12; also written by "cal": keep one) ---


def away_periods(student_ids, start, end) -> dict[int, list[tuple[date, date]]]:
    """Per student, the runs of days from ``start`` to ``end`` (inclusive) on which they were not 在校.

    A StudentStatus row whose status is not ``enrolled`` holds from its ``since`` until the day before the
    next row's ``since`` (open-ended for the last row). Runs are clipped to start..end, adjacent runs are
    merged, and students with no away day are left out (read with ``.get(pk, [])``). One query.
    """
    rows = (
        StudentStatus.objects.filter(student_id__in=student_ids, since__lte=end)
        .order_by("student_id", "since", "id")
        .values_list("student_id", "status", "since")
    )
    history: dict[int, list[tuple[str, date]]] = {}
    for student_id, status, since in rows:
        history.setdefault(student_id, []).append((status, since))
    out: dict[int, list[tuple[date, date]]] = {}
    for student_id, entries in history.items():
        runs: list[tuple[date, date]] = []
        for i, (status, since) in enumerate(entries):
            if status == EnrolmentStatus.ENROLLED:
                continue
            until = entries[i + 1][1] - timedelta(days=1) if i + 1 < len(entries) else end
            first, last = max(since, start), min(until, end)
            if first > last:
                continue
            if runs and runs[-1][1] + timedelta(days=1) >= first:
                runs[-1] = (runs[-1][0], max(runs[-1][1], last))
            else:
                runs.append((first, last))
        if runs:
            out[student_id] = runs
    return out
