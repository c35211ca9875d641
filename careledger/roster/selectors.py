"""Reads of the roster, always through the policy's scoped querysets."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from careledger.accounts import policy
from careledger.roster.models import EnrolmentStatus, Student, StudentStatus

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


# --- 学籍状态 (student status with history; product.md "Student status") ---
#
# A student with no StudentStatus entry is 在校. An entry holds from its ``since`` until the next entry's.
# ``away_periods`` is what the compliance rules consume: the days a student is NOT 在校.

_NOTE_LABELS = {
    EnrolmentStatus.LEAVE: "休学",
    EnrolmentStatus.WITHDRAWN: "退学",
    EnrolmentStatus.GRADUATED: "毕业",
    EnrolmentStatus.TRANSFERRED: "转出",
}


def _entries(student: Student) -> list[StudentStatus]:
    """The student's history, oldest first (from a prefetch of ``status_history`` when there is one)."""
    return sorted(student.status_history.all(), key=lambda e: (e.since, e.pk))


def status_entry_on(student: Student, day: date) -> StudentStatus | None:
    """The entry in force on ``day``, or None (在校, no entry)."""
    held = [e for e in _entries(student) if e.since <= day]
    return held[-1] if held else None


def status_on(student: Student, day: date) -> str:
    """The student's 学籍状态 (an EnrolmentStatus value) on ``day``."""
    entry = status_entry_on(student, day)
    return entry.status if entry else EnrolmentStatus.ENROLLED


def status_note(student: Student, as_of: date) -> str:
    """The ledger's 备注 for a student who is not 在校 on ``as_of``, e.g. ``休学（自2026年10月8日）``; "" when 在校.

    Always Chinese: it is text of the official ledger (附件1), whoever's language the page is in.
    """
    entry = status_entry_on(student, as_of)
    if entry is None or entry.status == EnrolmentStatus.ENROLLED:
        return ""
    since = entry.since
    return f"{_NOTE_LABELS[entry.status]}（自{since.year}年{since.month}月{since.day}日）"


def away_periods(student_ids: Iterable[int], start: date, end: date) -> dict[int, list[tuple[date, date]]]:
    """For each of ``student_ids``: the days of ``start``..``end`` (both included) on which the student is
    NOT 在校, as sorted, disjoint, non-adjacent (first, last) pairs; [] for a student 在校 throughout.
    One query, whatever the number of students."""
    ids = list(dict.fromkeys(student_ids))
    out: dict[int, list[tuple[date, date]]] = {pk: [] for pk in ids}
    history: dict[int, list[tuple[date, str]]] = {}
    rows = (
        StudentStatus.objects.filter(student_id__in=ids, since__lte=end)
        .order_by("student_id", "since", "id")
        .values_list("student_id", "since", "status")
    )
    for student_id, since, status in rows:
        history.setdefault(student_id, []).append((since, status))
    for student_id, entries in history.items():
        periods = out[student_id]
        for i, (since, status) in enumerate(entries):
            if status == EnrolmentStatus.ENROLLED:
                continue
            until = entries[i + 1][0] - timedelta(days=1) if i + 1 < len(entries) else end
            first, last = max(since, start), min(until, end)
            if first > last:
                continue
            if periods and periods[-1][1] >= first - timedelta(days=1):
                periods[-1] = (periods[-1][0], max(periods[-1][1], last))
            else:
                periods.append((first, last))
    return out


def status_entries_on(student_ids: Iterable[int], day: date) -> dict[int, StudentStatus]:
    """{student_id: the entry in force on ``day``} for those of ``student_ids`` who are NOT 在校 then (one query)."""
    out: dict[int, StudentStatus] = {}
    for entry in StudentStatus.objects.filter(student_id__in=list(student_ids), since__lte=day).order_by("since", "id"):
        out[entry.student_id] = entry
    return {pk: e for pk, e in out.items() if e.status != EnrolmentStatus.ENROLLED}
