"""The ranking score and the commendation rule, as pure functions on an indicator row (no ORM, no settings).

score = 100 × Σ wᵢ·xᵢ / Σ wᵢ, summed over the weighted indicators that have a value for the unit:
- survey_coverage, mentor_coverage, compliance_rate: the row's rates (0..1);
- ledger_on_time: 1 on time, 0 late or missing (a college); the share of colleges on time (the school);
  no value for counselors and mentors, who keep no ledger;
- ack_speed: 1 when the median time to acknowledge an escalation is within the target, else
  target / median (twice the target scores 0.5); no value without an acknowledged escalation.
An indicator without a value (nothing to measure) drops out with its weight, so a unit is neither
rewarded nor punished for it. Without any value the unit has no score and ranks last.

A unit is a commendation candidate when every threshold indicator that applies to it has a value at
or above its threshold (ledger_on_time applies to the school and colleges only); candidates are the
best ``top`` of those by score.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

SCORED = ("survey_coverage", "mentor_coverage", "compliance_rate", "ledger_on_time", "ack_speed")
# Indicators that only exist for some levels: elsewhere a threshold on them does not apply.
APPLIES_TO = {"ledger_on_time": frozenset({"school", "college"})}


def ack_speed(median_minutes: float | None, target_minutes: float) -> float | None:
    if median_minutes is None:
        return None
    if median_minutes <= target_minutes:
        return 1.0
    return round(target_minutes / median_minutes, 4)


def _ledger(value: bool | float | None) -> float | None:
    if value is None:
        return None
    return float(value)  # True → 1.0, False → 0.0, a share stays itself


def inputs(row: Mapping, *, ack_target_minutes: float) -> dict[str, float | None]:
    """The values the score weighs, each 0..1 or None, from an indicator row."""
    return {
        "survey_coverage": row["survey_coverage"],
        "mentor_coverage": row["mentor_coverage"],
        "compliance_rate": row["compliance_rate"],
        "ledger_on_time": _ledger(row["ledger_on_time"]),
        "ack_speed": ack_speed(row["ack_minutes_median"], ack_target_minutes),
    }


def has_data(row: Mapping) -> bool:
    """Whether the unit has anything to assess this semester: a student surveyed, an open case or an
    escalation. A unit with none of these is shown as "—" and not ranked (rather than ranked with 0.0)."""
    return any(row.get(key) for key in ("surveyed", "open_cases", "escalations"))


def check_weights(weights: Mapping[str, float]) -> None:
    unknown = set(weights) - set(SCORED)
    if unknown:
        raise ValueError(f"unknown indicators in the weights: {sorted(unknown)}; known: {list(SCORED)}")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights cannot be negative")


def score(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """100 × the weighted mean of the values present, to one decimal; None when none is present."""
    check_weights(weights)
    used = [(w, values[k]) for k, w in weights.items() if w > 0 and values.get(k) is not None]
    total = sum(w for w, _x in used)
    if not total:
        return None
    return round(100 * sum(w * x for w, x in used) / total, 1)


def meets(values: Mapping[str, float | None], thresholds: Mapping[str, float], level: str) -> bool:
    """Every threshold that applies to ``level`` is met by a value (a missing value does not meet it)."""
    for key, minimum in thresholds.items():
        if level not in APPLIES_TO.get(key, frozenset({level})):
            continue
        value = values.get(key)
        if value is None or value < minimum:
            return False
    return True


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # 1 for the best; equal scores share a rank (1, 2, 2, 4); None without a score
    name: str
    score: float | None
    item: object


def rank(items: Iterable[tuple[str, float | None, object]]) -> list[Ranked]:
    """(name, score, item) sorted best first, equal scores sharing a rank; no score last, by name."""
    ordered = sorted(items, key=lambda t: (t[1] is None, -(t[1] or 0), t[0]))
    out: list[Ranked] = []
    for position, (name, value, item) in enumerate(ordered, start=1):
        if value is None:
            out.append(Ranked(None, name, None, item))
        elif out and out[-1].score == value:
            out.append(Ranked(out[-1].rank, name, value, item))
        else:
            out.append(Ranked(position, name, value, item))
    return out


def candidates(ranked: list[Ranked], qualified: Callable[[object], bool], top: int) -> list[Ranked]:
    """The best ``top`` scored units, in rank order, among those ``qualified`` says meet the thresholds."""
    return [r for r in ranked if r.score is not None and qualified(r.item)][: max(top, 0)]
