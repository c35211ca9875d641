"""The loop's events for escalations (安全隐患上报): reported, acknowledged, resolved."""

from django.utils.translation import gettext as _

from careledger.accounts.models import User
from careledger.notify.events.base import (
    college_admins,
    department_users,
    in_school_language,
    person,
    tell,
    when,
    where,
)


@in_school_language
def escalation_reported(escalation) -> None:
    student = escalation.student
    departments = list(escalation.departments.all())
    severity = escalation.get_severity_display()
    due = when(escalation.due_at)
    title = _("【重大安全隐患·%(s)s】%(w)s 一名学生") % {"s": severity, "w": where(student)}
    title_named = _("【重大安全隐患·%(s)s】%(w)s %(n)s") % {"s": severity, "w": where(student), "n": student.name}
    body = _("%(w)s 一名学生有重大安全隐患（%(s)s），请于 %(d)s 前确认收到。") % {
        "w": where(student),
        "s": severity,
        "d": due,
    }
    body_named = _("%(w)s %(n)s 有重大安全隐患（%(s)s），请于 %(d)s 前确认收到。") % {
        "w": where(student),
        "n": student.name,
        "s": severity,
        "d": due,
    }
    tell(
        users=college_admins(student.college_id) + department_users(departments),
        departments=departments,
        student=student,
        kind="escalation",
        key=f"escalation-new-{escalation.pk}",
        link=f"/escalations/{escalation.pk}/",
        title=title,
        body=body,
        title_named=title_named,
        body_named=body_named,
    )


def _escalation_step(escalation, *, kind: str, verb: str, by: User, at) -> None:
    student = escalation.student
    title = _("您上报的安全隐患%(v)s") % {"v": verb}
    title_named = _("您上报的安全隐患（%(n)s）%(v)s") % {"n": student.name, "v": verb}
    body = _("%(w)s 一名学生的安全隐患上报已由 %(p)s 于 %(t)s %(v)s。") % {
        "w": where(student),
        "p": person(by),
        "t": when(at),
        "v": verb,
    }
    body_named = _("%(w)s %(n)s 的安全隐患上报已由 %(p)s 于 %(t)s %(v)s。") % {
        "w": where(student),
        "n": student.name,
        "p": person(by),
        "t": when(at),
        "v": verb,
    }
    tell(
        users=[escalation.created_by],
        student=student,
        kind=kind,
        key=f"{kind}-{escalation.pk}",
        link=f"/escalations/{escalation.pk}/",
        title=title,
        body=body,
        title_named=title_named,
        body_named=body_named,
    )


@in_school_language
def escalation_acknowledged(escalation) -> None:
    _escalation_step(
        escalation,
        kind="escalation_acknowledged",
        verb=_("确认收到"),
        by=escalation.acknowledged_by,
        at=escalation.acknowledged_at,
    )


@in_school_language
def escalation_resolved(escalation) -> None:
    _escalation_step(
        escalation, kind="escalation_resolved", verb=_("处置完毕"), by=escalation.resolved_by, at=escalation.resolved_at
    )
