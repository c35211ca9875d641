"""Writes to case files. Each checks the policy, validates, saves, records the timeline and audits."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import Role, User
from careledger.audit.models import AuditEvent
from careledger.audit.services import Action, Outcome, record
from careledger.cases import signals
from careledger.cases.categories import CHOICES, STRUCTURED_FIELDS, Category
from careledger.cases.models import (
    Case,
    CaseEffect,
    CaseEvent,
    CasePeriod,
    CaseStatus,
    CategoryEntry,
    CloseRequest,
    CloseStatus,
    Helper,
    HelperActivity,
    HelperRole,
    Mentorship,
    RiskLevel,
)
from careledger.contacts.compliance import compliance_refresh_for_case
from careledger.core import clock, outbox
from careledger.core.errors import RateLimited, StaleVersion  # StaleVersion: services.StaleVersion too
from careledger.core.text import clean_text
from careledger.roster.models import Student

# Case fields a PATCH may change, in the order the case page shows them.
EDITABLE = ("risk_level", "problem", "life_history", "plan", "note")


@dataclass
class CategoryInput:
    category: str
    detail: str = ""
    verification: str | None = None  # physical only; class teacher or counselor
    data: dict = field(default_factory=dict)


def clean_categories(entries: list[CategoryInput]) -> list[CategoryInput]:
    """The entries' free text without characters that cannot go into XML (SEC-48)."""
    return [
        replace(
            e,
            detail=clean_text(e.detail),
            verification=None if e.verification is None else clean_text(e.verification),
        )
        for e in entries
    ]


def _events() -> Any:
    return outbox.events()  # careledger.notify.events, connected by notify (it sits above this app)


def require_action(user: User, action: str, case: Case, roles: frozenset[str] | None = None) -> frozenset[str]:
    roles = policy.case_roles(user, case) if roles is None else roles
    if not policy.can(user, action, case, roles=roles):
        policy.audit_denied(user, object_type="case", object_id=case.pk, student_no=case.student.student_no, why=action)
        raise PermissionDenied(_("无权执行该操作。"))
    return roles


def audit_case(actor: User, action: str, case: Case, **detail) -> None:
    record(
        actor=actor,
        action=action,
        object_type="case",
        object_id=case.pk,
        student_no=case.student.student_no,
        detail=detail or None,
    )


def timeline_add(case: Case, actor: User, kind: str, summary: str = "", changes: list | None = None) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, summary=summary[:200], changes=changes or [])


def _clean_data(category: str, data: dict) -> dict:
    """Keep the structured fields this category knows, each checked for its kind."""
    allowed = STRUCTURED_FIELDS[category]
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({"categories": [_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}]})
    out = {}
    for name, kind in allowed.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        if kind.startswith("choice:"):
            choices = CHOICES[kind.split(":", 1)[1]]
            if value not in choices.values:
                raise ValidationError({"categories": [_("%(f)s 取值无效：%(v)s") % {"f": name, "v": value}]})
        elif kind == "decimal":
            try:
                value = str(Decimal(str(value)))
            except InvalidOperation as exc:
                raise ValidationError({"categories": [_("%(f)s 应为数字。") % {"f": name}]}) from exc
        elif kind == "date":
            try:
                value = date.fromisoformat(str(value)).isoformat()
            except ValueError as exc:
                raise ValidationError({"categories": [_("%(f)s 应为日期 YYYY-MM-DD。") % {"f": name}]}) from exc
        else:
            value = clean_text(value)[:500]
        out[name] = value
    return out


def _check_categories(entries: list[CategoryInput], roles: frozenset[str]) -> None:
    if not entries:
        raise ValidationError({"categories": [_("请至少选择一个类别。")]})
    seen = set()
    for entry in entries:
        if entry.category not in Category.values:
            raise ValidationError({"categories": [_("未知类别：%(c)s") % {"c": entry.category}]})
        if entry.category in seen:
            raise ValidationError({"categories": [_("类别重复：%(c)s") % {"c": entry.category}]})
        seen.add(entry.category)
        if entry.verification is not None:
            if entry.category != Category.PHYSICAL:
                raise ValidationError({"categories": [_("只有生理缺陷类别有“班主任核实情况”。")]})
            if not policy.can_verify_physical(roles=roles):
                raise ValidationError({"categories": [_("班主任核实情况只能由该生的班主任或辅导员填写。")]})
        entry.data = _clean_data(entry.category, entry.data or {})


