"""Semesters and case files through the API, as api.md writes them: opening, reading and scope, editing,
the help group, the lists.

The clock is fixed at 2026-11-20 10:00 Beijing time; the semester runs 2026-09-01 – 2027-01-15
(寒假 2027-01-16 – 2027-02-28 belongs to it: the next semester starts 2027-03-01). Fixtures: conftest.py.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careledger.accounts.models import Role
from careledger.audit.models import AuditEvent
from careledger.cases.models import Case, CaseEvent, Mentorship
from careledger.cases.tests.api_helpers import as_user, open_case
from careledger.contacts.models import Contact
from careledger.roster.models import Student
from tests.support.testing import make_student, make_user

pytestmark = pytest.mark.usefixtures("frozen_clock")


# --- semesters ---


def test_semester_current_and_validation(school, semester):
    current = as_user(school.erin).get("/api/v1/semesters/current/").json()
    assert current["name"] == "2026-2027学年第一学期"
    assert current["key_periods"] == [{"name": "考前", "start": "2027-01-04", "end": "2027-01-10"}]
    bad = as_user(school.alice).post(
        "/api/v1/semesters/",
        {
            "name": "x",
            "start": "2027-08-01",
            "end": "2027-09-01",
            "ledger_due": "2027-08-19",
            "holidays": [{"name": "暑假", "start": "2027-07-01", "end": "2027-08-15"}],
        },
        format="json",
    )
    assert bad.status_code == 400 and "holidays" in bad.json()
    assert as_user(school.carol).post("/api/v1/semesters/", {}, format="json").status_code == 403


# --- opening ---


def test_open_case_returns_id_and_version(school, semester):
    response = open_case(as_user(school.carol))
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 1 and body["status"] == "open" and body["student"] == "202301010001"
    assert [c["category"] for c in body["categories"]] == ["economic", "psych"]
    assert body["categories"][0]["title"] == "家庭经济困难"
    assert body["categories"][0]["data"] == {"hardship_level": "special"}
    assert CaseEvent.objects.filter(case_id=body["id"], kind="opened").count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="case", student_no="202301010001").count() == 1


def test_second_open_case_for_a_student_is_400(school, case):
    response = open_case(as_user(school.bob))
    assert response.status_code == 400 and "student" in response.json()
    assert Case.objects.filter(student__student_no="202301010001").count() == 1


def test_opened_on_defaults_to_today_and_cannot_be_in_the_future(school, semester):
    future = open_case(as_user(school.carol), opened_on="2026-11-21")
    assert future.status_code == 400 and "opened_on" in future.json()
    today = open_case(as_user(school.carol), opened_on=None)
    assert today.status_code == 201 and today.json()["opened_on"] == "2026-11-20"


def test_mentor_cannot_open_a_case_and_out_of_scope_student_is_404(school, semester):
    assert open_case(as_user(school.erin)).status_code == 403  # no opener role at all
    assert open_case(as_user(school.dave)).status_code == 404  # 张三丰 is not in dave's class


def test_unknown_category_or_field_is_400(school, semester):
    bad = open_case(as_user(school.carol), categories=[{"category": "wizardry", "detail": "x"}])
    assert bad.status_code == 400
    bad_data = open_case(as_user(school.carol), categories=[{"category": "economic", "data": {"income": 3}}])
    assert bad_data.status_code == 400
    assert not Case.objects.exists()


def test_physical_verification_only_by_class_teacher_or_counselor(school, semester):
    body = {"categories": [{"category": "physical", "detail": "先天性心脏病", "verification": "已核实病历"}]}
    by_admin = open_case(as_user(school.bob), student_no="202301010002", **body)
    assert by_admin.status_code == 400
    by_teacher = open_case(as_user(school.dave), student_no="202301010002", **body)
    assert by_teacher.status_code == 201
    assert by_teacher.json()["categories"][0]["verification"] == "已核实病历"


# --- reading and scope ---


def test_case_read_is_audited_and_other_mentor_gets_404_with_a_denied_row(school, paired):
    other = make_user("olga", role=Role.MENTOR, college=school.wenxue)
    assert as_user(school.erin).get(f"/api/v1/cases/{paired.pk}/").status_code == 200
    assert AuditEvent.objects.filter(actor_username="erin", action="read", object_type="case").count() == 1
    response = as_user(other).get(f"/api/v1/cases/{paired.pk}/")
    assert response.status_code == 404
    denied = AuditEvent.objects.filter(actor_username="olga", action="denied")
    assert denied.count() == 1 and denied.get().outcome == "denied"
    assert as_user(other).get(f"/api/v1/cases/{paired.pk}/contacts/").status_code == 404
    assert as_user(other).get(f"/api/v1/cases/{paired.pk}/compliance/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [("alice", 200), ("bob", 200), ("carol", 200), ("dave", 404), ("ivan", 404), ("frank", 403), ("harry", 403)],
)
def test_case_detail_by_role(school, case, persona, status_code):
    assert as_user(school.users[persona]).get(f"/api/v1/cases/{case.pk}/").status_code == status_code


def test_mentor_sees_the_students_of_their_cases_only_while_paired(school, paired):
    erin = as_user(school.erin)
    assert erin.get("/api/v1/students/202301010001/").status_code == 200
    assert [s["student_no"] for s in erin.get("/api/v1/students/").json()["results"]] == ["202301010001"]
    as_user(school.carol).put(f"/api/v1/cases/{paired.pk}/mentor/", {"mentor": "nina"}, format="json")
    make_user("nina", role=Role.MENTOR, college=school.wenxue)
    assert (
        as_user(school.carol).put(f"/api/v1/cases/{paired.pk}/mentor/", {"mentor": "nina"}, format="json").status_code
        == 200
    )
    assert erin.get(f"/api/v1/cases/{paired.pk}/").status_code == 404
    assert erin.get("/api/v1/students/202301010001/").status_code == 404
    history = list(Mentorship.objects.filter(case=paired).values_list("mentor__username", "ended_at"))
    assert [m for m, _ in history] == ["erin", "nina"] and history[0][1] is not None and history[1][1] is None


def test_assigning_a_non_mentor_is_400(school, case):
    response = as_user(school.carol).put(f"/api/v1/cases/{case.pk}/mentor/", {"mentor": "dave"}, format="json")
    assert response.status_code == 400


# --- editing ---


def test_patch_bumps_version_and_stale_version_is_409_and_audited(school, paired):
    first = as_user(school.carol).patch(
        f"/api/v1/cases/{paired.pk}/", {"version": 1, "risk_level": "high"}, format="json"
    )
    assert first.status_code == 200 and first.json()["version"] == 2 and first.json()["risk_level"] == "high"
    second = as_user(school.erin).patch(
        f"/api/v1/cases/{paired.pk}/", {"version": 1, "risk_level": "low", "plan": "改"}, format="json"
    )
    assert second.status_code == 409 and second.json()["version"] == 2
    paired.refresh_from_db()
    assert (paired.risk_level, paired.version, paired.plan) == ("high", 2, "每两周谈心；申请助学金")
    assert AuditEvent.objects.filter(outcome="conflict", object_id=str(paired.pk), actor_username="erin").count() == 1


def test_patch_without_version_is_400(school, case):
    assert (
        as_user(school.carol).patch(f"/api/v1/cases/{case.pk}/", {"risk_level": "high"}, format="json").status_code
        == 400
    )


def test_patch_categories_replaces_the_list_and_history_keeps_old_and_new(school, case):
    response = as_user(school.carol).patch(
        f"/api/v1/cases/{case.pk}/",
        {
            "version": 1,
            "categories": [
                {"category": "psych", "detail": "情绪好转"},
                {"category": "academic", "data": {"gpa": "1.8"}},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [c["category"] for c in response.json()["categories"]] == ["psych", "academic"]
    event = CaseEvent.objects.filter(case=case, kind="updated").get()
    fields = {c["field"]: (c["old"], c["new"]) for c in event.changes}
    assert fields["category:economic"] == ("单亲家庭，母亲务农", None)
    assert fields["category:psych:detail"] == ("入学后情绪低落", "情绪好转")
    assert fields["category:academic"] == (None, "")
    timeline = as_user(school.carol).get(f"/api/v1/cases/{case.pk}/timeline/").json()["results"]
    assert [e["kind"] for e in timeline] == ["updated", "opened"]


def test_patch_unknown_field_is_400(school, case):
    response = as_user(school.carol).patch(
        f"/api/v1/cases/{case.pk}/", {"version": 1, "status": "closed"}, format="json"
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "open"


# --- helpers ---


def test_help_group_member_is_a_student_never_a_user(school, paired):
    # The mentor cannot resolve a student outside their view (issue 11, finding 13); the counselor can.
    unseen = as_user(school.erin).post(
        f"/api/v1/cases/{paired.pk}/helpers/", {"student": "202301010002", "role": "psych_committee"}, format="json"
    )
    assert unseen.status_code == 400 and "李四" not in unseen.content.decode()
    response = as_user(school.carol).post(
        f"/api/v1/cases/{paired.pk}/helpers/", {"student": "202301010002", "role": "psych_committee"}, format="json"
    )
    assert response.status_code == 201 and response.json()["name"] == "李四"
    other_college = as_user(school.erin).post(
        f"/api/v1/cases/{paired.pk}/helpers/", {"student": "202302010001", "role": "dorm_liaison"}, format="json"
    )
    assert other_college.status_code == 400
    assert as_user(school.erin).get(f"/api/v1/cases/{paired.pk}/helpers/").json()[0]["role"] == "psych_committee"


# --- lists ---


def test_list_filters_and_carries_no_narrative(school, semester):
    carol = as_user(school.carol)
    open_case(carol)
    open_case(
        carol,
        student_no="202301010002",
        risk_level="high",
        categories=[{"category": "discipline", "detail": "夜不归宿"}],
    )
    rows = carol.get("/api/v1/cases/").json()["results"]
    assert [r["student"] for r in rows] == ["202301010002", "202301010001"]  # high risk first
    assert not {"problem", "life_history", "plan", "note"} & set(rows[0])
    assert [r["student"] for r in carol.get("/api/v1/cases/", {"category": "discipline"}).json()["results"]] == [
        "202301010002"
    ]
    assert [r["student"] for r in carol.get("/api/v1/cases/", {"risk_level": "medium"}).json()["results"]] == [
        "202301010001"
    ]
    assert carol.get("/api/v1/cases/", {"no_mentor": "true"}).json()["count"] == 2
    assert as_user(school.ivan).get("/api/v1/cases/").json()["count"] == 0


def _many_cases(school, n: int, start: int) -> None:
    for i in range(n):
        student = make_student(f"2023019{start + i:05d}", f"学生{i}", school.c2023_1)
        case = Case.objects.create(student=student, opened_on=date(2026, 9, 1), opened_by=school.carol)
        case.categories.create(category="economic", added_on=date(2026, 9, 1))
        Mentorship.objects.create(
            case=case, mentor=school.erin, started_at="2026-09-01T00:00:00Z", assigned_by=school.carol
        )
        Contact.objects.create(
            case=case,
            kind="talk",
            occurred_at="2026-10-02T02:00:00Z",
            local_date=date(2026, 10, 2),
            recorded_by=school.erin,
        )


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/cases/?overdue=true", "/api/v1/compliance/overdue/", "/api/v1/cases/?mine=true"]
)
def test_case_lists_keep_a_constant_query_count(school, semester, url):
    erin = as_user(school.erin)
    _many_cases(school, 3, 0)
    with CaptureQueriesContext(connection) as small:
        assert erin.get(url).status_code == 200
    _many_cases(school, 30, 100)
    with CaptureQueriesContext(connection) as large:
        assert erin.get(url).status_code == 200
    assert len(large) == len(small)
    assert Student.objects.count() > 30
