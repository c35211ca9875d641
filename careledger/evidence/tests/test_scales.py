"""Scoring tables from the published rules (domain-facts.md §1). Expected totals and levels are written
here by hand, not computed by the code under test; each disputed rule is tried in both positions."""

import pytest

from careledger.evidence import scales
from careledger.evidence.scales import ScaleSettings as S


def upi(*yes: int) -> dict[int, int]:
    return {i: int(i in yes) for i in range(1, 65)}


def test_upi_structure():
    assert len(scales.UPI_SCORED) == 56
    assert set(scales.UPI_LIE_ITEMS) == {5, 20, 35, 50}
    assert scales.UPI_KEY_ITEMS == (8, 16, 25, 26)


# fmt: off
UPI_TABLE = [
    # (yes items, settings, total, level, flagged, urgent)
    ((), S(), 0, "class3", False, False),
    (tuple(range(1, 11)), S(), 9, "class2", False, False),             # item 5 is a lie item: 9; key item 8
    ((1, 2, 3, 4, 5, 6, 7, 9, 10, 11), S(), 9, "class3", False, False),  # same count without a key item
    ((5, 20, 35, 50), S(), 0, "class3", False, False),                  # lie items never score
    (tuple(range(1, 25)), S(), 22, "class2", False, False),             # 24 answered, 5 and 20 not scored
    ((8,), S(), 1, "class2", False, False),                             # key item 8, OR (default)
    ((8,), S(upi_class2_combination="and"), 1, "class3", False, False),  # AND: needs 20 ≤ total < 25 too
    (tuple(range(1, 24)), S(upi_class2_combination="and"), 21, "class2", False, False),  # 21 with key 8, 16
    ((1, 2, 3, 4, 6, 7, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 21, 22, 23, 24), S(upi_class2_combination="and"),
     20, "class3", False, False),                                       # 20 but no key item: AND fails
    (tuple(range(1, 28)), S(), 25, "class1", True, True),               # 27 answered, 5 and 20 not scored
    (tuple(range(1, 30)), S(), 27, "class1", True, True),
    ((25,), S(), 1, "class1", True, True),                              # item 25 alone: class I, urgent
    (tuple(i for i in range(1, 29) if i != 25), S(), 25, "class1", True, False),  # 25 ≥ 25, no item 25
    (tuple(i for i in range(1, 28) if i != 25), S(), 24, "class2", False, False),  # 24: class II band
    ((61, 62), S(upi_class1_third="wenzhou"), 0, "class1", True, False),  # ≥2 of 61–63
    ((61,), S(upi_class1_third="wenzhou"), 0, "class3", False, False),
    ((61, 62), S(upi_class1_third="counselling"), 0, "class3", False, False),
    ((64,), S(upi_class1_third="counselling"), 0, "class1", True, False),  # asks for counselling
    ((64,), S(upi_class1_third="wenzhou"), 0, "class3", False, False),
    ((5, 20, 35, 50, 1), S(upi_lie_all_yes="invalid"), 1, "invalid", False, False),
    ((5, 20, 35, 50, 1), S(upi_lie_all_yes="ignore"), 1, "class3", False, False),
    ((5, 20, 35, 50, 25), S(upi_lie_all_yes="invalid"), 1, "invalid", True, True),  # danger still escalates
    ((5, 20, 35), S(upi_lie_all_yes="invalid"), 0, "class3", False, False),  # three of four: valid
]
# fmt: on


@pytest.mark.parametrize(("yes", "cfg", "total", "level", "flagged", "urgent"), UPI_TABLE)
def test_upi_table(yes, cfg, total, level, flagged, urgent):
    score = scales.score_upi(upi(*yes), cfg)
    assert (score.total, score.level, score.flagged, score.urgent) == (total, level, flagged, urgent)


def test_upi_reason_never_names_items():
    score = scales.score_upi(upi(25, 8, 16), S())
    assert "25" not in score.reason and "第 25" not in score.reason and "题" not in score.reason.replace("测伪题", "")
    assert set(score.flags) >= {"key8", "key16", "key25", "urgent"}


def scl(default: int = 1, **items: int) -> dict[int, int]:
    answers = {i: default for i in range(1, 91)}
    answers.update({int(k[1:]): v for k, v in items.items()})
    return answers