def _check_not_future(day: date, field_name: str) -> None:
    if day > clock.today():
        raise ValidationError({field_name: [_("日期不能晚于今天。")]})


def case_open(
    *,
    actor: User,
    student: Student,
    categories: list[CategoryInput],
    opened_on: date | None = None,
    risk_level: str = RiskLevel.LOW,
    problem: str = "",
    life_history: str = "",
    plan: str = "",
    note: str = "",
) -> Case:
    problem, life_history, plan, note = map(clean_text, (problem, life_history, plan, note))  # SEC-48
    categories = clean_categories(categories)
    roles = policy.student_roles(actor, student)
    if not policy.can_open_case(actor, student, roles=roles):
        raise PermissionDenied(_("无权为该学生建档。"))
    with transaction.atomic():
        opened_on = opened_on or clock.today()
        _check_not_future(opened_on, "opened_on")
        if risk_level not in RiskLevel.values:
            raise ValidationError({"risk_level": [_("风险等级应为 low、medium 或 high。")]})
        _check_categories(categories, roles)
        if not student.is_active:
            raise ValidationError({"student": [_("该学生已不在册。")]})
        if Case.objects.filter(student=student, status=CaseStatus.OPEN).exists():
            raise ValidationError({"student": [_("该学生已有在档的关爱档案。")]})
        case = Case(
            student=student,
            opened_on=opened_on,
            risk_level=risk_level,
            problem=problem,
            life_history=life_history,
            plan=plan,
            note=note,
            opened_by=actor,
        )
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError as exc:  # a parallel request opened one first
            raise ValidationError({"student": [_("该学生已有在档的关爱档案。")]}) from exc
        CasePeriod.objects.create(case=case, opened_on=opened_on)
        CategoryEntry.objects.bulk_create(
            CategoryEntry(
                case=case,
                category=e.category,
                detail=e.detail,
                verification=e.verification or "",
                data=e.data,
                added_on=opened_on,
            )
            for e in categories
        )
        timeline_add(case, actor, CaseEvent.Kind.OPENED, ", ".join(str(Category(e.category).label) for e in categories))
        compliance_refresh_for_case(case)  # before the audit row: the chain lock is held from it to the commit
        audit_case(actor, Action.CREATE, case, categories=[e.category for e in categories])
        # 随时上报: after the college has reported its ledger, a new case goes to 学工处 at once.
        signals.categories_added.send(
            sender=Case, actor=actor, case=case, categories=[e.category for e in categories], new_case=True
        )
        return case


def _category_changes(case: Case, entries: list[CategoryInput]) -> list[dict]:
    """Replace the case's category list; return old → new per category (field names and text)."""
    current = {e.category: e for e in case.categories.all()}
    changes = []
    wanted = {e.category: e for e in entries}
    for code, entry in current.items():
        if code not in wanted:
            changes.append({"field": f"category:{code}", "old": entry.detail, "new": None})
            entry.delete()
    for code, new in wanted.items():
        old = current.get(code)
        if old is None:
            CategoryEntry.objects.create(
                case=case,
                category=code,
                detail=new.detail,
                verification=new.verification or "",
                data=new.data,
                added_on=clock.today(),
            )
            changes.append({"field": f"category:{code}", "old": None, "new": new.detail})
            continue
        updates = {"detail": new.detail, "data": new.data}
        if new.verification is not None:
            updates["verification"] = new.verification
        for name, value in updates.items():
            if getattr(old, name) != value:
                changes.append({"field": f"category:{code}:{name}", "old": getattr(old, name), "new": value})
                setattr(old, name, value)
        old.save()
    return changes


