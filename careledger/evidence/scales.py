"""Scoring of the screening scales (domain-facts.md §1): pure functions, no ORM, no Django at import.

Each scorer takes the item answers as {item number: value} (already parsed to int) and a
``ScaleSettings`` holding the rules where sources disagree (§1.5), and returns a ``Score``:
``total``, ``level`` (a code), ``flagged`` (the result becomes a suggestion), ``urgent`` (immediate
danger: an urgent escalation whatever the total), ``flags`` (codes, for the psych centre only) and
``reason`` (words for the counselor — never an item answer or an item number).
"""

from dataclasses import dataclass, field
from typing import Literal

# --- the published structure ---

UPI_ITEMS = 64  # 60 symptom items + 4 auxiliary (61–64, not scored)
UPI_SYMPTOM_ITEMS = 60
UPI_LIE_ITEMS = (5, 20, 35, 50)
UPI_SCORED = tuple(i for i in range(1, UPI_SYMPTOM_ITEMS + 1) if i not in UPI_LIE_ITEMS)  # 56 items
UPI_KEY_ITEMS = (8, 16, 25, 26)
UPI_SUICIDE_ITEM = 25
UPI_CLASS2_KEY_ITEMS = (8, 16, 26)
UPI_WENZHOU_ITEMS = (61, 62, 63)
UPI_COUNSELLING_ITEM = 64  # "would accept counselling" in the auxiliary part

SCL90_ITEMS = 90
SCL90_FACTORS: dict[str, tuple[int, ...]] = {
    "somatization": (1, 4, 12, 27, 40, 42, 48, 49, 52, 53, 56, 58),
    "obsessive_compulsive": (3, 9, 10, 28, 38, 45, 46, 51, 55, 65),
    "interpersonal_sensitivity": (6, 21, 34, 36, 37, 41, 61, 69, 73),
    "depression": (5, 14, 15, 20, 22, 26, 29, 30, 31, 32, 54, 71, 79),
    "anxiety": (2, 17, 23, 33, 39, 57, 72, 78, 80, 86),
    "hostility": (11, 24, 63, 67, 74, 81),
    "phobic_anxiety": (13, 25, 47, 50, 70, 75, 82),
    "paranoid_ideation": (8, 18, 43, 68, 76, 83),
    "psychoticism": (7, 16, 35, 62, 77, 84, 85, 87, 88, 90),
    "other": (19, 44, 59, 60, 64, 66, 89),
}
SCL90_FACTOR_NAMES = {
    "somatization": "躯体化",
    "obsessive_compulsive": "强迫",
    "interpersonal_sensitivity": "人际敏感",
    "depression": "抑郁",
    "anxiety": "焦虑",
    "hostility": "敌对",
    "phobic_anxiety": "恐怖",
    "paranoid_ideation": "偏执",
    "psychoticism": "精神病性",
    "other": "其他",
}
SCL90_TOTAL_CUTOFF = 160  # on the 1–5 scale
SCL90_POSITIVE_ITEMS_CUTOFF = 43
SCL90_FACTOR_CUTOFF = 2.0  # on the 1–5 scale

PHQ9_ITEMS = 9
PHQ9_SUICIDE_ITEM = 9
GAD7_ITEMS = 7

# The answer range per scale (after parsing): UPI 0/1, SCL-90 per base, PHQ-9 and GAD-7 0–3.
ITEM_COUNT = {"upi": UPI_ITEMS, "scl90": SCL90_ITEMS, "phq9": PHQ9_ITEMS, "gad7": GAD7_ITEMS}
REQUIRED_ITEMS = {"upi": UPI_SYMPTOM_ITEMS, "scl90": SCL90_ITEMS, "phq9": PHQ9_ITEMS, "gad7": GAD7_ITEMS}

LEVEL_LABELS = {
    "class1": "UPI 第一类",
    "class2": "UPI 第二类",
    "class3": "UPI 第三类",
    "invalid": "UPI 无效问卷",
    "normal": "未见异常",
    "light": "SCL-90 阳性（轻度）",
    "moderate": "中度",
    "severe": "重度",
    "minimal": "极轻",
    "mild": "轻度",
    "moderately_severe": "中重度",
}


