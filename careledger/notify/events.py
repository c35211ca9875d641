"""Who is told of what in the reporting loop (api.md, "Notifications"). Each function is called by the
service that makes the event, inside its transaction, and stores its messages in the outbox there.

| event                                          | told                                                  |
|------------------------------------------------|-------------------------------------------------------|
| an escalation is reported                      | the college's college_admins and the chosen departments |
| an escalation is acknowledged / resolved       | its reporter                                          |
| a ledger is submitted (or resubmitted)         | the school_admins, and each section for its categories |
| a ledger is returned (comment) or accepted     | who submitted it and the college's college_admins     |
| an addendum (随时上报) arrives                  | the school_admins, and the section of its category    |
| a closure (撤销建档) is requested               | the college's college_admins                          |
| a closure is approved or rejected              | who requested it                                      |
| a mentor is paired with a case                 | that mentor                                           |

A message names the student only to a person the policy lets see that student (``policy.may_name_student``);
everyone else gets the same message without the name. Bodies carry the least detail needed: never case,
psychological or medical text (the message also leaves the system by e-mail and group robots).
"""

import functools
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import Grant, Role, User
from careledger.cases.categories import Category
from careledger.core import clock
from careledger.ledgers.records import load_snapshot
from careledger.notify.services import notify


def _in_school_language(event):
    """A message is stored once and read by many, also by e-mail: written in the school's language, not in
    the language of whoever happened to cause it."""

    @functools.wraps(event)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return event(*args, **kwargs)

    return wrapper


def _users(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active:
            seen.setdefault(user.pk, user)
    return [seen[pk] for pk in sorted(seen)]


def school_admins() -> list[User]:
    return list(User.objects.filter(is_active=True, grants__role=Role.SCHOOL_ADMIN).distinct())


def college_admins(college_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True, grants__role=Role.COLLEGE_ADMIN, grants__college_id=college_id).distinct()
    )


def section_users(categories: Iterable[str]) -> dict[int, tuple[User, list[str]]]:
    """Each active section user whose section acts on one of ``categories``, with those categories."""
    wanted = set(categories)
    out: dict[int, tuple[User, list[str]]] = {}
    theirs: dict[int, set[str]] = {}
    users: dict[int, User] = {}
    section_grants = Grant.objects.filter(role=Role.SECTION, user__is_active=True, section__isnull=False)
    for grant in section_grants.select_related("user", "section"):
        users[grant.user_id] = grant.user
        theirs.setdefault(grant.user_id, set()).update(set(grant.section.categories) & wanted)
    for pk, codes in theirs.items():
        if codes:
            out[pk] = (users[pk], [c for c in Category.values if c in codes])
    return out


def department_users(departments) -> list[User]:
    ids = [d.pk for d in departments]
    if not ids:
        return []
    return list(
        User.objects.filter(is_active=True, grants__role=Role.DEPARTMENT, grants__department_id__in=ids).distinct()
    )


def _tell(
    *,
    users: Iterable[User],
    student=None,
    kind: str,
    key: str,
    link: str,
    title: str,
    body: str,
    title_named: str = "",
    body_named: str = "",
    departments=(),
) -> None:
    """One message to ``users`` (and the channels of ``departments``): with the student's name for those who
    may see the student, without it for the others. Each person gets exactly one inbox message."""
    users = _users(users)
    named: list[User] = []
    unnamed: list[User] = []
    for user in users:
        (named if student is not None and title_named and policy.may_name_student(user, student) else unnamed).append(
            user
        )
    if named:
        notify(
            users=named,
            kind=kind,
            subject=title_named,
            body=body_named or body,
            link=link,
            dedupe_key=f"{key}:named",
        )
    if unnamed or departments:
        notify(
            users=unnamed,
            departments=departments,
            department_inbox=False,  # the department's users are in ``users`` already
            kind=kind,
            subject=title,
            body=body,
            link=link,
            dedupe_key=key,
        )


def _at(moment) -> str:
    return f"{clock.local_time(moment):%Y-%m-%d %H:%M}"


def _where(student) -> str:
    return f"{student.college.name} {student.school_class.name}"


def _person(user: User | None) -> str:
    return (user.name or user.username) if user else ""


# --- escalations ---