def test_scl90_factor_map_partitions_items():
    items = sorted(i for f in scales.SCL90_FACTORS.values() for i in f)
    assert items == list(range(1, 91))
    assert [len(f) for f in scales.SCL90_FACTORS.values()] == [12, 10, 9, 13, 10, 6, 7, 6, 10, 7]


def test_scl90_all_ones_is_normal():
    score = scales.score_scl90(scl(1))
    assert (score.total, score.level, score.flagged) == (90, "normal", False)
    assert score.factors["depression"] == 1.0


def test_scl90_factor_means_by_hand():
    # depression items 5, 14, 15, 20, 22, 26 at 3, the other 7 at 1: (6*3 + 7*1) / 13 = 25/13 = 1.92
    score = scales.score_scl90(scl(1, i5=3, i14=3, i15=3, i20=3, i22=3, i26=3))
    assert score.factors["depression"] == 1.92
    assert score.total == 102 and score.level == "normal"


# Hostility (items 11, 24, 63, 67, 74, 81) all at 2 → factor mean exactly 2.0, total 96.
HOSTILE_2 = {"i11": 2, "i24": 2, "i63": 2, "i67": 2, "i74": 2, "i81": 2}


@pytest.mark.parametrize(
    ("answers", "cfg", "total", "level", "flagged"),
    [
        (scl(1, **HOSTILE_2), S(), 96, "light", True),  # factor ≥2 (default)
        (scl(1, **HOSTILE_2), S(scl90_factor_cutoff="gt"), 96, "normal", False),  # factor >2
        (scl(2), S(), 180, "light", True),  # total 180 > 160, 90 positive items, every factor 2
        # total exactly 160: 70 items at 2, 20 at 1 → positive 70 > 43 still flags under OR
        (scl(1, **{f"i{i}": 2 for i in range(1, 71)}), S(scl90_combination="and"), 160, "normal", False),
        (
            scl(1, **{f"i{i}": 2 for i in range(1, 71)}),
            S(scl90_combination="and", scl90_total_cutoff="ge"),
            160,
            "light",
            True,
        ),
        (scl(1, **{f"i{i}": 2 for i in range(1, 71)}), S(), 160, "light", True),
        (scl(1, **{f"i{i}": 3 for i in range(1, 36)}), S(scl90_combination="and"), 160, "normal", False),
        (scl(1, **{f"i{i}": 4 for i in range(1, 91)}), S(), 360, "severe", True),
        (scl(1, **{f"i{i}": 3 for i in range(1, 91)}), S(), 270, "moderate", True),
    ],
)
def test_scl90_table(answers, cfg, total, level, flagged):
    score = scales.score_scl90(answers, cfg)
    assert (score.total, score.level, score.flagged) == (total, level, flagged)


def test_scl90_positive_items_over_43():
    # 44 items at 2 spread so no factor reaches a mean of 2: total 134, positive 44 > 43 → positive.
    items = [
        1,
        4,
        12,
        27,
        40,
        42,
        3,
        9,
        10,
        28,
        38,
        6,
        21,
        34,
        36,
        5,
        14,
        15,
        20,
        22,
        26,
        2,
        17,
        23,
        33,
        39,
        11,
        24,
        13,
        25,
        47,
        8,
        18,
        7,
        16,
        35,
        62,
        77,
        19,
        44,
        59,
        48,
        45,
        37,
    ]
    score = scales.score_scl90(scl(1, **{f"i{i}": 2 for i in items}))
    assert len(set(items)) == 44
    assert score.total == 134 and score.flagged and score.flags == ("positive_items",)
    just_under = scales.score_scl90(scl(1, **{f"i{i}": 2 for i in items[:43]}))
    assert just_under.total == 133 and not just_under.flagged


def test_scl90_zero_to_four_base():
    # The same form written on 0–4: every answer one less; total reported on 0–4 (subtract 90).
    answers = {i: v - 1 for i, v in scl(1, **HOSTILE_2).items()}
    score = scales.score_scl90(answers, S(scl90_base=0))
    assert (score.total, score.level, score.flagged) == (6, "light", True)
    assert scales.score_scl90({i: 0 for i in range(1, 91)}, S(scl90_base=0)).total == 0


def phq(*values: int) -> dict[int, int]:
    return dict(enumerate(values, start=1))


