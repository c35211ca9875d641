"""The seven categories of the notice's 附件1, with their sub-table titles and column headers verbatim.

product.md is the source; the ledger export and its test read these, so a typo here shows there.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ECONOMIC = "economic", _("家庭经济困难")
    ACADEMIC = "academic", _("学习困难")
    PSYCH = "psych", _("心理异常")
    INTERNET = "internet", _("网络痴迷")
    PHYSICAL = "physical", _("生理缺陷")
    DISCIPLINE = "discipline", _("行为违纪")
    OTHER = "other", _("其他情况")


@dataclass(frozen=True)
class SubTable:
    title: str  # the sub-table's name as the notice writes it
    columns: tuple[str, ...]  # the category-specific column header(s)


SUB_TABLES: dict[str, SubTable] = {
    Category.ECONOMIC: SubTable("家庭经济困难学生", ("家庭经济状况和存在问题",)),
    Category.ACADEMIC: SubTable("学习困难学生", ("学位课平均绩点学分、补课不及格课程和留级、休学情况",)),
    Category.PSYCH: SubTable("心理异常学生", ("问题类型、行为异常描述和危害性判断",)),
    Category.INTERNET: SubTable("网络痴迷学生", ("上网形式、旷课和学业情况和存在问题",)),
    Category.PHYSICAL: SubTable(
        "生理缺陷学生", ("学生病史（重大疾病、遗传病或残疾等影响到学习生活的疾病）", "班主任核实情况")
    ),
    Category.DISCIPLINE: SubTable("行为违纪学生", ("何时存在何种违纪行为和存在问题",)),
    Category.OTHER: SubTable("其他情况（思想过于偏激、行为怪异、人际交流困难、就业困难等）", ("存在问题",)),
}

LEADING_COLUMNS = ("序号", "姓名", "性别", "班级", "所在寝室", "本人联系方式", "家长姓名及联系方式")
TRAILING_COLUMNS = ("帮扶措施", "帮扶人姓名及联系方式", "帮扶效果", "备注")


def ledger_headers(category: str) -> tuple[str, ...]:
    """Every column of a sub-table, in the notice's order."""
    return LEADING_COLUMNS + SUB_TABLES[category].columns + TRAILING_COLUMNS


# Each header's field of a ledger record (ledgers/records.py): the display side of the stable keys.
_LEADING_FIELDS = ("serial", "name", "gender", "class_name", "dorm", "phone", "parent")
_CATEGORY_FIELDS = ("detail", "verification")
_TRAILING_FIELDS = ("plan", "mentor", "effect", "note")


def ledger_columns(category: str) -> tuple[tuple[str, str], ...]:
    """(header, record field) for every column of a sub-table; 序号's field is "serial" (numbered on output)."""
    fields = _LEADING_FIELDS + _CATEGORY_FIELDS[: len(SUB_TABLES[category].columns)] + _TRAILING_FIELDS
    return tuple(zip(ledger_headers(category), fields, strict=True))


# Structured fields that help each category (all optional); stored in CategoryEntry.data.
class HardshipLevel(models.TextChoices):
    SPECIAL = "special", _("特别困难")
    HARDSHIP = "hardship", _("困难")
    GENERAL = "general", _("一般困难")


class AcademicStatus(models.TextChoices):
    NONE = "", _("无")
    REPEAT = "repeat", _("留级")
    SUSPENDED = "suspended", _("休学")


STRUCTURED_FIELDS: dict[str, dict[str, str]] = {
    # category → field → kind ("choice:<TextChoices>", "decimal", "int", "text", "date")
    Category.ECONOMIC: {"hardship_level": "choice:hardship"},
    Category.ACADEMIC: {"gpa": "decimal", "failed_credits": "decimal", "academic_status": "choice:academic"},
    Category.PSYCH: {"problem_type": "text", "risk_judgement": "text"},
    Category.PHYSICAL: {"history": "text"},
    Category.DISCIPLINE: {"occurred_on": "date", "what": "text"},
    Category.OTHER: {"kind": "text"},
    Category.INTERNET: {},
}
CHOICES = {"hardship": HardshipLevel, "academic": AcademicStatus}


# --- Ask once: the category text composed from the structured fields and the free text ---
#
# Each structured fact is written once, from its field; a clause of the free text that only repeats a
# fact already given by a field ("学位课平均绩点1.6", "危害性：较高") is left out of the composed text.

_CLAUSE_SPLIT = re.compile(r"([，,；;。\n]+)")
# Words that may lead a fact without adding to it ("学位课平均绩点", "已留级", "经认定为特别困难").
_LEAD_WORDS = ("学位课", "平均", "课程", "目前", "已经", "已", "经", "被", "评定", "认定", "判断", "有")
_FILLER = re.compile(r"[\s：:、是为约]")


@dataclass(frozen=True)
class _Fact:
    text: str  # how the fact reads in the composed text
    values: tuple[str, ...]  # ways the value may be written in the free text
    keywords: tuple[str, ...]  # words that name the fact in the free text
    units: tuple[str, ...] = ()  # units that may follow the value ("学分")