@dataclass(frozen=True)
class ScaleSettings:
    """The disputed rules (domain-facts.md §1.5), each with the default named there."""

    # UPI class I, third condition: "counselling" (asks for counselling, item 64) or "wenzhou"
    # (≥2 of items 61, 62, 63 yes). The school chooses; we default to the 温州 reading, the verified one.
    upi_class1_third: Literal["counselling", "wenzhou"] = "wenzhou"
    upi_class2_combination: Literal["or", "and"] = "or"
    # All four lie items "yes": "invalid" form or "ignore". The school chooses; default ignore.
    upi_lie_all_yes: Literal["invalid", "ignore"] = "ignore"
    scl90_base: Literal[1, 0] = 1  # 1 = the 1–5 scale (China usage), 0 = the 0–4 scale
    scl90_total_cutoff: Literal["gt", "ge"] = "gt"  # total >160 / ≥160
    scl90_factor_cutoff: Literal["ge", "gt"] = "ge"  # factor ≥2 / >2
    scl90_combination: Literal["or", "and"] = "or"  # OR of the three / total AND factor
    phq9_cutoff: int = 10
    gad7_cutoff: int = 10

    @classmethod
    def from_django(cls) -> "ScaleSettings":
        from django.conf import settings

        return cls(**getattr(settings, "CARELEDGER_SCALE_SETTINGS", {}))


@dataclass(frozen=True)
class Score:
    scale: str
    total: int
    level: str
    flagged: bool
    urgent: bool
    flags: tuple[str, ...] = ()
    reason: str = ""
    factors: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"total": self.total, "level": self.level, "flags": list(self.flags), "factors": self.factors}


URGENT_REASON = "存在提示需立即关注安全的作答，已紧急上报心理中心与辅导员"


def _yes(answers: dict[int, int], item: int) -> bool:
    return answers.get(item, 0) == 1


def score_upi(answers: dict[int, int], cfg: ScaleSettings = ScaleSettings()) -> Score:
    """UPI: yes = 1 on the 56 scored items (lie items 5/20/35/50 and auxiliaries 61–64 not scored)."""
    total = sum(1 for i in UPI_SCORED if _yes(answers, i))
    urgent = _yes(answers, UPI_SUICIDE_ITEM)
    flags: list[str] = [f"key{i}" for i in UPI_KEY_ITEMS if _yes(answers, i)]
    if urgent:
        flags.append("urgent")
    if cfg.upi_lie_all_yes == "invalid" and all(_yes(answers, i) for i in UPI_LIE_ITEMS):
        flags.append("lie_all_yes")
        reason = "UPI 测伪题全部作答“是”，问卷无效，建议重测"
        if urgent:
            reason = f"{reason}；{URGENT_REASON}"
        return Score("upi", total, "invalid", urgent, urgent, tuple(flags), reason)
    if cfg.upi_class1_third == "wenzhou":
        third = sum(1 for i in UPI_WENZHOU_ITEMS if _yes(answers, i)) >= 2
    else:
        third = _yes(answers, UPI_COUNSELLING_ITEM)
    if total >= 25 or urgent or third:
        why = []
        if total >= 25:
            why.append(f"总分 {total} 分（≥25）")
        if third:
            why.append("本人主动寻求帮助" if cfg.upi_class1_third == "counselling" else "附加题提示身心困扰")
            flags.append("class1_third")
        if urgent:
            why.append(URGENT_REASON)
        return Score("upi", total, "class1", True, urgent, tuple(flags), "UPI 第一类：" + "；".join(why))
    in_band = 20 <= total < 25
    key = any(_yes(answers, i) for i in UPI_CLASS2_KEY_ITEMS)
    class2 = (in_band or key) if cfg.upi_class2_combination == "or" else (in_band and key)
    if class2:
        return Score("upi", total, "class2", False, False, tuple(flags), f"UPI 第二类：总分 {total} 分，建议关注")
    return Score("upi", total, "class3", False, False, tuple(flags), f"UPI 第三类：总分 {total} 分")


def _cmp(value: float, cutoff: float, how: str) -> bool:
    return value > cutoff if how == "gt" else value >= cutoff