@_in_school_language
def escalation_reported(escalation) -> None:
    student = escalation.student
    departments = list(escalation.departments.all())
    severity = escalation.get_severity_display()
    due = _at(escalation.due_at)
    title = _("【重大安全隐患·%(s)s】%(w)s 一名学生") % {"s": severity, "w": _where(student)}
    title_named = _("【重大安全隐患·%(s)s】%(w)s %(n)s") % {"s": severity, "w": _where(student), "n": student.name}
    body = _("%(w)s 一名学生有重大安全隐患（%(s)s），请于 %(d)s 前确认收到。") % {
        "w": _where(student),
        "s": severity,
        "d": due,
    }
    body_named = _("%(w)s %(n)s 有重大安全隐患（%(s)s），请于 %(d)s 前确认收到。") % {
        "w": _where(student),
        "n": student.name,
        "s": severity,
        "d": due,
    }
    _tell(
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
        "w": _where(student),
        "p": _person(by),
        "t": _at(at),
        "v": verb,
    }
    body_named = _("%(w)s %(n)s 的安全隐患上报已由 %(p)s 于 %(t)s %(v)s。") % {
        "w": _where(student),
        "n": student.name,
        "p": _person(by),
        "t": _at(at),
        "v": verb,
    }
    _tell(
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


@_in_school_language
def escalation_acknowledged(escalation) -> None:
    _escalation_step(
        escalation,
        kind="escalation_acknowledged",
        verb=_("确认收到"),
        by=escalation.acknowledged_by,
        at=escalation.acknowledged_at,
    )


@_in_school_language
def escalation_resolved(escalation) -> None:
    _escalation_step(
        escalation, kind="escalation_resolved", verb=_("处置完毕"), by=escalation.resolved_by, at=escalation.resolved_at
    )


# --- ledgers ---


def _counts_text(counts: dict[str, int], categories: Iterable[str]) -> str:
    return "、".join(f"{Category(c).label} {counts.get(c, 0)} 人" for c in categories)


@_in_school_language
def ledger_submitted(ledger, *, step_id: int, resubmitted: bool) -> None:
    rows = load_snapshot(ledger.snapshot)
    counts = {c: len(r) for c, r in rows.items()}
    verb = _("重新上报") if resubmitted else _("上报")
    title = _("【台账%(v)s】%(c)s %(s)s") % {"v": verb, "c": ledger.college.name, "s": ledger.semester.name}
    late = _("（逾期）") if ledger.late else ""
    head = _("%(c)s 于 %(t)s %(v)s了 %(s)s 的精准关爱台账%(l)s，填表人 %(f)s，负责人 %(r)s。") % {
        "c": ledger.college.name,
        "t": _at(ledger.submitted_at),
        "v": verb,
        "s": ledger.semester.name,
        "l": late,
        "f": ledger.filled_by,
        "r": ledger.responsible,
    }
    link = f"/ledgers/{ledger.pk}/"
    present = [c for c in Category.values if counts.get(c)]
    _tell(
        users=school_admins(),
        kind="ledger_submitted",
        key=f"ledger-submitted-{step_id}",
        link=link,
        title=title,
        body=head + _counts_text(counts, present or Category.values),
    )
    for user, categories in section_users(present).values():
        _tell(
            users=[user],
            kind="ledger_submitted",
            key=f"ledger-submitted-{step_id}-section-{user.pk}",
            link=link,
            title=title,
            body=head + _counts_text(counts, categories),
        )


def _submitters(ledger) -> list[User]:
    """Who submitted the ledger in its last round: the one who filled it in (if a counselor prepared it)
    and the one who sent it."""
    from careledger.ledgers.models import LedgerStep

    last = ledger.steps.filter(action=LedgerStep.Action.SUBMITTED).select_related("actor").order_by("-at", "-id")
    people = [s.actor for s in last[:1]]
    if ledger.prepared_by_id:
        people.append(ledger.prepared_by)
    return people


@_in_school_language
def ledger_decided(ledger, *, step_id: int, accepted: bool, comment: str = "") -> None:
    verb = _("已接收") if accepted else _("被退回")
    title = _("【台账%(v)s】%(c)s %(s)s") % {"v": verb, "c": ledger.college.name, "s": ledger.semester.name}
    body = _("学工处%(v)s %(c)s %(s)s 的精准关爱台账。") % {
        "v": _("接收了") if accepted else _("退回了"),
        "c": ledger.college.name,
        "s": ledger.semester.name,
    }
    if not accepted:
        body += _("退回意见：%(m)s") % {"m": comment}
    _tell(
        users=_submitters(ledger) + college_admins(ledger.college_id),
        kind="ledger_accepted" if accepted else "ledger_returned",
        key=f"ledger-decided-{step_id}",
        link=f"/ledgers/{ledger.pk}/",
        title=title,
        body=body,
    )


@_in_school_language
def ledger_awaiting_confirmation(ledger, *, by: User, step_id: int) -> None:
    """A counselor filled in the ledger: the college_admins confirm it as 负责人 (not in api.md's table,
    but the next move is theirs)."""
    _tell(
        users=college_admins(ledger.college_id),
        kind="ledger_confirm",
        key=f"ledger-confirm-{step_id}",
        link=f"/ledgers/{ledger.pk}/",
        title=_("【台账待确认】%(c)s %(s)s") % {"c": ledger.college.name, "s": ledger.semester.name},
        body=_("%(p)s 已填好 %(s)s 的精准关爱台账（填表人 %(f)s），请以负责人身份确认上报。")
        % {"p": _person(by), "s": ledger.semester.name, "f": ledger.filled_by},
    )


@_in_school_language
def addenda_arrived(addenda: list) -> None:
    """One message per person for the addenda of one case write (a case opened with two categories is one)."""
    if not addenda:
        return
    first = addenda[0]
    case, ledger = first.case, first.ledger
    student = case.student
    categories = [c for c in Category.values if c in {a.category for a in addenda}]
    kind_text = first.get_kind_display()
    title = _("【随时上报】%(c)s %(k)s") % {"c": ledger.college.name, "k": kind_text}

    def body(cats: list[str], name: str) -> str:
        return _("%(w)s %(n)s（%(k)s：%(cats)s），%(t)s 随时上报学工处。") % {
            "w": _where(student),
            "n": name,
            "k": kind_text,
            "cats": "、".join(str(Category(c).label) for c in cats),
            "t": _at(first.reported_at or clock.now()),
        }

    key = f"addendum-{first.pk}"
    link = f"/ledgers/{ledger.pk}/"
    _tell(
        users=school_admins(),
        student=student,
        kind="addendum",
        key=key,
        link=link,
        title=title,
        body=body(categories, _("一名学生")),
        title_named=title,
        body_named=body(categories, student.name),
    )
    for user, theirs in section_users(categories).values():
        _tell(
            users=[user],
            student=student,
            kind="addendum",
            key=f"{key}-section-{user.pk}",
            link=link,
            title=title,
            body=body(theirs, _("一名学生")),
            title_named=title,
            body_named=body(theirs, student.name),
        )


# --- cases ---


@_in_school_language
def closure_requested(request) -> None:
    case = request.case
    student = case.student
    _tell(
        users=college_admins(student.college_id),
        student=student,
        kind="close_requested",
        key=f"close-requested-{request.pk}",
        link=f"/cases/{case.pk}/",
        title=_("【撤销建档申请】%(w)s 一名学生") % {"w": _where(student)},
        body=_("%(p)s 申请撤销 %(w)s 一名学生的关爱档案，请审批。")
        % {"p": _person(request.requested_by), "w": _where(student)},
        title_named=_("【撤销建档申请】%(n)s") % {"n": student.name},
        body_named=_("%(p)s 申请撤销 %(w)s %(n)s 的关爱档案，请审批。")
        % {"p": _person(request.requested_by), "w": _where(student), "n": student.name},
    )


@_in_school_language
def closure_decided(request, *, approved: bool) -> None:
    case = request.case
    student = case.student
    verb = _("已批准") if approved else _("未批准")
    note = (_("意见：%(m)s") % {"m": request.decision_note}) if request.decision_note else ""
    _tell(
        users=[request.requested_by],
        student=student,
        kind="close_approved" if approved else "close_rejected",
        key=f"close-decided-{request.pk}",
        link=f"/cases/{case.pk}/",
        title=_("撤销建档申请%(v)s") % {"v": verb},
        body=_("您对 %(w)s 一名学生的撤销建档申请%(v)s（%(p)s）。")
        % {"w": _where(student), "v": verb, "p": _person(request.decided_by)}
        + note,
        title_named=_("撤销建档申请%(v)s：%(n)s") % {"v": verb, "n": student.name},
        body_named=_("您对 %(w)s %(n)s 的撤销建档申请%(v)s（%(p)s）。")
        % {"w": _where(student), "n": student.name, "v": verb, "p": _person(request.decided_by)}
        + note,
    )


@_in_school_language
def mentor_paired(pairing) -> None:
    case = pairing.case
    student = case.student
    _tell(
        users=[pairing.mentor],
        student=student,
        kind="mentor_paired",
        key=f"mentor-paired-{pairing.pk}",
        link=f"/cases/{case.pk}/",
        title=_("新的结对帮扶"),
        body=_("您已与 %(w)s 一名学生结对帮扶。") % {"w": _where(student)},
        title_named=_("新的结对帮扶：%(n)s") % {"n": student.name},
        body_named=_("您已与 %(w)s %(n)s 结对帮扶（%(p)s 安排），请尽快开展谈心谈话。")
        % {"w": _where(student), "n": student.name, "p": _person(pairing.assigned_by)},
    )
