"""Words for the case pages: contact windows, structured category fields and timeline changes."""

import re

from django import template
from django.utils import translation
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.cases.categories import CHOICES, STRUCTURED_FIELDS, SUB_TABLES, Category
from careledger.cases.forms import DETAIL_LABELS, EFFECT_LEVELS, FIELD_LABELS
from careledger.cases.models import Case, CaseEvent, CaseStatus, HelperRole, RiskLevel
from careledger.contacts.models import ContactKind
from careledger.contacts.rules import Rule, Window
from careledger.core import clock

register = template.Library()


@register.filter
def window_label(window: Window) -> str:
    if window.rule == Rule.TALK:
        half = _("上半月") if window.start.day <= 15 else _("下半月")  # a window may start on its first due day
        return _("谈心 %(m)d月%(half)s") % {"m": window.start.month, "half": half}
    if window.rule == Rule.DORM_VISIT:
        return _("下寝室 %(m)d月") % {"m": window.start.month}
    dates = {"s": window.start.strftime("%m-%d"), "e": window.end.strftime("%m-%d")}
    if window.name:
        return _("重点时段·%(name)s %(s)s–%(e)s") % {"name": window.name, **dates}
    return _("重点时段 %(s)s–%(e)s") % dates


@register.filter
def category_column(code: str) -> str:
    """The category's ledger column header (附件1), which labels its text."""
    return SUB_TABLES[code].columns[0] if code in SUB_TABLES else ""


@register.filter
def detail_label(code: str) -> str:
    """What the category's free text holds beside its structured fields (the form's label for it)."""
    if code in DETAIL_LABELS:
        return str(DETAIL_LABELS[code][0])
    return category_column(code)


@register.filter
def window_state(window: Window) -> str:
    """met, overdue (ended unmet), open (running now) or upcoming: the CSS class of its row."""
    today = clock.today()
    if window.met:
        return "met"
    if window.ended(today):
        return "overdue"
    return "open" if window.start <= today else "upcoming"


def _choice_label(name: str, value) -> str:
    kind = STRUCTURED_FIELDS_KINDS.get(name, "")
    if kind.startswith("choice:"):
        choices = CHOICES[kind.split(":", 1)[1]]
        return str(dict(choices.choices).get(value, value))
    return str(value)


STRUCTURED_FIELDS_KINDS = {name: kind for fields in STRUCTURED_FIELDS.values() for name, kind in fields.items()}


@register.filter
def structured(data: dict | None) -> list[tuple[str, str]]:
    """A category entry's structured fields as (label, value) pairs, in the categories' order."""
    data = data or {}
    return [(str(FIELD_LABELS.get(k, k)), _choice_label(k, v)) for k, v in data.items() if v not in (None, "")]


_CASE_FIELDS = ("risk_level", "problem", "life_history", "plan", "note", "status")


def _display(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "risk_level":
        return str(RiskLevel(value).label) if value in RiskLevel.values else str(value)
    if field == "status":
        return str(CaseStatus(value).label) if value in CaseStatus.values else str(value)
    if isinstance(value, dict):
        pairs = [_("%(label)s：%(value)s") % {"label": label, "value": text} for label, text in structured(value)]
        return _("；").join(pairs) or "—"
    return str(value)


@register.filter
def describe_change(change: dict) -> dict:
    """{"field": "category:psych:detail", "old": …, "new": …} → a label and two displayable values."""
    field = str(change.get("field", ""))
    old, new = change.get("old"), change.get("new")
    if field in _CASE_FIELDS:
        label = str(Case._meta.get_field(field).verbose_name)
    elif field == "mentor":
        label = _("结对导师")
    elif field.startswith("category:"):
        _prefix, code, *rest = field.split(":")
        name = str(Category(code).label) if code in Category.values else code
        part = {"detail": _("情况"), "data": _("结构化信息"), "verification": _("班主任核实情况")}
        label = f"{_('类别')}「{name}」" + (f" · {part.get(rest[0], rest[0])}" if rest else "")
        if not rest:
            old = _("（无）") if old is None else old
            new = _("（已移除）") if new is None else new
    else:
        label = field
    return {"label": label, "old": _display(field, old), "new": _display(field, new)}


@register.simple_tag(takes_context=True)
def case_opening(context, student) -> dict:
    """For the student page: may the viewer open a case, and the student's open case they can see."""
    user = context["request"].user
    existing = policy.cases_for(user).filter(student=student, status=CaseStatus.OPEN).first()
    may_open = existing is None and student.is_active and policy.can_open_case(user, student)
    return {"may_open": may_open, "case": existing}


@register.filter
def effect_level(rating) -> str:
    """What a 帮扶效果 score means: 4 → 明显改善."""
    return str(EFFECT_LEVELS.get(rating, ""))


# --- the timeline in the reader's language ---
# A timeline summary is stored as written (in Chinese: "家庭经济困难, 心理异常", "谈心交流 2026-11-20 10:00",
# "张三（寝室心理联络员）"); the labels in it are shown again in the reader's language.


def _labels_by_chinese(*choices) -> dict[str, str]:
    pairs = [(value, label) for c in choices for value, label in c.choices]
    with translation.override("zh-hans"):
        chinese = [str(label) for _value, label in pairs]
    return {zh: str(label) for zh, (_value, label) in zip(chinese, pairs, strict=True)}


def _again(text: str, labels: dict[str, str]) -> str:
    return labels.get(text.strip(), text)


@register.filter
def event_summary(event) -> str:
    summary = event.summary or ""
    if not summary or (translation.get_language() or "").startswith("zh"):
        return summary
    kind = event.kind
    if kind == CaseEvent.Kind.OPENED:
        labels = _labels_by_chinese(Category)
        return ", ".join(_again(part, labels) for part in re.split(r"[,，、]\s*", summary))
    if kind == CaseEvent.Kind.HELPER:
        found = re.fullmatch(r"(.*)（(.+)）", summary)
        if found:
            return f"{found.group(1)} ({_again(found.group(2), _labels_by_chinese(HelperRole))})"
    if kind == CaseEvent.Kind.CONTACT:
        label, _sep, rest = summary.partition(" ")
        return " ".join(p for p in (_again(label, _labels_by_chinese(ContactKind)), rest) if p)
    if kind == CaseEvent.Kind.ESCALATION:
        from careledger.escalations.models import EscalationStatus, Severity

        return _again(summary, _labels_by_chinese(Severity, EscalationStatus))
    return summary
