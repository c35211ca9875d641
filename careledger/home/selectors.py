"""What each role's home page shows: the items waiting on the user, read through the policy's scoped querysets."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length

from careledger.accounts import policy
from careledger.cases.categories import Category
from careledger.cases.models import CaseStatus, CategoryEntry
from careledger.core import clock
from careledger.core.models import Semester
from careledger.escalations.models import Escalation, EscalationStatus
from careledger.ledgers import selectors as ledger_selectors


def to_verify(user) -> QuerySet[CategoryEntry]:
    """生理缺陷 entries of open cases in the user's scope still waiting for 班主任核实情况."""
    return (
        CategoryEntry.objects.filter(
            category=Category.PHYSICAL, case__status=CaseStatus.OPEN, case__in=policy.cases_for(user)
        )
        .annotate(verified_len=Length("verification"))
        .filter(Q(verified_len=0) | Q(verification__isnull=True))
        .select_related("case__student__school_class")
        .order_by("case__student__school_class__name", "case__student__student_no")
    )


@dataclass
class Report:
    escalation: Escalation
    overdue: bool
    minutes_left: int


def waiting_reports(user, *, limit: int = 20) -> list[Report]:
    """Reports addressed to the user not yet acknowledged or resolved, the nearest deadline first."""
    now = clock.now()
    qs = (
        policy.escalations_for(user)
        .exclude(status=EscalationStatus.RESOLVED)
        .select_related("case__student__college")
        .order_by("status", "due_at", "id")[:limit]
    )
    return [Report(e, e.due_at < now, int((e.due_at - now).total_seconds() // 60)) for e in qs]


def recent_reports(user, *, limit: int = 10) -> QuerySet[Escalation]:
    return (
        policy.escalations_for(user)
        .filter(status=EscalationStatus.RESOLVED)
        .select_related("case__student__college")
        .order_by("-resolved_at", "-id")[:limit]
    )


def unacknowledged(user) -> dict[str, int]:
    """Escalations in scope nobody has acknowledged yet, and how many of them are past their deadline."""
    return (
        policy.escalations_for(user)
        .filter(status=EscalationStatus.OPEN)
        .aggregate(waiting=Count("pk"), late=Count("pk", filter=Q(due_at__lt=clock.now())))
    )


@dataclass
class LedgerStates:
    semester: Semester
    by_status: dict[str, int]
    late_colleges: list[str]
    rows: list  # ledger_selectors.CollegeRow, for the user's own college(s)


def ledger_states(user, semester: Semester) -> LedgerStates:
    rows = [r for r in ledger_selectors.school_overview(user, semester) if _sees_college(user, r.college)]
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    return LedgerStates(semester, by_status, [r.college.name for r in rows if r.overdue], rows)


def _sees_college(user, college) -> bool:
    return policy.can_keep_ledger(user, college) or policy.can_review_ledger(user)
