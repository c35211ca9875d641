"""Every indicator against a small hand-built semester; every expected figure is written out here.

The semester (scenario.build, the ``semester`` fixture): 2026-09-01 – 2027-01-15, ledger due 2026-09-19; today (the as-of day) 2026-11-20.
Students: 张三丰, 李四 (文学院 2023), 王小明 (文学院 2024), 赵六 (数学院 2023).
Survey: 张三丰 and 李四 reviewed.
Case A — 李四, opened 09-01, economic + psych, mentor erin from 09-01, 帮扶效果 rated 4.
  Ended windows by 11-20: talks 09-01/15, 09-16/30, 10-01/15, 10-16/31, 11-01/15 (5); dorm months
  Sep, Oct (2). Talks in every half month but 10-16/31 → 4 met; dorm visits: Sep ×2 (met), Oct ×1
  (unmet). Required 7, met 5. Overdue (has unmet ended windows).
Case B — 赵六, opened 10-16, internet, no mentor, no contacts. Ended: talks 10-16/31 (16 due days),
  11-01/15 (2); October's dorm month has 16 due days (10-16..10-31) → 2 visits required (1 window).
  Required 3, met 0. Overdue.
Case C — 王小明, opened 09-01, academic, closed 10-10 with improvement. Due days 09-01..10-10: talks
  09-01/15, 09-16/30 and 10-01/10 (10 due days ≥ 8); dorm Sep (30 → 2 visits) and Oct 10-01/10
  (10 due days → 1 visit). Talks 09-05, 09-20, visits 09-03, 09-25 → Sep's three windows met,
  October's two not: 3 of 5 met. Not open on 11-20.
School: required 7 + 3 + 5 = 15, met 5 + 0 + 3 = 8 → 0.5333. 文学院 (A, C): 12, 8 → 0.6667; 数学院 (B): 3, 0.
Escalations: on A at 11-02 10:00, acknowledged after 30 min, resolved after 120 min; on B at 11-03
  09:00, acknowledged after 90 min.
Ledgers: 文学院 submitted 09-15 (on time); 数学院 none (due date passed).
Risk: A high, B medium, C low (closed: not counted).

Ranking score (assessment/rules.py) with the default weights survey 0.2, mentor 0.2, compliance 0.3,
ledger 0.15, ack speed 0.15 and an acknowledgement target of 60 minutes:
  文学院: 0.2×0.6667 + 0.2×1 + 0.3×0.6667 + 0.15×1 + 0.15×1 (ack 30 min ≤ 60) = 0.83334 → 83.3
  数学院: 0.2×0 + 0.2×0 + 0.3×0 + 0.15×0 + 0.15×(60/90 = 0.6667) = 0.1 → 10.0
  carol (no ledger: its weight drops out): (0.2×1 + 0.2×1 + 0.3×0.7143 + 0.15×1) / 0.85 = 0.8992 → 89.9
"""

from datetime import date

import time_machine
from rest_framework.test import APIClient

from careledger.assessment import selectors
from careledger.assessment.tests import scenario
from careledger.assessment.tests.scenario import at
from careledger.cases.models import CaseEvent
from careledger.core import services as core_services


def get(user, level, **params):
    client = APIClient()
    client.force_authenticate(user)
    with time_machine.travel(at("2026-11-20T12:00:00"), tick=False):
        response = client.get("/api/v1/assessment/", {"level": level, **params})
    assert response.status_code == 200, response.content
    return response.json()


NONE_BY_CATEGORY = dict.fromkeys(["economic", "academic", "psych", "internet", "physical", "discipline", "other"], 0)


def test_school_row(school, semester):
    assert get(school.alice, "school") == [
        {
            "unit": {"level": "school", "id": None, "name": "赣南师范大学"},
            "students": 4,
            "surveyed": 2,
            "survey_coverage": 0.5,
            "open_cases": 2,
            "cases_by_category": {**NONE_BY_CATEGORY, "economic": 1, "psych": 1, "internet": 1},
            "cases_by_risk": {"low": 0, "medium": 1, "high": 1},
            "with_mentor": 1,
            "mentor_coverage": 0.5,
            "windows_required": 15,
            "windows_met": 8,
            "compliance_rate": 0.5333,
            "overdue_cases": 2,
            "escalations": 2,
            "ack_minutes_median": 60.0,
            "resolve_minutes_median": 120.0,
            "ledger_on_time": 0.5,
            "closed_improved": 1,
            "effect_rating_avg": 4.0,
            "suggestions_pending": 0,
            "suggestions_confirmed": 0,
            "suggestions_declined": 0,
        }
    ]


