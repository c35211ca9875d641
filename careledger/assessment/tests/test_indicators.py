"""Every indicator against a small hand-built semester; every expected figure is written out here.

The semester: 2026-09-01 – 2027-01-15, ledger due 2026-09-19; today (the as-of day) 2026-11-20.
Students: 张三丰, 李四 (文学院 2023), 王小明 (文学院 2024), 赵六 (数学院 2023).
Survey: 张三丰 and 李四 reviewed.
Case A — 李四, opened 09-01, economic + psych, mentor erin from 09-01, 帮扶效果 rated 4.
  Ended windows by 11-20: talks 09-01/15, 09-16/30, 10-01/15, 10-16/31, 11-01/15 (5); dorm months
  Sep, Oct (2). Talks in every half month but 10-16/31 → 4 met; dorm visits: Sep ×2 (met), Oct ×1
  (unmet). Required 7, met 5. Overdue (has unmet ended windows).
Case B — 赵六, opened 10-16, internet, no mentor, no contacts. Ended: talks 10-16/31, 11-01/15 (2);
  October's dorm month is not required (not open for the whole month). Required 2, met 0. Overdue.
Case C — 王小明, opened 09-01, academic, closed 10-10 with improvement. Required: talks 09-01/15,
  09-16/30 and dorm Sep (open the whole of each; 10-01/15 ends after the closing). Talks 09-05,
  09-20, visits 09-03, 09-25 → 3 of 3 met. Not open on 11-20.
Escalations: on A at 11-02 10:00, acknowledged after 30 min, resolved after 120 min; on B at 11-03
  09:00, acknowledged after 90 min.
Ledgers: 文学院 submitted 09-15 (on time); 数学院 none (due date passed).
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from careledger.cases.models import Case, CaseEffect, CloseRequest, Mentorship
from careledger.contacts.models import Contact
from careledger.core import services as core_services
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger, SurveyReview

TZ = "+08:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + TZ)


@pytest.fixture
def semester(school):
    with time_machine.travel(at("2026-11-20T12:00:00"), tick=False):
        semester = core_services.semester_create(
            actor=school.alice,
            name="2026-2027学年第一学期",
            start=date(2026, 9, 1),
            end=date(2027, 1, 15),
            ledger_due=date(2026, 9, 19),
            is_current=True,
        )
        s = school.students
        for key in ("zhang", "li"):
            SurveyReview.objects.create(
                semester=semester, student=s[key], outcome="no_concern", reviewed_by=school.carol
            )
        a = _case(school, "li", date(2026, 9, 1), ["economic", "psych"])
        Mentorship.objects.create(
            case=a, mentor=school.erin, started_at=at("2026-09-01T08:00:00"), assigned_by=school.carol
        )
        for day in ("09-03", "09-20", "10-08", "11-05"):
            _contact(school, a, "talk", day)
        for day in ("09-10", "09-24", "10-12"):
            _contact(school, a, "dorm_visit", day)
        CaseEffect.objects.create(case=a, semester=semester, text="情绪好转", rating=4)
        b = _case(school, "zhao", date(2026, 10, 16), ["internet"])
        c = _case(school, "wang", date(2026, 9, 1), ["academic"], closed_on=date(2026, 10, 10))
        for kind, day in (("talk", "09-05"), ("talk", "09-20"), ("dorm_visit", "09-03"), ("dorm_visit", "09-25")):
            _contact(school, c, kind, day)
        CloseRequest.objects.create(
            case=c,
            reason="学业恢复",
            improved=True,
            requested_by=school.carol,
            status="approved",
            decided_by=school.bob,
            decided_at=at("2026-10-10T09:00:00"),
        )
        _escalation(school, a, "2026-11-02T10:00:00", ack=30, resolve=120)
        _escalation(school, b, "2026-11-03T09:00:00", ack=90)
        Ledger.objects.create(
            semester=semester,
            college=school.wenxue,
            status="submitted",
            submitted_at=at("2026-09-15T10:00:00"),
            late=False,
            created_by=school.carol,
        )
    return semester


def _case(school, key, opened_on, categories, closed_on=None) -> Case:
    case = Case.objects.create(
        student=school.students[key],
        opened_on=opened_on,
        closed_on=closed_on,
        status="closed" if closed_on else "open",
        opened_by=school.carol,
    )
    for code in categories:
        case.categories.create(category=code, added_on=opened_on)
    return case


def _contact(school, case, kind, month_day):
    moment = at(f"2026-{month_day}T15:00:00")
    Contact.objects.create(case=case, kind=kind, occurred_at=moment, local_date=moment.date(), recorded_by=school.erin)


def _escalation(school, case, created, ack, resolve=None):
    created_at = at(created)
    Escalation.objects.create(
        case=case,
        severity="high",
        description="x",
        created_by=school.erin,
        created_at=created_at,
        due_at=created_at + timedelta(hours=24),
        acknowledged_at=created_at + timedelta(minutes=ack),
        resolved_at=created_at + timedelta(minutes=resolve) if resolve else None,
        status="resolved" if resolve else "acknowledged",
    )


def get(user, level):
    client = APIClient()
    client.force_authenticate(user)
    with time_machine.travel(at("2026-11-20T12:00:00"), tick=False):
        response = client.get("/api/v1/assessment/", {"level": level})
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
            "with_mentor": 1,
            "mentor_coverage": 0.5,
            "windows_required": 12,
            "windows_met": 8,
            "compliance_rate": 0.6667,
            "overdue_cases": 2,
            "escalations": 2,
            "ack_minutes_median": 60.0,
            "resolve_minutes_median": 120.0,
            "ledger_on_time": 0.5,
            "closed_improved": 1,
            "effect_rating_avg": 4.0,
        }
    ]


def test_college_rows(school, semester):
    rows = {r["unit"]["name"]: r for r in get(school.alice, "college")}
    wenxue, shuxue = rows["文学与新闻传播学院"], rows["数学与计算机科学学院"]
    assert (wenxue["students"], wenxue["surveyed"], wenxue["survey_coverage"]) == (3, 2, 0.6667)
    assert (wenxue["open_cases"], wenxue["with_mentor"], wenxue["mentor_coverage"]) == (1, 1, 1.0)
    assert (wenxue["windows_required"], wenxue["windows_met"], wenxue["compliance_rate"]) == (10, 8, 0.8)
    assert (wenxue["overdue_cases"], wenxue["escalations"], wenxue["ack_minutes_median"]) == (1, 1, 30.0)
    assert (wenxue["ledger_on_time"], wenxue["closed_improved"], wenxue["effect_rating_avg"]) == (True, 1, 4.0)
    assert wenxue["cases_by_category"] == {**NONE_BY_CATEGORY, "economic": 1, "psych": 1}
    assert (shuxue["students"], shuxue["surveyed"], shuxue["survey_coverage"]) == (1, 0, 0.0)
    assert (shuxue["open_cases"], shuxue["with_mentor"], shuxue["mentor_coverage"]) == (1, 0, 0.0)
    assert (shuxue["windows_required"], shuxue["windows_met"], shuxue["compliance_rate"]) == (2, 0, 0.0)
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
