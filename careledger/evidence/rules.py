"""Pure decisions on the offices' lists (domain-facts.md §2.3, §3) and where each piece of evidence
goes. No ORM; the thresholds come in as arguments (their defaults live in settings)."""

from dataclasses import dataclass
from decimal import Decimal

# Where each source's suggestion goes in the notice's seven categories.
SOURCE_CATEGORY = {
    "upi": "psych",
    "scl90": "psych",
    "phq9": "psych",
    "gad7": "psych",
    "aid": "economic",
    "card": "economic",
    "academic": "academic",
    "discipline": "discipline",
    "dorm": "discipline",
    "health": "physical",
}

HARDSHIP_LEVELS = {"特别困难": "special", "特殊困难": "special", "困难": "hardship", "一般困难": "general"}
ACADEMIC_WORDS = {"yellow": "黄色", "orange": "橙色", "red": "红色"}


@dataclass(frozen=True)
class Verdict:
    level: str
    flagged: bool
    reason: str


def academic_level(
    failed_credits: Decimal, gpa: Decimal | None, *, thresholds: dict[str, int], gpa_floor: Decimal | None = None
) -> Verdict:
    """学业预警 level from cumulative failed credits (≥yellow/orange/red), or a GPA under the floor (yellow)."""
    level = ""
    for name in ("red", "orange", "yellow"):
        if failed_credits >= thresholds[name]:
            level = name
            break
    low_gpa = gpa is not None and gpa_floor is not None and gpa < gpa_floor
    if not level and low_gpa:
        level = "yellow"
    if not level:
        return Verdict("", False, f"不及格 {failed_credits:g} 学分，未达预警线")
    why = f"累计不及格 {failed_credits:g} 学分"
    if gpa is not None:
        why += f"，平均学分绩点 {gpa:g}"
    return Verdict(level, True, f"学业预警（{ACADEMIC_WORDS[level]}）：{why}")


def card_flag(meals: int, spend: Decimal, *, min_meals: int, max_spend: int) -> Verdict:
    """暖心饭卡: ≥ min_meals canteen meals in the month AND spending ≤ max_spend — a signal, never a decision."""
    if meals >= min_meals and spend <= max_spend:
        return Verdict(
            "low_spend", True, f"一卡通：当月食堂就餐 {meals} 次、消费 {spend:g} 元，低于暖心饭卡标准，请核实"
        )
    return Verdict("", False, f"一卡通：当月食堂就餐 {meals} 次、消费 {spend:g} 元")


def dorm_flag(count: int, *, min_count: int) -> Verdict:
    if count >= min_count:
        return Verdict("late", True, f"宿管记录：晚归或夜不归宿 {count} 次")
    return Verdict("", False, f"宿管记录：晚归或夜不归宿 {count} 次")
