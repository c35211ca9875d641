"""Survey, ledger life cycle, frozen snapshot, addenda, sections and the school's view (api.md: Ledgers).

Clock: 2026-09-10 10:00 Beijing time; ledger due 2026-09-19.
"""

from datetime import date

import pytest
import time_machine
from rest_framework.test import APIClient

from careledger.accounts.models import Grant, Role
from careledger.audit.models import AuditEvent
from careledger.cases import services as case_services
from careledger.core import services as core_services
from careledger.core.models import Semester
from careledger.ledgers.models import Addendum, Ledger, Section
from tests.support.testing import make_user


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-09-10T10:00:00+08:00", tick=False) as traveller:
        yield traveller


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def semester(school) -> Semester:
    return core_services.semester_create(
        actor=school.alice,
        name="2026-2027学年第一学期",
        start=date(2026, 9, 1),
        end=date(2027, 1, 15),
        ledger_due=date(2026, 9, 19),
    )


def open_case(school, key="zhang", categories=(("economic", "家庭困难"), ("psych", "情绪低落")), plan="每周谈心"):
    return case_services.case_open(
        actor=school.carol,
        student=school.students[key],
        categories=[case_services.CategoryInput(category=c, detail=d) for c, d in categories],
        opened_on=date(2026, 9, 2),
        plan=plan,
    )


@pytest.fixture
def ledger(school, semester):
    response = as_user(school.carol).post(
        "/api/v1/ledgers/", {"semester": semester.pk, "college": "文学与新闻传播学院"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return Ledger.objects.get(pk=response.json()["id"])


def test_draft_is_a_live_view_of_open_cases(school, ledger):
    open_case(school)
    body = as_user(school.carol).get(f"/api/v1/ledgers/{ledger.pk}/").json()
    assert body["status"] == "draft" and body["late"] is False and body["submitted_at"] is None
    assert body["counts"] == {
        "economic": 1,
        "academic": 0,
        "psych": 1,
        "internet": 0,
        "physical": 0,
        "discipline": 0,
        "other": 0,
    }


def test_only_the_colleges_keepers_open_its_ledger(school, semester):
    body = {"semester": semester.pk, "college": "文学与新闻传播学院"}
    assert as_user(school.ivan).post("/api/v1/ledgers/", body, format="json").status_code == 404
    assert as_user(school.erin).post("/api/v1/ledgers/", body, format="json").status_code == 403
    assert as_user(school.bob).post("/api/v1/ledgers/", body, format="json").status_code == 201
    # Asking again gives the same draft.
    assert as_user(school.carol).post("/api/v1/ledgers/", body, format="json").json()["id"] == Ledger.objects.get().pk


def test_submitted_ledger_does_not_change_when_a_case_changes(school, ledger):
    case = open_case(school)
    submit = as_user(school.bob).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/",
        {"filled_by": "王辅导员", "responsible": "李书记", "confirm": True},
        format="json",
    )
    assert submit.status_code == 200 and submit.json()["status"] == "submitted"
    before = Ledger.objects.get(pk=ledger.pk).snapshot
    assert before["schema"] == 2 and before["records"]["economic"][0]["plan"] == "每周谈心"
    case_services.case_update(
        actor=school.carol, case=case, version=1, fields={"plan": "改为每月一次", "risk_level": "high"}
    )
    after = Ledger.objects.get(pk=ledger.pk).snapshot
    assert after == before
    assert as_user(school.carol).get(f"/api/v1/ledgers/{ledger.pk}/").json()["counts"]["economic"] == 1


def test_life_cycle_return_resubmit_accept_and_every_step_is_kept(school, ledger):
    carol, alice = as_user(school.bob), as_user(school.alice)  # the college_admin signs and sends it
    signatures = {"filled_by": "王辅导员", "responsible": "李书记", "confirm": True}
    carol.post(f"/api/v1/ledgers/{ledger.pk}/submit/", signatures, format="json")
    assert carol.post(f"/api/v1/ledgers/{ledger.pk}/submit/", signatures, format="json").status_code == 400
    assert carol.post(f"/api/v1/ledgers/{ledger.pk}/accept/").status_code == 403
    assert alice.post(f"/api/v1/ledgers/{ledger.pk}/return/", {}, format="json").status_code == 400
    returned = alice.post(f"/api/v1/ledgers/{ledger.pk}/return/", {"comment": "缺少心理异常学生"}, format="json")
    assert returned.json()["status"] == "returned" and returned.json()["comment"] == "缺少心理异常学生"
    carol.post(f"/api/v1/ledgers/{ledger.pk}/submit/", signatures, format="json")
    accepted = alice.post(f"/api/v1/ledgers/{ledger.pk}/accept/")
    assert accepted.json()["status"] == "accepted"
    assert [s["action"] for s in accepted.json()["steps"]] == [
        "created",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]


def test_submitting_after_the_due_date_is_allowed_and_marked_late(school, ledger, clock):
    clock.move_to("2026-09-20T09:00:00+08:00")
    response = as_user(school.bob).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/",
        {"filled_by": "王辅导员", "responsible": "李书记", "confirm": True},
        format="json",
    )
    assert response.json()["late"] is True
    overview = as_user(school.alice).get("/api/v1/ledgers/overview/").json()["colleges"]
    assert {c["college"]: c["status"] for c in overview} == {
        "数学与计算机科学学院": "not_started",
        "文学与新闻传播学院": "late",
    }


