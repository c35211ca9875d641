"""The seven categories of the notice's 附件1, with their sub-table titles and column headers verbatim.

product.md is the source; the ledger export and its test read these, so a typo here shows there.
"""

from dataclasses import dataclass

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