def test_college_rows(school, semester):
    rows = {r["unit"]["name"]: r for r in get(school.alice, "college")}
    wenxue, shuxue = rows["文学与新闻传播学院"], rows["数学与计算机科学学院"]
    assert (wenxue["students"], wenxue["surveyed"], wenxue["survey_coverage"]) == (3, 2, 0.6667)
    assert (wenxue["open_cases"], wenxue["with_mentor"], wenxue["mentor_coverage"]) == (1, 1, 1.0)
    assert (wenxue["windows_required"], wenxue["windows_met"], wenxue["compliance_rate"]) == (12, 8, 0.6667)
    assert (wenxue["overdue_cases"], wenxue["escalations"], wenxue["ack_minutes_median"]) == (1, 1, 30.0)
    assert (wenxue["ledger_on_time"], wenxue["closed_improved"], wenxue["effect_rating_avg"]) == (True, 1, 4.0)
    assert wenxue["cases_by_category"] == {**NONE_BY_CATEGORY, "economic": 1, "psych": 1}
    assert wenxue["cases_by_risk"] == {"low": 0, "medium": 0, "high": 1}
    assert shuxue["cases_by_risk"] == {"low": 0, "medium": 1, "high": 0}
    assert (shuxue["students"], shuxue["surveyed"], shuxue["survey_coverage"]) == (1, 0, 0.0)
    assert (shuxue["open_cases"], shuxue["with_mentor"], shuxue["mentor_coverage"]) == (1, 0, 0.0)
    assert (shuxue["windows_required"], shuxue["windows_met"], shuxue["compliance_rate"]) == (3, 0, 0.0)
    assert (shuxue["overdue_cases"], shuxue["escalations"], shuxue["ack_minutes_median"]) == (1, 1, 90.0)
    assert (shuxue["resolve_minutes_median"], shuxue["ledger_on_time"], shuxue["effect_rating_avg"]) == (
        None,
        False,
        None,
    )


def test_counselor_and_mentor_rows(school, semester):
    (carol,) = get(school.carol, "counselor")
    assert carol["unit"] == {"level": "counselor", "id": school.carol.pk, "name": "carol"}
    assert (carol["students"], carol["surveyed"], carol["open_cases"], carol["with_mentor"]) == (2, 2, 1, 1)
    assert (carol["windows_required"], carol["windows_met"], carol["compliance_rate"]) == (7, 5, 0.7143)
    assert (carol["overdue_cases"], carol["ledger_on_time"]) == (1, None)
    (erin,) = get(school.erin, "mentor")
    assert erin["unit"]["id"] == school.erin.pk
    assert (erin["students"], erin["open_cases"], erin["windows_required"], erin["windows_met"]) == (1, 1, 7, 5)


def test_each_level_lists_only_what_the_caller_may_see(school, semester):
    assert [r["unit"]["name"] for r in get(school.bob, "college")] == ["文学与新闻传播学院"]
    assert get(school.bob, "school") == []
    assert [r["unit"]["name"] for r in get(school.bob, "counselor")] == ["carol"]
    assert [r["unit"]["name"] for r in get(school.carol, "mentor")] == ["erin"]
    assert get(school.carol, "college") == []
    assert get(school.erin, "counselor") == []
    assert [r["unit"]["name"] for r in get(school.ivan, "college")] == ["数学与计算机科学学院"]
    assert get(school.ivan, "mentor") == []


def test_risk_is_counted_as_it_stood_on_the_as_of_day(school, semester):
    """Last spring (2026-03-01 – 2026-07-15; it runs to 08-31, the day before this semester): 张三丰's case,
    opened 03-02, was medium then; it was raised to high on 10-05 and is high now."""
    with time_machine.travel(at("2026-11-20T12:00:00"), tick=False):
        spring = core_services.semester_create(
            actor=school.alice,
            name="2025-2026学年第二学期",
            start=date(2026, 3, 1),
            end=date(2026, 7, 15),
            ledger_due=date(2026, 3, 19),
        )
        zhang = scenario.case(school, "zhang", date(2026, 3, 2), ["other"], risk="high")
        raised = CaseEvent.objects.create(
            case=zhang,
            kind="updated",
            actor=school.carol,
            changes=[{"field": "risk_level", "old": "medium", "new": "high"}],
        )
        CaseEvent.objects.filter(pk=raised.pk).update(at=at("2026-10-05T09:00:00"))
    (then,) = get(school.alice, "school", semester=spring.pk)
    assert (then["open_cases"], then["cases_by_risk"]) == (1, {"low": 0, "medium": 1, "high": 0})
    (now,) = get(school.alice, "school")
    assert (now["open_cases"], now["cases_by_risk"]) == (3, {"low": 0, "medium": 1, "high": 2})


