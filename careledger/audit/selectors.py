"""Searching the audit trail: one filter for the /audit/ page, its exports and GET /api/v1/audit/."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext as _

from careledger.audit.models import AuditEvent

# Query parameters (names as in api.md: actor, student, action, since; plus until and outcome).
FILTERS = ("actor", "student", "action", "outcome", "since", "until")


class FilterError(ValueError):
    """A filter value is malformed; ``errors`` maps the parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    student: str = ""
    action: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive upper bound

    @property
    def used(self) -> list[str]:
        """The names of the filters in use (audited: names, not values)."""
        return [name for name in FILTERS if getattr(self, name)]


def _moment(raw: str, *, end: bool) -> datetime | None:
    """A date (the whole local day: its start, or for ``end`` the next day's start) or a datetime."""
    raw = raw.strip()
    day = parse_date(raw) if len(raw) == 10 else None
    if day is not None:
        start = make_aware(datetime.combine(day + timedelta(days=1) if end else day, time.min), get_current_timezone())
        return start
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        return None
    if is_naive(moment):
        moment = make_aware(moment, get_current_timezone())
    return moment + timedelta(microseconds=1) if end else moment


def parse_filter(params) -> AuditFilter:
    """Read the filters from a QueryDict; raise FilterError for malformed values."""
    # action and outcome are matched as given: an unknown word simply matches nothing.
    errors: dict[str, list[str]] = {}
    action = params.get("action", "").strip()[:20]
    outcome = params.get("outcome", "").strip()[:10]
    bounds: dict[str, datetime | None] = {}
    for name in ("since", "until"):
        raw = params.get(name, "").strip()
        bounds[name] = None
        if raw:
            try:
                bounds[name] = _moment(raw, end=name == "until")
            except (ValueError, OverflowError):
                bounds[name] = None
            if bounds[name] is None:
                errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
    if errors:
        raise FilterError(errors)
    return AuditFilter(
        actor=params.get("actor", "").strip()[:150],
        student=params.get("student", "").strip()[:20],
        action=action,
        outcome=outcome,
        since=bounds["since"],
        until=bounds["until"],
    )


def audit_search(f: AuditFilter) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.order_by("-id")
    if f.actor:
        qs = qs.filter(actor_username=f.actor)
    if f.student:
        qs = qs.filter(student_no=f.student)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    return qs
