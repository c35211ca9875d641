"""The hand-built semester of the assessment tests (described in test_indicators.py, whose expected
figures are written against it), and the help groups of the cadre tests.

``build(school)`` is the ``semester`` fixture (conftest.py); ``add_cadres(school, semester)`` the
``cadres`` fixture.
"""

from datetime import date, datetime, timedelta

import time_machine

from careledger.cases.models import Case, CaseEffect, CloseRequest, Helper, HelperActivity, Mentorship
from careledger.contacts import compliance
from careledger.contacts.models import Contact
from careledger.core import services as core_services
from careledger.escalations.models import Escalation
from careledger.ledgers.models import Ledger, SurveyReview
from tests.support.testing import make_student

TZ = "+08:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + TZ)


NOW = "2026-11-20T12:00:00"


def build(school):
    with time_machine.travel(at(NOW), tick=False):
        semester = core_services.semester_create(
            actor=school.alice,
            name="2026-2027学年第一学期",
            start=date(2026, 9, 1),
            end=date(2027, 1, 15),
            ledger_due=date(2026, 9, 19),
        )
        s = school.students
        for key in ("zhang", "li"):
            SurveyReview.objects.create(
                semester=semester, student=s[key], outcome="no_concern", reviewed_by=school.carol
            )
        a = case(school, "li", date(2026, 9, 1), ["economic", "psych"], risk="high")
        Mentorship.objects.create(
            case=a, mentor=school.erin, started_at=at("2026-09-01T08:00:00"), assigned_by=school.carol
        )
        for day in ("09-03", "09-20", "10-08", "11-05"):
            contact(school, a, "talk", day)
        for day in ("09-10", "09-24", "10-12"):
            contact(school, a, "dorm_visit", day)
        CaseEffect.objects.create(case=a, semester=semester, text="情绪好转", rating=4)
        b = case(school, "zhao", date(2026, 10, 16), ["internet"], risk="medium")
        c = case(school, "wang", date(2026, 9, 1), ["academic"], closed_on=date(2026, 10, 10))
        for kind, day in (("talk", "09-05"), ("talk", "09-20"), ("dorm_visit", "09-03"), ("dorm_visit", "09-25")):
            contact(school, c, kind, day)
        CloseRequest.objects.create(
            case=c,
            reason="学业恢复",
            improved=True,
            requested_by=school.carol,
            status="approved",
            decided_by=school.bob,
            decided_at=at("2026-10-10T09:00:00"),
        )
        escalation(school, a, "2026-11-02T10:00:00", ack=30, resolve=120)
        escalation(school, b, "2026-11-03T09:00:00", ack=90)
        Ledger.objects.create(
            semester=semester,
            college=school.wenxue,
            status="submitted",
            submitted_at=at("2026-09-15T10:00:00"),
            late=False,
            created_by=school.carol,
        )
        compliance.rebuild()  # the rows above were written without the services: the table from scratch
    return semester


def case(school, key, opened_on, categories, closed_on=None, risk="low") -> Case:
    case = Case.objects.create(
        student=school.students[key],
        opened_on=opened_on,
        closed_on=closed_on,
        status="closed" if closed_on else "open",
        risk_level=risk,
        opened_by=school.carol,
    )
    for code in categories:
        case.categories.create(category=code, added_on=opened_on)
    return case


def contact(school, case, kind, month_day):
    moment = at(f"2026-{month_day}T15:00:00")
    Contact.objects.create(case=case, kind=kind, occurred_at=moment, local_date=moment.date(), recorded_by=school.erin)


def escalation(school, case, created, ack, resolve=None):
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


# What the help-group members did, as their mentor wrote it: the cadre list must never show it.
ACTIVITY_TEXT = "陪李四去校医院复查，聊家里的困难"


def add_cadres(school, semester) -> dict[str, Helper]:
    """张三丰 (文学院 2023-1) is 寝室心理联络员 and 王小明 (文学院 2024) 学生骨干 on 李四's case; 钱七
    (数学院 2023) is 班级心理委员 on 赵六's. Activities this semester: 张三丰 3 (Oct ×2, Nov ×1), 王小明 1
    (Sep), 钱七 1 (Nov); 张三丰 has one more from last spring, which does not count."""
    li_case = Case.objects.get(student=school.students["li"])
    zhao_case = Case.objects.get(student=school.students["zhao"])
    qian = make_student("202302010002", "钱七", school.math2023)
    school.students["qian"] = qian
    helpers = {
        "zhang": Helper.objects.create(
            case=li_case, student=school.students["zhang"], role="dorm_liaison", added_on=date(2026, 9, 2)
        ),
        "wang": Helper.objects.create(
            case=li_case, student=school.students["wang"], role="student_leader", added_on=date(2026, 9, 2)
        ),
        "qian": Helper.objects.create(
            case=zhao_case, student=qian, role="psych_committee", added_on=date(2026, 10, 17)
        ),
    }
    for key, day in (("zhang", "2026-10-08"), ("zhang", "2026-10-20"), ("zhang", "2026-11-12"), ("wang", "2026-09-25"),
                     ("qian", "2026-11-03"), ("zhang", "2026-05-10")):  # fmt: skip
        HelperActivity.objects.create(
            helper=helpers[key], on=date.fromisoformat(day), what=ACTIVITY_TEXT, recorded_by=school.erin
        )
    return helpers
