"""The ranking score and the commendation rule: pure functions, checked with tables (no database)."""

import pytest

from careledger.assessment import rules

WEIGHTS = {
    "survey_coverage": 0.2,
    "mentor_coverage": 0.2,
    "compliance_rate": 0.3,
    "ledger_on_time": 0.15,
    "ack_speed": 0.15,
}


@pytest.mark.parametrize(
    ("median", "target", "expected"),
    [
        (None, 60, None),  # no escalation acknowledged: nothing to score
        (0.5, 60, 1.0),
        (60, 60, 1.0),  # at the target still scores 1
        (90, 60, 0.6667),
        (120, 60, 0.5),  # twice the target: half
        (1440, 60, 0.0417),
    ],
)
def test_ack_speed(median, target, expected):
    assert rules.ack_speed(median, target) == expected


def _row(**values):
    row = {
        "survey_coverage": None,
        "mentor_coverage": None,
        "compliance_rate": None,
        "ledger_on_time": None,
        "ack_minutes_median": None,
    }
    return {**row, **values}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # All five present: 100 × (0.2×1 + 0.2×0.5 + 0.3×0.8 + 0.15×1 + 0.15×0.5) = 76.5
        (
            _row(
                survey_coverage=1, mentor_coverage=0.5, compliance_rate=0.8, ledger_on_time=True, ack_minutes_median=120
            ),
            76.5,
        ),
        # Late ledger scores 0 for its weight: 100 × (0.2 + 0.2 + 0.3 + 0 + 0.15) = 85.0
        (
            _row(survey_coverage=1, mentor_coverage=1, compliance_rate=1, ledger_on_time=False, ack_minutes_median=10),
            85.0,
        ),
        # No ledger, no escalation (a counselor): (0.2×0.5 + 0.2×1 + 0.3×0.5) / 0.7 = 0.642857 → 64.3
        (_row(survey_coverage=0.5, mentor_coverage=1, compliance_rate=0.5), 64.3),
        # The school's ledger figure is a share of colleges on time: 100 × (0.15 × 0.5) / 0.15 = 50.0
        (_row(ledger_on_time=0.5), 50.0),
        # Nothing to measure: no score
        (_row(), None),
    ],
)
def test_score(row, expected):
    assert rules.score(rules.inputs(row, ack_target_minutes=60), WEIGHTS) == expected


def test_a_zero_weight_leaves_the_indicator_out():
    values = {"survey_coverage": 0.0, "compliance_rate": 1.0}
    assert rules.score(values, {"survey_coverage": 0, "compliance_rate": 1}) == 100.0


@pytest.mark.parametrize("weights", [{"speed": 1}, {"survey_coverage": -0.1}])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError):
        rules.score({"survey_coverage": 1}, weights)


THRESHOLDS = {"survey_coverage": 0.95, "compliance_rate": 0.9, "ledger_on_time": 1.0}


@pytest.mark.parametrize(
    ("values", "level", "expected"),
    [
        ({"survey_coverage": 0.96, "compliance_rate": 0.9, "ledger_on_time": 1.0}, "college", True),
        ({"survey_coverage": 0.96, "compliance_rate": 0.9, "ledger_on_time": 0.0}, "college", False),  # late
        ({"survey_coverage": 0.96, "compliance_rate": 0.9, "ledger_on_time": None}, "college", False),  # not yet
        ({"survey_coverage": 0.96, "compliance_rate": 0.9, "ledger_on_time": None}, "counselor", True),  # n/a
        ({"survey_coverage": 0.94, "compliance_rate": 1.0, "ledger_on_time": None}, "counselor", False),
        ({"survey_coverage": 1.0, "compliance_rate": None, "ledger_on_time": None}, "counselor", False),  # no cases
    ],
)
def test_meets(values, level, expected):
    assert rules.meets(values, THRESHOLDS, level) is expected


def test_rank_shares_places_on_equal_scores_and_puts_no_score_last():
    ranked = rules.rank([("丙", 80.0, "c"), ("甲", 90.0, "a"), ("丁", None, "d"), ("乙", 80.0, "b"), ("戊", 70.0, "e")])
    assert [(r.rank, r.name) for r in ranked] == [(1, "甲"), (2, "丙"), (2, "乙"), (4, "戊"), (None, "丁")]


def test_candidates_are_the_best_qualified_in_rank_order():
    ranked = rules.rank([("a", 95.0, "a"), ("b", 90.0, "b"), ("c", 85.0, "c"), ("d", 80.0, "d"), ("e", None, "e")])
    qualified = {"b", "c", "d", "e"}
    assert [r.name for r in rules.candidates(ranked, qualified.__contains__, 2)] == ["b", "c"]
    assert rules.candidates(ranked, qualified.__contains__, 0) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"surveyed": 0, "open_cases": 0, "escalations": 0}, False),
        ({"surveyed": None, "open_cases": 0, "escalations": None}, False),
        ({"surveyed": 3, "open_cases": 0, "escalations": 0}, True),
        ({"surveyed": 0, "open_cases": 1, "escalations": 0}, True),
        ({"surveyed": 0, "open_cases": 0, "escalations": 2}, True),
    ],
)
def test_has_data(row, expected):
    assert rules.has_data(row) is expected