def _number(value: str) -> str:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    text = format(number.normalize(), "f")
    return text


def _number_variants(value: str) -> tuple[str, ...]:
    plain = _number(value)
    variants = {value, plain}
    if "." in plain:
        variants.add(f"{Decimal(plain):.2f}")
    else:
        variants |= {f"{plain}.0", f"{plain}.00"}
    return tuple(variants)


def _date_parts(value: str) -> tuple[str, tuple[str, ...]]:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value, (value,)
    text = f"{day.year}年{day.month}月{day.day}日"
    return text, (value, text, f"{day.month}月{day.day}日", f"{day:%Y.%m.%d}", f"{day:%Y/%m/%d}")


def _facts(category: str, data: dict) -> list[_Fact]:
    data = {k: str(v).strip() for k, v in (data or {}).items() if v not in (None, "")}
    facts: list[_Fact] = []
    if category == Category.ECONOMIC and data.get("hardship_level"):
        label = str(HardshipLevel(data["hardship_level"]).label)
        facts.append(_Fact(label, (label,), ("困难等级", "等级", "家庭", "经济", "认定")))
    elif category == Category.ACADEMIC:
        if data.get("gpa"):
            gpa = _number(data["gpa"])
            facts.append(_Fact(f"学位课平均绩点 {gpa}", _number_variants(data["gpa"]), ("绩点", "GPA", "gpa")))
        if data.get("failed_credits"):
            credits = _number(data["failed_credits"])
            facts.append(
                _Fact(
                    f"不及格课程 {credits} 学分",
                    _number_variants(data["failed_credits"]),
                    ("不及格", "挂科", "补考"),
                    ("学分",),
                )
            )
        if data.get("academic_status"):
            label = str(AcademicStatus(data["academic_status"]).label)
            facts.append(_Fact(label, (label,), ("曾", "办理", "学籍")))
    elif category == Category.PSYCH:
        if data.get("problem_type"):
            value = data["problem_type"]
            facts.append(_Fact(f"问题类型：{value}", (value,), ("问题类型", "类型", "表现为")))
        if data.get("risk_judgement"):
            value = data["risk_judgement"]
            facts.append(
                _Fact(
                    f"危害性判断：{value}", (value,), ("危害性判断", "危害性", "危害程度", "危害", "风险程度", "风险")
                )
            )
    elif category == Category.PHYSICAL and data.get("history"):
        value = data["history"]
        facts.append(_Fact(value, (value,), ("主要病史", "病史", "患有", "患", "诊断为", "诊断")))
    elif category == Category.DISCIPLINE and (data.get("occurred_on") or data.get("what")):
        when, when_values = _date_parts(data["occurred_on"]) if data.get("occurred_on") else ("", ())
        what = data.get("what", "")
        text = f"{when}{what}" if when else what
        if when:
            facts.append(_Fact(text, when_values, ("违纪时间", "时间", "日期", "于")))
        if what:
            facts.append(_Fact(text, (what,), ("违纪行为", "违纪", "行为", "存在")))
        if when and what:
            facts.append(_Fact(text, tuple(f"{w}{what}" for w in when_values), ("于",)))
    elif category == Category.OTHER and data.get("kind"):
        value = data["kind"]
        facts.append(_Fact(value, (value,), ("情况类别", "类别", "情况", "表现为")))
    return facts


def _repeats(clause: str, fact: _Fact) -> bool:
    """Whether ``clause`` says nothing but ``fact`` (its value, led only by words naming it)."""
    text = _FILLER.sub("", clause)
    for unit in fact.units:
        text = text.removesuffix(unit)
    for value in fact.values:
        value = _FILLER.sub("", value)
        if value and text.endswith(value):
            lead = text[: -len(value)]
            for word in sorted((*fact.keywords, *_LEAD_WORDS), key=len, reverse=True):
                lead = lead.replace(word, "")
            if not lead:
                return True
    return False


def remaining_detail(category: str, data: dict, detail: str) -> str:
    """The free text without the clauses that only repeat a structured fact."""
    facts = _facts(category, data)
    detail = (detail or "").strip()
    if not facts or not detail:
        return detail
    parts = _CLAUSE_SPLIT.split(detail)
    kept: list[str] = []
    for i in range(0, len(parts), 2):
        clause, sep = parts[i], parts[i + 1] if i + 1 < len(parts) else ""
        if clause.strip() and any(_repeats(clause, f) for f in facts):
            continue
        kept.append(clause + sep)
    rest = "".join(kept).strip().lstrip("，,；;。\n").rstrip("，,；;\n").strip()
    if rest and detail.endswith("。") and not rest.endswith("。"):
        rest += "。"
    return rest


def compose_text(category: str, data: dict, detail: str) -> str:
    """The ledger's category column: each structured fact once, then the free text that adds to it."""
    texts: list[str] = []
    for fact in _facts(category, data):
        if fact.text not in texts:
            texts.append(fact.text)
    rest = remaining_detail(category, data, detail)
    return "；".join([*texts, rest] if rest else texts)
