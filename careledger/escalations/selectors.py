"""Reads of escalations, scoped by the access policy; response-time figures for the assessment."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from careledger.accounts import policy
from careledger.escalations import rules
from careledger.escalations.models import Escalation


def escalation_list(user, *, status: str = "") -> QuerySet[Escalation]:
    qs = policy.escalations_for(user)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("student__college", "student__school_class", "student__dorm", "created_by")
        .prefetch_related("departments", "notes__author")
        .order_by("status", "due_at", "-id")
    )


@dataclass
class ResponseFigures:
    unit: str
    escalations: int
    acknowledged: int
    resolved: int
    ack_minutes_median: float | None
    resolve_minutes_median: float | None


def response_figures(
    user, *, since: datetime | None = None, until: datetime | None = None
) -> dict[str, list[ResponseFigures]]:
    """Time to acknowledge and to resolve, per college and per department (minutes, medians)."""
    qs = policy.escalations_for(user)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    by_college: dict[str, list[Escalation]] = defaultdict(list)
    by_department: dict[str, list[Escalation]] = defaultdict(list)
    for e in qs.select_related("student__college").prefetch_related("departments"):
        by_college[e.student.college.name].append(e)
        for d in e.departments.all():
            by_department[d.name].append(e)

    def figures(unit: str, items: list[Escalation]) -> ResponseFigures:
        acked = [e.acknowledged_at - e.created_at for e in items if e.acknowledged_at]
        resolved = [e.resolved_at - e.created_at for e in items if e.resolved_at]
        return ResponseFigures(
            unit, len(items), len(acked), len(resolved), rules.median_minutes(acked), rules.median_minutes(resolved)
        )

    return {
        "colleges": [figures(u, items) for u, items in sorted(by_college.items())],
        "departments": [figures(u, items) for u, items in sorted(by_department.items())],
    }


# --- the reporting loop (issue 14): the departments' de-identified history (who was told: notify.selectors) ---


@dataclass
class HistoryRow:
    """One resolved escalation as a department keeps it: no name, no class, no text."""

    reported_at: datetime
    college: str
    severity: str
    ack_minutes: float | None
    resolve_minutes: float | None


def department_history(user) -> list[HistoryRow]:
    """The resolved escalations addressed to the user's departments, newest first, de-identified (one query)."""
    from careledger.escalations.models import Severity

    labels = dict(Severity.choices)
    rows = (
        policy.resolved_escalations_of_departments(user)
        .order_by("-created_at", "-id")
        .values("id", "created_at", "acknowledged_at", "resolved_at", "severity", "case__student__college__name")[:200]
    )

    def minutes(later, earlier) -> float | None:
        return round((later - earlier).total_seconds() / 60, 1) if later and earlier else None

    return [
        HistoryRow(
            r["created_at"],
            r["case__student__college__name"],
            str(labels.get(r["severity"], r["severity"])),
            minutes(r["acknowledged_at"], r["created_at"]),
            minutes(r["resolved_at"], r["created_at"]),
        )
        for r in rows
    ]
