"""The loop's events for cases: a closure (撤销建档) requested and decided, a mentor paired."""

from django.utils.translation import gettext as _

from careledger.notify.events.base import college_admins, in_school_language, person, tell, where


@in_school_language
def closure_requested(request) -> None:
    case = request.case
    student = case.student
    tell(
        users=college_admins(student.college_id),
        student=student,
        kind="close_requested",
        key=f"close-requested-{request.pk}",
        link=f"/cases/{case.pk}/",
        title=_("【撤销建档申请】%(w)s 一名学生") % {"w": where(student)},
        body=_("%(p)s 申请撤销 %(w)s 一名学生的关爱档案，请审批。")
        % {"p": person(request.requested_by), "w": where(student)},
        title_named=_("【撤销建档申请】%(n)s") % {"n": student.name},
        body_named=_("%(p)s 申请撤销 %(w)s %(n)s 的关爱档案，请审批。")
        % {"p": person(request.requested_by), "w": where(student), "n": student.name},
    )


@in_school_language
def closure_decided(request, *, approved: bool) -> None:
    case = request.case
    student = case.student
    verb = _("已批准") if approved else _("未批准")
    note = (_("意见：%(m)s") % {"m": request.decision_note}) if request.decision_note else ""
    tell(
        users=[request.requested_by],
        student=student,
        kind="close_approved" if approved else "close_rejected",
        key=f"close-decided-{request.pk}",
        link=f"/cases/{case.pk}/",
        title=_("撤销建档申请%(v)s") % {"v": verb},
        body=_("您对 %(w)s 一名学生的撤销建档申请%(v)s（%(p)s）。")
        % {"w": where(student), "v": verb, "p": person(request.decided_by)}
        + note,
        title_named=_("撤销建档申请%(v)s：%(n)s") % {"v": verb, "n": student.name},
        body_named=_("您对 %(w)s %(n)s 的撤销建档申请%(v)s（%(p)s）。")
        % {"w": where(student), "n": student.name, "v": verb, "p": person(request.decided_by)}
        + note,
    )


@in_school_language
def mentor_paired(pairing) -> None:
    case = pairing.case
    student = case.student
    tell(
        users=[pairing.mentor],
        student=student,
        kind="mentor_paired",
        key=f"mentor-paired-{pairing.pk}",
        link=f"/cases/{case.pk}/",
        title=_("新的结对帮扶"),
        body=_("您已与 %(w)s 一名学生结对帮扶。") % {"w": where(student)},
        title_named=_("新的结对帮扶：%(n)s") % {"n": student.name},
        body_named=_("您已与 %(w)s %(n)s 结对帮扶（%(p)s 安排），请尽快开展谈心谈话。")
        % {"w": where(student), "n": student.name, "p": person(pairing.assigned_by)},
    )
