"""Opening a case file and editing it: its fields and its category list (checked per category)."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.audit.services import Action, Outcome, record
from careledger.cases import signals
from careledger.cases.categories import CHOICES, STRUCTURED_FIELDS, Category
from careledger.cases.models import Case, CaseEvent, CasePeriod, CaseStatus, CategoryEntry, RiskLevel
from careledger.cases.services.common import _check_not_future, audit_case, require_action, timeline_add
from careledger.contacts.compliance import compliance_refresh_for_case
from careledger.core import clock
from careledger.core.errors import StaleVersion
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
