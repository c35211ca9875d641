"""Reads of the outbox for the pages and the API above notify."""

from dataclasses import dataclass
from datetime import datetime

from careledger.escalations.models import Escalation
from careledger.notify.models import Delivery


@dataclass
class Told:
    name: str
    channel: str
    at: datetime | None  # None while a channel delivery waits to be sent
    status: str


def escalation_told(escalation: Escalation) -> list[Told]:
    """Everyone (and every channel) the escalation's messages went to, in order: the report to the college
    and departments, and the raise to the school when it was overdue (one query)."""
    keys = [f"escalation-new-{escalation.pk}", f"escalation-new-{escalation.pk}:named"]
    keys.append(f"escalation-overdue-{escalation.pk}")
    deliveries = (
        Delivery.objects.filter(message__dedupe_key__in=keys)
        .select_related("user", "channel__user", "channel__department")
        .order_by("id")
    )
    out = []
    for d in deliveries:
        if d.user_id:
            name = d.user.name or d.user.username
        elif d.channel.department_id:
            name = d.channel.department.name
        else:
            name = d.channel.user.name or d.channel.user.username
        out.append(Told(name, d.get_kind_display(), d.sent_at, d.status))
    return out