def case_update(
    *, actor: User, case: Case, version: int, fields: dict, categories: list[CategoryInput] | None = None
) -> Case:
    """Change the case if it is still at ``version``; otherwise StaleVersion and nothing is written."""
    fields = {k: clean_text(v) if isinstance(v, str) else v for k, v in fields.items()}  # SEC-48
    categories = clean_categories(categories) if categories is not None else None
    roles = require_action(actor, "edit", case)
    with transaction.atomic():
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise ValidationError({name: [_("该字段不可修改。")] for name in sorted(unknown)})
        if "risk_level" in fields and fields["risk_level"] not in RiskLevel.values:
            raise ValidationError({"risk_level": [_("风险等级应为 low、medium 或 high。")]})
        if categories is not None:
            _check_categories(categories, roles)
        # The version check and the bump are one UPDATE: two editors cannot both pass it.
        if Case.objects.filter(pk=case.pk, version=version).update(version=F("version") + 1):
            case.refresh_from_db()
            changes = [
                {"field": name, "old": getattr(case, name), "new": value}
                for name, value in fields.items()
                if getattr(case, name) != value
            ]
            for change in changes:
                setattr(case, change["field"], change["new"])
            if changes:
                case.save(update_fields=[c["field"] for c in changes] + ["updated_at"])
            if categories is not None:
                category_changes = _category_changes(case, categories)
                changes += category_changes
                added = [
                    c["field"].split(":")[1]
                    for c in category_changes
                    if c["old"] is None and c["field"].count(":") == 1
                ]
                signals.categories_added.send(sender=Case, actor=actor, case=case, categories=added, new_case=False)
            if changes:
                timeline_add(case, actor, CaseEvent.Kind.UPDATED, changes=changes)
            audit_case(actor, Action.UPDATE, case, fields=[c["field"] for c in changes], version=case.version)
            return case
    # Stale: nothing was written; the conflict is recorded outside the rolled-back transaction.
    current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() or 0
    record(
        actor=actor,
        action=Action.UPDATE,
        object_type="case",
        object_id=case.pk,
        student_no=case.student.student_no,
        outcome=Outcome.CONFLICT,
        detail={"version": version, "current": current},
    )
    raise StaleVersion(current)


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


def close_request(*, actor: User, case: Case, reason: str, improved: bool | None = None) -> CloseRequest:
    require_action(actor, "request_close", case)
    reason = clean_text(reason)  # SEC-48
    with transaction.atomic():
        if case.status != CaseStatus.OPEN:
            raise ValidationError({"status": [_("档案未在档。")]})
        if not reason.strip():
            raise ValidationError({"reason": [_("请填写理由。")]})
        if CloseRequest.objects.filter(case=case, status=CloseStatus.PENDING).exists():
            raise ValidationError({"reason": [_("已有待审批的撤销建档申请。")]})
        request = CloseRequest.objects.create(case=case, reason=reason, improved=improved, requested_by=actor)
        # No excerpt of the reason: summaries are shown to readers who may not read case text (SEC-45).
        timeline_add(case, actor, CaseEvent.Kind.CLOSE_REQUESTED)
        audit_case(actor, Action.UPDATE, case, fields=["close_request"])
        _events().closure_requested(request)
        return request


def _pending_request(case: Case) -> CloseRequest:
    pending = CloseRequest.objects.select_for_update().filter(case=case, status=CloseStatus.PENDING).first()
    if pending is None:
        raise ValidationError({"status": [_("没有待审批的撤销建档申请。")]})
    return pending


def close_approve(*, actor: User, case: Case, note: str = "") -> Case:
    require_action(actor, "approve_close", case)
    with transaction.atomic():
        pending = _pending_request(case)
        now = clock.now()
        pending.status, pending.decided_by, pending.decided_at, pending.decision_note = (
            CloseStatus.APPROVED,
            actor,
            now,
            note,
        )
        pending.save()
        case.status, case.closed_on = CaseStatus.CLOSED, clock.today()
        case.version += 1
        case.save(update_fields=["status", "closed_on", "version", "updated_at"])
        _close_period(case, case.closed_on)
        Mentorship.objects.current().filter(case=case).update(ended_at=now)
        timeline_add(case, actor, CaseEvent.Kind.CLOSED, changes=[{"field": "status", "old": "open", "new": "closed"}])
        compliance_refresh_for_case(case)  # before the audit row: the chain lock is held from it to the commit
        audit_case(actor, Action.UPDATE, case, fields=["status"], status="closed")
        _events().closure_decided(pending, approved=True)
        return case


def close_reject(*, actor: User, case: Case, note: str = "") -> Case:
    require_action(actor, "approve_close", case)
    with transaction.atomic():
        pending = _pending_request(case)
        pending.status, pending.decided_by, pending.decided_at, pending.decision_note = (
            CloseStatus.REJECTED,
            actor,
            clock.now(),
            note,
        )
        pending.save()
        timeline_add(case, actor, CaseEvent.Kind.CLOSE_REJECTED)
        audit_case(actor, Action.UPDATE, case, fields=["close_request"], status="rejected")
        _events().closure_decided(pending, approved=False)
        return case


