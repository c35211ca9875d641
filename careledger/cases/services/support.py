"""帮扶: the mentor pairing, the help group and its activities, the effect recorded each semester."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import Role, User
from careledger.audit.services import Action
from careledger.cases.models import (
    Case,
    CaseEffect,
    CaseEvent,
    CaseStatus,
    Helper,
    HelperActivity,
    HelperRole,
    Mentorship,
)
from careledger.cases.services.common import _check_not_future, _events, audit_case, require_action, timeline_add
from careledger.core import clock
from careledger.core.text import clean_text
from careledger.roster.models import Student


def mentor_assign(*, actor: User, case: Case, mentor: User) -> Mentorship:
    require_action(actor, "assign_mentor", case)
    with transaction.atomic():
        if case.status != CaseStatus.OPEN:
            raise ValidationError({"mentor": [_("已撤销建档的档案不能结对。")]})
        if not mentor.is_active or not mentor.grants.filter(role=Role.MENTOR).exists():
            raise ValidationError({"mentor": [_("该账号不是帮扶导师。")]})
        if not policy.is_school_admin(actor) and not mentor.grants.filter(
            role=Role.MENTOR, college_id=case.student.college_id
        ):
            raise ValidationError({"mentor": [_("只能选择本学院的帮扶导师。")]})
        now = clock.now()
        current = Mentorship.objects.select_for_update().current().filter(case=case).first()
        if current is not None and current.mentor_id == mentor.pk:
            return current
        if current is not None:
            current.ended_at = now
            current.save(update_fields=["ended_at"])
        pairing = Mentorship.objects.create(case=case, mentor=mentor, started_at=now, assigned_by=actor)
        old = current.mentor.name if current else None
        timeline_add(
            case,
            actor,
            CaseEvent.Kind.MENTOR,
            mentor.name or mentor.username,
            [{"field": "mentor", "old": old, "new": mentor.name or mentor.username}],
        )
        audit_case(actor, Action.UPDATE, case, fields=["mentor"], mentor=mentor.username)
        _events().mentor_paired(pairing)
        return pairing


def helper_add(*, actor: User, case: Case, student: Student, role: str) -> Helper:
    require_action(actor, "add_helper", case)
    with transaction.atomic():
        if role not in HelperRole.values:
            raise ValidationError({"role": [_("角色应为 psych_committee、dorm_liaison 或 student_leader。")]})
        if student.pk == case.student_id:
            raise ValidationError({"student": [_("帮扶对象本人不能加入自己的帮扶小组。")]})
        if student.college_id != case.student.college_id or not student.is_active:
            raise ValidationError({"student": [_("帮扶小组成员须为本学院在册学生。")]})
        if Helper.objects.filter(case=case, student=student, role=role, removed_on__isnull=True).exists():
            raise ValidationError({"student": [_("该学生已在帮扶小组中。")]})
        helper = Helper.objects.create(case=case, student=student, role=role, added_on=clock.today())
        timeline_add(case, actor, CaseEvent.Kind.HELPER, f"{student.name}（{HelperRole(role).label}）")
        audit_case(actor, Action.UPDATE, case, fields=["helpers"])
        return helper


def helper_activity_record(*, actor: User, helper: Helper, on: date, what: str) -> HelperActivity:
    case = helper.case
    require_action(actor, "add_helper", case)
    what = clean_text(what)  # SEC-48
    with transaction.atomic():
        _check_not_future(on, "on")
        if not what.strip():
            raise ValidationError({"what": [_("请填写活动内容。")]})
        activity = HelperActivity.objects.create(helper=helper, on=on, what=what, recorded_by=actor)
        timeline_add(case, actor, CaseEvent.Kind.HELPER_ACTIVITY, f"{helper.student.name} {on}")
        audit_case(actor, Action.CREATE, case, object="helper_activity")
        return activity


def effect_record(*, actor: User, case: Case, semester, text: str, rating: int | None = None) -> CaseEffect:
    require_action(actor, "record_effect", case)
    text = clean_text(text)  # SEC-48
    with transaction.atomic():
        if rating is not None and not 1 <= rating <= 5:
            raise ValidationError({"rating": [_("评分应为 1 到 5。")]})
        effect, _created = CaseEffect.objects.update_or_create(
            case=case, semester=semester, defaults={"text": text, "rating": rating}
        )
        timeline_add(case, actor, CaseEvent.Kind.EFFECT, str(semester))
        audit_case(actor, Action.UPDATE, case, fields=["effect"])
        return effect


def last_mentor(case: Case) -> User | None:
    """The mentor of the case's latest pairing (ended or not): the one reopening offers back."""
    pairing = case.mentorships.select_related("mentor").order_by("-started_at", "-id").first()
    return pairing.mentor if pairing else None