def test_on_the_due_date_is_on_time(school, ledger, clock):
    clock.move_to("2026-09-19T23:30:00+08:00")  # still the 19th in Beijing
    response = as_user(school.bob).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/",
        {"filled_by": "王辅导员", "responsible": "李书记", "confirm": True},
        format="json",
    )
    assert response.json()["late"] is False


def test_a_case_opened_after_submission_is_reported_at_once_as_an_addendum(school, ledger):
    as_user(school.bob).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/",
        {"filled_by": "王辅导员", "responsible": "李书记", "confirm": True},
        format="json",
    )
    case = open_case(school, key="li", categories=(("discipline", "夜不归宿"),))
    addendum = Addendum.objects.get()
    assert (addendum.case_id, addendum.category, addendum.kind) == (case.pk, "discipline", "new_case")
    assert addendum.row["name"] == "李四" and addendum.row["detail"] == "夜不归宿"
    case_services.case_update(
        actor=school.carol,
        case=case,
        version=1,
        fields={},
        categories=[
            case_services.CategoryInput(category="discipline", detail="夜不归宿"),
            case_services.CategoryInput(category="internet", detail="通宵上网"),
        ],
    )
    assert list(Addendum.objects.order_by("id").values_list("category", "kind")) == [
        ("discipline", "new_case"),
        ("internet", "new_category"),
    ]
    listed = as_user(school.alice).get("/api/v1/addenda/").json()["results"]
    assert [(a["student"], a["category"]) for a in listed] == [
        ("202301010002", "internet"),
        ("202301010002", "discipline"),
    ]
    overview = as_user(school.alice).get("/api/v1/ledgers/overview/").json()["colleges"]
    assert {c["college"]: c["addenda"] for c in overview}["文学与新闻传播学院"] == 2


def test_no_addendum_before_the_college_has_submitted(school, ledger):
    open_case(school)
    assert not Addendum.objects.exists()


def test_a_section_sees_only_its_categories_across_colleges(school, ledger):
    section = Section.objects.create(code="psych_center", name="心理健康教育中心", categories=["psych"])
    staff = make_user("sally")
    Grant.objects.create(user=staff, role=Role.SECTION, section=section)
    open_case(school)
    client = as_user(staff)
    assert client.get(f"/api/v1/ledgers/{ledger.pk}/").json()["counts"] == {"psych": 1}
    overview = client.get("/api/v1/ledgers/overview/").json()["colleges"]
    assert overview[1]["by_category"] == {"psych": 1}
    assert client.post(f"/api/v1/ledgers/{ledger.pk}/submit/", {}, format="json").status_code == 403
    assert client.get("/api/v1/cases/").status_code == 403


def test_survey_review_and_progress(school, semester):
    carol = as_user(school.carol)
    assert (
        carol.post("/api/v1/survey/", {"student": "202301010001", "outcome": "no_concern"}, format="json").status_code
        == 201
    )
    no_case = carol.post("/api/v1/survey/", {"student": "202301010002", "outcome": "case_confirmed"}, format="json")
    assert no_case.status_code == 400
    assert (
        carol.post("/api/v1/survey/", {"student": "202401010001", "outcome": "no_concern"}, format="json").status_code
        == 404
    )
    progress = as_user(school.bob).get("/api/v1/survey/", {"by": "class"}).json()
    assert progress["groups"] == [
        {"name": "2023级汉语言文学1班", "students": 1, "surveyed": 1, "rate": 1.0, "pending_suggestions": 0},
        {"name": "2023级汉语言文学2班", "students": 1, "surveyed": 0, "rate": 0.0, "pending_suggestions": 0},
        {"name": "2024级新闻学1班", "students": 1, "surveyed": 0, "rate": 0.0, "pending_suggestions": 0},
    ]
    assert progress["not_reviewed"] == 2
    assert AuditEvent.objects.filter(object_type="survey", student_no="202301010001").count() == 1