def test_ranking_score_by_hand(school, semester, settings):
    settings.ASSESSMENT_WEIGHTS = {
        "survey_coverage": 0.2,
        "mentor_coverage": 0.2,
        "compliance_rate": 0.3,
        "ledger_on_time": 0.15,
        "ack_speed": 0.15,
    }
    settings.ASSESSMENT_ACK_TARGET_MINUTES = 60
    settings.ASSESSMENT_COMMEND_THRESHOLDS = {"survey_coverage": 0.6, "compliance_rate": 0.65, "ledger_on_time": 1}
    settings.ASSESSMENT_COMMEND_TOP = 3
    colleges = selectors.ranking(get(school.alice, "college"), "college")
    assert [(u.rank, u.row["unit"]["name"], u.score, u.commended) for u in colleges] == [
        (1, "文学与新闻传播学院", 83.3, True),  # survey 0.6667 ≥ 0.6, compliance 0.6667 ≥ 0.65, on time
        (2, "数学与计算机科学学院", 10.0, False),
    ]
    assert colleges[1].values == {
        "survey_coverage": 0.0,
        "mentor_coverage": 0.0,
        "compliance_rate": 0.0,
        "ledger_on_time": 0.0,
        "ack_speed": 0.6667,
    }
    (carol,) = selectors.ranking(get(school.alice, "counselor"), "counselor")
    # ledger_on_time has no value for a counselor: its weight and its threshold do not apply.
    assert (carol.rank, carol.score, carol.values["ledger_on_time"], carol.commended) == (1, 89.9, None, True)
    settings.ASSESSMENT_COMMEND_THRESHOLDS = {"compliance_rate": 0.9}
    assert [u.commended for u in selectors.ranking(get(school.alice, "college"), "college")] == [False, False]


def test_several_semesters_load_together_as_each_alone(school, semester):
    """load_many (the dashboard's trend) cuts each semester out of one load: the same case figures as
    loading each semester by itself."""
    from careledger.assessment import indicators as ind
    from careledger.cases.selectors import calendars

    with time_machine.travel(at("2026-11-20T12:00:00"), tick=False):
        core_services.semester_create(
            actor=school.alice, name="2025-2026学年第二学期", start=date(2026, 3, 1), end=date(2026, 7, 15),
            ledger_due=date(2026, 3, 19),
        )  # fmt: skip
        zhang = scenario.case(school, "zhang", date(2026, 3, 2), ["other", "psych"], risk="high")
        raised = CaseEvent.objects.create(
            case=zhang,
            kind="updated",
            actor=school.carol,
            changes=[{"field": "risk_level", "old": "low", "new": "high"}],
        )
        CaseEvent.objects.filter(pk=raised.pk).update(at=at("2026-09-20T09:00:00"))
        cals = calendars()
        students = ind.load_students()
        together = ind.load_many(cals, students=students)
        alone = [ind.load(s, cases_only=True, students=students, calendar=c) for s, c in cals]
    keys = ("open_cases", "cases_by_category", "cases_by_risk", "with_mentor", "mentor_coverage", "students")

    def figures(data):
        row = ind.row(data, ind.school_unit(data, "全校"))
        return {k: row[k] for k in keys}

    assert [figures(d) for d in together] == [figures(d) for d in alone]
    spring, autumn = (ind.row(d, ind.school_unit(d, "全校")) for d in together)
    assert (spring["open_cases"], spring["cases_by_risk"]) == (1, {"low": 1, "medium": 0, "high": 0})
    assert (autumn["open_cases"], autumn["cases_by_risk"]) == (3, {"low": 0, "medium": 1, "high": 2})
    assert spring["surveyed"] is None and spring["compliance_rate"] is None  # case counts only
