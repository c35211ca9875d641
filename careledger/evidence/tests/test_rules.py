from decimal import Decimal as D

import pytest

from careledger.evidence import rules

T = {"yellow": 10, "orange": 15, "red": 20}


@pytest.mark.parametrize(
    ("failed", "gpa", "floor", "level", "flagged"),
    [
        (D("0"), None, None, "", False),
        (D("9.5"), D("2.1"), None, "", False),
        (D("10"), None, None, "yellow", True),
        (D("14.5"), None, None, "yellow", True),
        (D("15"), None, None, "orange", True),
        (D("19"), D("1.2"), None, "orange", True),
        (D("20"), None, None, "red", True),
        (D("35"), None, None, "red", True),
        (D("4"), D("1.4"), D("1.5"), "yellow", True),  # GPA rule on
        (D("4"), D("1.5"), D("1.5"), "", False),
        (D("4"), D("1.4"), None, "", False),  # GPA rule off (default)
    ],
)
def test_academic_level(failed, gpa, floor, level, flagged):
    verdict = rules.academic_level(failed, gpa, thresholds=T, gpa_floor=floor)
    assert (verdict.level, verdict.flagged) == (level, flagged)


def test_academic_thresholds_are_settings():
    assert rules.academic_level(D("12"), None, thresholds={"yellow": 12, "orange": 18, "red": 25}).level == "yellow"
    assert not rules.academic_level(D("11"), None, thresholds={"yellow": 12, "orange": 18, "red": 25}).flagged


@pytest.mark.parametrize(
    ("meals", "spend", "flagged"),
    [
        (60, D("750"), True),  # both limits inclusive (≥60 meals AND ≤ ¥750)
        (59, D("300"), False),  # too few meals: eats elsewhere, not a hardship signal
        (80, D("750.01"), False),
        (90, D("420"), True),
        (0, D("0"), False),
    ],
)
def test_card_rule(meals, spend, flagged):
    assert rules.card_flag(meals, spend, min_meals=60, max_spend=750).flagged is flagged


def test_card_rule_2016_threshold():
    assert not rules.card_flag(60, D("500"), min_meals=60, max_spend=420).flagged
    assert rules.card_flag(60, D("419"), min_meals=60, max_spend=420).flagged


@pytest.mark.parametrize(("count", "flagged"), [(0, False), (1, False), (2, True), (5, True)])
def test_dorm_rule(count, flagged):
    assert rules.dorm_flag(count, min_count=2).flagged is flagged
