"""Escalation deadlines (api.md): acknowledge urgent within 1 hour, high within 24, normal within 72."""

from datetime import datetime, timedelta
from statistics import median

ACK_WITHIN = {"urgent": timedelta(hours=1), "high": timedelta(hours=24), "normal": timedelta(hours=72)}


def due_at(severity: str, reported_at: datetime) -> datetime:
    return reported_at + ACK_WITHIN[severity]


def is_overdue(*, status: str, due: datetime, now: datetime) -> bool:
    """Still unacknowledged after its deadline."""
    return status == "open" and now > due


def median_minutes(durations: list[timedelta]) -> float | None:
    return round(median(d.total_seconds() / 60 for d in durations), 1) if durations else None