def score_scl90(answers: dict[int, int], cfg: ScaleSettings = ScaleSettings()) -> Score:
    """SCL-90: total, positive items (≥2 on 1–5), factor means; screened positive by the §1.2 cut-offs.

    Answers on the 0–4 base are shifted to 1–5 for the rules (total >70 ⇔ >160; factor ≥1 ⇔ ≥2); the
    total is reported on the file's own base.
    """
    shift = 1 - cfg.scl90_base
    values = {i: answers[i] + shift for i in range(1, SCL90_ITEMS + 1)}
    total15 = sum(values.values())
    positive = sum(1 for v in values.values() if v >= 2)
    factors = {name: round(sum(values[i] for i in items) / len(items), 2) for name, items in SCL90_FACTORS.items()}
    total_hit = _cmp(total15, SCL90_TOTAL_CUTOFF, cfg.scl90_total_cutoff)
    positive_hit = positive > SCL90_POSITIVE_ITEMS_CUTOFF
    high = [n for n, v in factors.items() if _cmp(v, SCL90_FACTOR_CUTOFF, cfg.scl90_factor_cutoff)]
    either = total_hit or positive_hit or bool(high)
    flagged = either if cfg.scl90_combination == "or" else (total_hit and bool(high))
    flags = []
    if total_hit:
        flags.append("total")
    if positive_hit:
        flags.append("positive_items")
    flags += [f"factor:{n}" for n in high]
    total = total15 - 90 * shift
    if not flagged:
        return Score("scl90", total, "normal", False, False, tuple(flags), f"SCL-90 总分 {total} 分，未见异常", factors)
    worst = max(factors.values())
    level = "severe" if worst >= 4 else "moderate" if worst >= 3 else "light"
    band = {"light": "轻度", "moderate": "中度", "severe": "重度"}[level]
    parts = []
    if total_hit:
        parts.append(f"总分 {total} 分")
    if positive_hit:
        parts.append(f"阳性项目 {positive} 项")
    if high:
        parts.append("因子偏高：" + "、".join(SCL90_FACTOR_NAMES[n] for n in high))
    return Score(
        "scl90", total, level, True, False, tuple(flags), f"SCL-90 阳性（{band}）：" + "；".join(parts), factors
    )


PHQ9_BANDS = ((20, "severe"), (15, "moderately_severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
GAD7_BANDS = ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
BAND_WORDS = {"severe": "重度", "moderately_severe": "中重度", "moderate": "中度", "mild": "轻度", "minimal": "极轻"}


def _band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    return next(level for low, level in bands if total >= low)


def score_phq9(answers: dict[int, int], cfg: ScaleSettings = ScaleSettings()) -> Score:
    total = sum(answers[i] for i in range(1, PHQ9_ITEMS + 1))
    level = _band(total, PHQ9_BANDS)
    urgent = answers[PHQ9_SUICIDE_ITEM] > 0
    flags = (["cutoff"] if total >= cfg.phq9_cutoff else []) + (["urgent"] if urgent else [])
    reason = f"PHQ-9 总分 {total} 分（{BAND_WORDS[level]}抑郁症状）"
    if urgent:
        reason = f"{reason}；{URGENT_REASON}"
    return Score("phq9", total, level, total >= cfg.phq9_cutoff or urgent, urgent, tuple(flags), reason)


def score_gad7(answers: dict[int, int], cfg: ScaleSettings = ScaleSettings()) -> Score:
    total = sum(answers[i] for i in range(1, GAD7_ITEMS + 1))
    level = _band(total, GAD7_BANDS)
    flagged = total >= cfg.gad7_cutoff
    reason = f"GAD-7 总分 {total} 分（{BAND_WORDS[level]}焦虑症状）"
    return Score("gad7", total, level, flagged, False, ("cutoff",) if flagged else (), reason)


SCORERS = {"upi": score_upi, "scl90": score_scl90, "phq9": score_phq9, "gad7": score_gad7}


def answer_range(scale: str, cfg: ScaleSettings = ScaleSettings()) -> tuple[int, int]:
    if scale == "upi":
        return (0, 1)
    if scale == "scl90":
        return (cfg.scl90_base, cfg.scl90_base + 4)
    return (0, 3)


UPI_ANSWERS = {"是": 1, "否": 0, "1": 1, "0": 0, "1.0": 1, "0.0": 0, "y": 1, "n": 0, "yes": 1, "no": 0}
_SMALL_INTS = {str(i): i for i in range(6)}


def parse_answer(scale: str, raw: str, cfg: ScaleSettings = ScaleSettings()) -> int | None:
    """The cell as a number in the scale's range, or None if it is not a valid answer."""
    text = raw.strip()
    if scale == "upi":
        return UPI_ANSWERS.get(text.lower())
    if text in _SMALL_INTS:
        number = _SMALL_INTS[text]
        low, high = answer_range(scale, cfg)
        return number if low <= number <= high else None
    try:
        number = float(text)
    except ValueError:
        return None
    if number != int(number):
        return None
    low, high = answer_range(scale, cfg)
    return int(number) if low <= number <= high else None