@pytest.mark.parametrize(
    ("answers", "cfg", "total", "level", "flagged", "urgent"),
    [
        (phq(0, 0, 0, 0, 0, 0, 0, 0, 0), S(), 0, "minimal", False, False),
        (phq(1, 1, 1, 1, 0, 0, 0, 0, 0), S(), 4, "minimal", False, False),
        (phq(1, 1, 1, 1, 1, 0, 0, 0, 0), S(), 5, "mild", False, False),
        (phq(2, 2, 2, 2, 1, 0, 0, 0, 0), S(), 9, "mild", False, False),
        (phq(2, 2, 2, 2, 2, 0, 0, 0, 0), S(), 10, "moderate", True, False),
        (phq(2, 2, 2, 2, 2, 0, 0, 0, 0), S(phq9_cutoff=11), 10, "moderate", False, False),
        (phq(3, 3, 3, 3, 2, 1, 0, 0, 0), S(), 15, "moderately_severe", True, False),
        (phq(3, 3, 3, 3, 3, 3, 1, 0, 0), S(), 19, "moderately_severe", True, False),
        (phq(3, 3, 3, 3, 3, 3, 2, 0, 0), S(), 20, "severe", True, False),
        (phq(3, 3, 3, 3, 3, 3, 3, 3, 3), S(), 27, "severe", True, True),
        (phq(0, 0, 0, 0, 0, 0, 0, 0, 1), S(), 1, "minimal", True, True),  # item 9 > 0 whatever the total
    ],
)
def test_phq9_table(answers, cfg, total, level, flagged, urgent):
    score = scales.score_phq9(answers, cfg)
    assert (score.total, score.level, score.flagged, score.urgent) == (total, level, flagged, urgent)


@pytest.mark.parametrize(
    ("answers", "cfg", "total", "level", "flagged"),
    [
        (phq(0, 0, 0, 0, 0, 0, 0), S(), 0, "minimal", False),
        (phq(1, 1, 1, 1, 0, 0, 0), S(), 4, "minimal", False),
        (phq(1, 1, 1, 1, 1, 0, 0), S(), 5, "mild", False),
        (phq(2, 2, 2, 2, 1, 0, 0), S(), 9, "mild", False),
        (phq(2, 2, 2, 2, 2, 0, 0), S(), 10, "moderate", True),
        (phq(2, 2, 2, 2, 2, 0, 0), S(gad7_cutoff=8), 10, "moderate", True),
        (phq(2, 2, 2, 1, 1, 0, 0), S(gad7_cutoff=8), 8, "mild", True),
        (phq(3, 3, 3, 3, 2, 0, 0), S(), 14, "moderate", True),
        (phq(3, 3, 3, 3, 3, 0, 0), S(), 15, "severe", True),
        (phq(3, 3, 3, 3, 3, 3, 3), S(), 21, "severe", True),
    ],
)
def test_gad7_table(answers, cfg, total, level, flagged):
    score = scales.score_gad7(answers, cfg)
    assert (score.total, score.level, score.flagged, score.urgent) == (total, level, flagged, False)


@pytest.mark.parametrize(
    ("scale", "raw", "cfg", "value"),
    [
        ("upi", "是", S(), 1),
        ("upi", "否", S(), 0),
        ("upi", "1", S(), 1),
        ("upi", "2", S(), None),
        ("scl90", "5", S(), 5),
        ("scl90", "0", S(), None),
        ("scl90", "0", S(scl90_base=0), 0),
        ("scl90", "5", S(scl90_base=0), None),
        ("phq9", "3", S(), 3),
        ("phq9", "4", S(), None),
        ("gad7", "1.5", S(), None),
        ("gad7", "abc", S(), None),
    ],
)
def test_parse_answer(scale, raw, cfg, value):
    assert scales.parse_answer(scale, raw, cfg) == value


def test_defaults_are_domain_facts(settings):
    cfg = S()
    assert (cfg.upi_class2_combination, cfg.scl90_base, cfg.scl90_total_cutoff) == ("or", 1, "gt")
    assert (cfg.scl90_factor_cutoff, cfg.scl90_combination, cfg.phq9_cutoff, cfg.gad7_cutoff) == ("ge", "or", 10, 10)
    settings.CARELEDGER_SCALE_SETTINGS = {"scl90_total_cutoff": "ge"}
    assert S.from_django().scl90_total_cutoff == "ge"
