"""Daily reminders (`careledger remind`): what is due, told before it is late — once.

- Each mentor, counselor and class teacher: one digest of their open cases' talks and dorm visits
  overdue or due within 3 days, and the key periods (考前, 放假前后) starting within 3 days.
- Each college's ledger keepers (counselors, college_admin): 7 days and 1 day before the ledger due
  date, and once when it is overdue, while the ledger is not submitted.
Every message has a dedupe key (user and day; semester, college and stage), so running the command
twice, or on a day it already ran, sends nothing twice.
"""

from datetime import date, timedelta

from django.db import transaction

from careledger.accounts import policy
from careledger.accounts.models import Role, User
from careledger.cases.models import CaseStatus
from careledger.cases.selectors import current_calendar, current_semester, only_overdue
from careledger.contacts.models import ComplianceWindow
from careledger.core import clock
from careledger.ledgers import rules as ledger_rules
from careledger.ledgers.models import Ledger
from careledger.notify.services import notify
from careledger.roster.models import College

SOON = timedelta(days=3)
CASE_ROLES = (Role.MENTOR, Role.COUNSELOR, Role.CLASS_TEACHER)


def _digest_lines(user: User, today: date, cal) -> list[str]:
    """Counted by SQL on the maintained compliance table: no case or contact is loaded."""
    cases = policy.cases_for(user).filter(status=CaseStatus.OPEN).order_by()
    has_cases = cases.exists()
    lines = []
    if has_cases and cal is not None:
        overdue = only_overdue(cases, cal).count()
        due = ComplianceWindow.objects.filter(
            case_id__in=cases.values("pk"),
            met=False,
            start__gte=cal.start,
            start__lte=today,
            end__gte=today,
            end__lte=min(cal.end, today + SOON),
        ).count()
        if overdue:
            lines.append(f"{overdue} 名学生的谈心或下寝室已逾期")
        if due:
            lines.append(f"{due} 项谈心或下寝室将在 3 天内到期")
    if cal is not None and has_cases:
        for period in cal.key_periods:
            if today <= period.start <= today + SOON:
                lines.append(f"重点时段「{period.name}」{period.start:%m月%d日}开始，请安排谈心")
    return lines


def remind_digests(today: date | None = None) -> int:
    today = today or clock.today()
    cal = current_calendar()
    sent = 0
    users = User.objects.filter(is_active=True, grants__role__in=CASE_ROLES).distinct().order_by("pk")
    for user in users:
        lines = _digest_lines(user, today, cal)
        if not lines:
            continue
        with transaction.atomic():
            made = notify(
                users=[user],
                kind="reminder",
                subject="今日关爱提醒",
                body="；".join(lines) + "。",
                link="/work/",
                dedupe_key=f"digest:{user.pk}:{today.isoformat()}",
            )
        sent += made is not None
    return sent


def _ledger_stage(days_left: int) -> str | None:
    if days_left < 0:
        return "overdue"
    if days_left <= 1:
        return "1"
    if days_left <= 7:
        return "7"
    return None


def remind_ledgers(today: date | None = None) -> int:
    today = today or clock.today()
    semester = current_semester()
    if semester is None:
        return 0
    stage = _ledger_stage((semester.ledger_due - today).days)
    if stage is None:
        return 0
    done = set(
        Ledger.objects.filter(semester=semester, status__in=ledger_rules.FROZEN).values_list("college_id", flat=True)
    )
    text = {
        "7": f"{semester.name}台账须于 {semester.ledger_due:%m月%d日} 前上报学工处（还有 7 天内）。",
        "1": f"{semester.name}台账明天（{semester.ledger_due:%m月%d日}）截止上报。",
        "overdue": f"{semester.name}台账已过截止日期（{semester.ledger_due:%m月%d日}），请尽快上报。",
    }[stage]
    sent = 0
    for college in College.objects.exclude(pk__in=done).order_by("pk"):
        keepers = list(
            User.objects.filter(
                is_active=True, grants__role__in=policy.LEDGER_KEEPERS, grants__college=college
            ).distinct()
        )
        if not keepers:
            continue
        with transaction.atomic():
            made = notify(
                users=keepers,
                kind="ledger_due",
                subject="台账上报提醒",
                body=f"{college.name}：{text}",
                link="/ledgers/",
                dedupe_key=f"ledger-due:{semester.pk}:{college.pk}:{stage}",
            )
        sent += made is not None
    return sent