def test_next_semester_comparison(school, ledger, clock):
    case = open_case(school)
    open_case(school, key="li", categories=(("discipline", "夜不归宿"),))
    as_user(school.bob).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/", {"filled_by": "王", "responsible": "李", "confirm": True}, format="json"
    )
    clock.move_to("2027-03-05T10:00:00+08:00")
    spring = core_services.semester_create(
        actor=school.alice,
        name="2026-2027学年第二学期",
        start=date(2027, 3, 1),
        end=date(2027, 7, 10),
        ledger_due=date(2027, 3, 19),
    )
    # Spring: 张三丰 gains a category and a risk level; 李四's case is closed; 王小明 is new.
    case_services.case_update(
        actor=school.carol,
        case=case,
        version=1,
        fields={"risk_level": "high"},
        categories=[
            case_services.CategoryInput("economic"),
            case_services.CategoryInput("psych"),
            case_services.CategoryInput("academic"),
        ],
    )
    li = school.students["li"].cases.get()
    li.status = "closed"
    li.save()
    case_services.case_open(
        actor=school.bob, student=school.students["wang"], categories=[case_services.CategoryInput("other", "就业困难")]
    )
    response = as_user(school.bob).get(
        "/api/v1/ledgers/compare/", {"college": "文学与新闻传播学院", "from": ledger.semester_id, "to": spring.pk}
    )
    assert response.json() == {
        "new": [{"student": "202401010001", "name": "王小明", "categories": ["other"]}],
        "closed": [{"student": "202301010002", "name": "李四", "categories": ["discipline"]}],
        "changed": [
            {
                "student": "202301010001",
                "name": "张三丰",
                "added": ["academic"],
                "removed": [],
                "risk_before": "low",
                "risk_after": "high",
            }
        ],
    }


# --- signing (issue 14): the college_admin confirms as 负责人; the submission warns first ---


def _all_reviewed(school, semester):
    from careledger.ledgers.models import SurveyReview
    from careledger.roster.models import Student

    for student in Student.objects.filter(college=school.wenxue):
        SurveyReview.objects.create(semester=semester, student=student, outcome="no_concern", reviewed_by=school.carol)


def test_submission_warns_with_numbers_and_writes_nothing_until_confirmed(school, ledger):
    open_case(school)  # unpaired; nobody surveyed
    bob = as_user(school.bob)
    # "confirm": false asks for the warnings first (a preview); nothing is written.
    answer = bob.post(
        f"/api/v1/ledgers/{ledger.pk}/submit/",
        {"filled_by": "王辅导员", "responsible": "李书记", "confirm": False},
        format="json",
    )
    assert answer.status_code == 400
    warnings = {w["code"]: w for w in answer.json()["warnings"]}
    # 文学院 has 3 students (张三丰, 李四, 王小明), none surveyed; 1 open case, without a mentor.
    assert (warnings["survey"]["count"], warnings["survey"]["total"]) == (3, 3)
    assert "0%" in warnings["survey"]["message"]
    assert (warnings["unpaired"]["count"], warnings["unpaired"]["total"]) == (1, 1)
    assert "confirm" in answer.json()
    assert Ledger.objects.get(pk=ledger.pk).status == "draft" and not ledger.steps.filter(action="submitted")
    confirmed = bob.post(
        f"/api/v1/ledgers/{ledger.pk}/submit/",
        {"filled_by": "王辅导员", "responsible": "李书记", "confirm": True},
        format="json",
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "submitted"
    assert {w["code"] for w in confirmed.json()["warnings"]} >= {"survey", "unpaired"}


def test_api_submit_as_api_md_says_goes_through_and_carries_the_warnings(school, ledger):
    open_case(school)
    answer = as_user(school.bob).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/", {"filled_by": "王辅导员", "responsible": "李书记"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "submitted"
    assert {w["code"] for w in answer.json()["warnings"]} >= {"survey", "unpaired"}


def test_college_admin_submits_directly_when_there_is_nothing_to_warn_about(school, semester, ledger):
    case = open_case(school)
    case_services.mentor_assign(actor=school.carol, case=case, mentor=school.erin)
    _all_reviewed(school, semester)
    answer = as_user(school.bob).post(
        f"/api/v1/ledgers/{ledger.pk}/submit/", {"filled_by": "王辅导员", "responsible": "李书记"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["status"], body["filled_by"], body["responsible"]) == ("submitted", "王辅导员", "李书记")
    assert body["awaiting_confirmation"] is False


def test_a_counselors_submit_waits_for_the_college_admin_to_confirm_as_responsible(school, semester, ledger):
    _all_reviewed(school, semester)
    carol = as_user(school.carol)
    answer = carol.post(
        f"/api/v1/ledgers/{ledger.pk}/submit/", {"filled_by": "王辅导员", "responsible": "随便写"}, format="json"
    )
    body = answer.json()
    assert answer.status_code == 200
    assert (body["status"], body["awaiting_confirmation"], body["prepared_by"]) == ("draft", True, "carol")
    assert (body["filled_by"], body["responsible"], body["submitted_at"]) == ("王辅导员", "", None)
    assert as_user(school.alice).post(f"/api/v1/ledgers/{ledger.pk}/accept/").status_code == 400  # not sent yet
    # The college_admin confirms: 填表人 kept, 负责人 is their own name.
    confirmed = as_user(school.bob).post(f"/api/v1/ledgers/{ledger.pk}/submit/", {}, format="json").json()
    assert (confirmed["status"], confirmed["filled_by"], confirmed["responsible"]) == ("submitted", "王辅导员", "bob")
    assert confirmed["awaiting_confirmation"] is False
    assert [s["action"] for s in confirmed["steps"]] == ["created", "prepared", "submitted"]
    assert Ledger.objects.get(pk=ledger.pk).responsible_user == school.bob
