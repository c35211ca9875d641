"""The loop's events for ledgers (台账): submitted, returned or accepted, awaiting the 负责人's
confirmation, and the addenda (随时上报)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from careledger.accounts.models import User
from careledger.cases.categories import Category
from careledger.core import clock
from careledger.ledgers.models import LedgerStep
from careledger.ledgers.records import load_snapshot
from careledger.notify.events.base import (
    college_admins,
    in_school_language,
    person,
    school_admins,
    section_users,
    tell,
    when,
    where,
)


def _counts_text(counts: dict[str, int], categories: Iterable[str]) -> str:
    return "、".join(f"{Category(c).label} {counts.get(c, 0)} 人" for c in categories)


@in_school_language
def ledger_submitted(ledger, *, step_id: int, resubmitted: bool) -> None:
    rows = load_snapshot(ledger.snapshot)
    counts = {c: len(r) for c, r in rows.items()}
    verb = _("重新上报") if resubmitted else _("上报")
    title = _("【台账%(v)s】%(c)s %(s)s") % {"v": verb, "c": ledger.college.name, "s": ledger.semester.name}
    late = _("（逾期）") if ledger.late else ""
    head = _("%(c)s 于 %(t)s %(v)s了 %(s)s 的精准关爱台账%(l)s，填表人 %(f)s，负责人 %(r)s。") % {
        "c": ledger.college.name,
        "t": when(ledger.submitted_at),
        "v": verb,
        "s": ledger.semester.name,
        "l": late,
        "f": ledger.filled_by,
        "r": ledger.responsible,
    }
    link = f"/ledgers/{ledger.pk}/"
    present = [c for c in Category.values if counts.get(c)]
    tell(
        users=school_admins(),
        kind="ledger_submitted",
        key=f"ledger-submitted-{step_id}",
        link=link,
        title=title,
        body=head + _counts_text(counts, present or Category.values),
    )
    for user, categories in section_users(present).values():
        tell(
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
    last = ledger.steps.filter(action=LedgerStep.Action.SUBMITTED).select_related("actor").order_by("-at", "-id")
    people = [s.actor for s in last[:1]]
    if ledger.prepared_by_id:
        people.append(ledger.prepared_by)
    return people


@in_school_language
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
    tell(
        users=_submitters(ledger) + college_admins(ledger.college_id),
        kind="ledger_accepted" if accepted else "ledger_returned",
        key=f"ledger-decided-{step_id}",
        link=f"/ledgers/{ledger.pk}/",
        title=title,
        body=body,
    )


@in_school_language
def ledger_awaiting_confirmation(ledger, *, by: User, step_id: int) -> None:
    """A counselor filled in the ledger: the college_admins confirm it as 负责人 (not in api.md's table,
    but the next move is theirs)."""
    tell(
        users=college_admins(ledger.college_id),
        kind="ledger_confirm",
        key=f"ledger-confirm-{step_id}",
        link=f"/ledgers/{ledger.pk}/",
        title=_("【台账待确认】%(c)s %(s)s") % {"c": ledger.college.name, "s": ledger.semester.name},
        body=_("%(p)s 已填好 %(s)s 的精准关爱台账（填表人 %(f)s），请以负责人身份确认上报。")
        % {"p": person(by), "s": ledger.semester.name, "f": ledger.filled_by},
    )


@in_school_language
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
            "w": where(student),
            "n": name,
            "k": kind_text,
            "cats": "、".join(str(Category(c).label) for c in cats),
            "t": when(first.reported_at or clock.now()),
        }

    key = f"addendum-{first.pk}"
    link = f"/ledgers/{ledger.pk}/"
    tell(
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
        tell(
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