def _close_period(case: Case, closed_on: date) -> None:
    """End the case's open period (one is made from the case's own dates if none was recorded)."""
    period = CasePeriod.objects.select_for_update().filter(case=case, closed_on__isnull=True).first()
    if period is None:
        period = CasePeriod(case=case, opened_on=min(case.open_since, closed_on))
    period.closed_on = max(closed_on, period.opened_on)
    period.save()


def last_mentor(case: Case) -> User | None:
    """The mentor of the case's latest pairing (ended or not): the one reopening offers back."""
    pairing = case.mentorships.select_related("mentor").order_by("-started_at", "-id").first()
    return pairing.mentor if pairing else None


def case_reopen(*, actor: User, case: Case, mentor: User | None = None) -> Case:
    """Reopen a closed case: a new open period (the earlier ones are kept and keep counting), an addendum when
    the college's ledger was already submitted (随时上报), and — when given — the mentor paired again."""
    require_action(actor, "reopen", case)
    with transaction.atomic():
        if case.status != CaseStatus.CLOSED:
            raise ValidationError({"status": [_("档案未撤销建档，无需重新建档。")]})
        if Case.objects.filter(student_id=case.student_id, status=CaseStatus.OPEN).exists():
            raise ValidationError({"student": [_("该学生已有在档的关爱档案。")]})
        today = clock.today()
        if not CasePeriod.objects.filter(case=case).exists():  # a case from before periods were kept
            CasePeriod.objects.create(
                case=case, opened_on=case.open_since, closed_on=max(case.closed_on or today, case.open_since)
            )
        case.status, case.closed_on, case.reopened_on = CaseStatus.OPEN, None, today
        case.version += 1
        case.save(update_fields=["status", "closed_on", "reopened_on", "version", "updated_at"])
        CasePeriod.objects.create(case=case, opened_on=today)
        timeline_add(
            case, actor, CaseEvent.Kind.REOPENED, changes=[{"field": "status", "old": "closed", "new": "open"}]
        )
        compliance_refresh_for_case(case)  # before the audit row: the chain lock is held from it to the commit
        audit_case(actor, Action.UPDATE, case, fields=["status"], status="open")
        # 随时上报: a case reopened after the college reported its ledger goes to 学工处 at once.
        signals.categories_added.send(
            sender=Case,
            actor=actor,
            case=case,
            categories=list(case.categories.values_list("category", flat=True)),
            new_case=True,
        )
        if mentor is not None:
            mentor_assign(actor=actor, case=case, mentor=mentor)
        return case


def reveal(*, actor: User, object_type: str, object_id, student_no: str, reason: str, fields: list[str]) -> None:
    """Break-glass: record why ``actor`` opens sensitive fields (SEC-17). The audit row is the grant."""

    reason = clean_text(reason).strip()  # SEC-48
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请说明查看原因。")]})
    limit = settings.REVEALS_PER_HOUR
    recent = AuditEvent.objects.filter(
        actor_id=actor.pk, action=Action.REVEAL, at__gte=clock.now() - timedelta(hours=1)
    )
    if recent.count() >= limit:
        policy.audit_denied(
            actor, object_type=object_type, object_id=object_id, student_no=student_no, why="rate limit: reveal"
        )
        raise RateLimited(_("查看敏感信息过于频繁，请稍后再试。"))
    record(
        actor=actor,
        action=Action.REVEAL,
        object_type=object_type,
        object_id=object_id,
        student_no=student_no,
        detail={"fields": fields, "reason": reason[:200]},
    )


CASE_TEXT_FIELDS = [
    "categories",
    "problem",
    "life_history",
    "plan",
    "note",
    "contacts",
    "history",
    "effects",
    "attachments",
]


def case_reveal(*, actor: User, case: Case, reason: str) -> None:
    if policy.case_text_access(actor, case) == "none":
        raise PermissionDenied(_("无权查看该档案的敏感内容。"))
    reveal(
        actor=actor,
        object_type="case",
        object_id=case.pk,
        student_no=case.student.student_no,
        reason=reason,
        fields=CASE_TEXT_FIELDS,
    )
