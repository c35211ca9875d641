"""Escalations (api.md): report at once, deadlines raised by `tick` (twice, or late, does no harm),
department isolation (404 outside, only the fields needed to act, gone once resolved)."""

from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.cases.models import CaseEvent
from careledger.escalations.models import Department, Escalation
from careledger.notify.models import Message
from tests.support.testing import make_case, make_user

T0 = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
# What a department user may see of the student (issue 5): nothing else about the case.
STUDENT_FIELDS = {"name", "class", "dorm", "phone", "parent_name", "parent_phone"}
DEPARTMENT_KEYS = {
    "id",
    "severity",
    "status",
    "description",
    "departments",
    "created_at",
    "due_at",
    "acknowledged_at",
    "resolved_at",
    "resolution",
    "raised_to_school",
    "student",
    "notes",
}


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def setup(school, clock):
    Department.objects.create(code="security", name="保卫处")
    security_user = make_user("sam", role="department", department=Department.objects.get(code="security"))
    case = make_case(school, "li", mentor=school.erin)
    return case, security_user


def report(school, case, severity="urgent", departments=("psych_center",)):
    response = as_user(school.erin).post(
        "/api/v1/escalations/",
        {
            "case": case.pk,
            "severity": severity,
            "description": "深夜在宿舍楼顶徘徊，情绪激动",
            "departments": list(departments),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.parametrize(
    ("severity", "due"),
    [
        ("urgent", "2026-11-20T11:00:00+08:00"),
        ("high", "2026-11-21T10:00:00+08:00"),
        ("normal", "2026-11-23T10:00:00+08:00"),
    ],
)
def test_due_at_by_severity(school, setup, severity, due):
    body = report(school, setup[0], severity)
    assert datetime.fromisoformat(body["due_at"]) == datetime.fromisoformat(due)
    assert body["status"] == "open" and body["acknowledged_at"] is None


def test_college_admins_and_chosen_departments_are_told_at_once_with_the_least_detail(school, setup):
    body = report(school, setup[0])
    # The college's admin sees the student and is told the name; the psych centre's user is not.
    named = Message.objects.get(kind="escalation", dedupe_key__endswith=":named")
    unnamed = Message.objects.exclude(pk=named.pk).get(kind="escalation")
    for message in (named, unnamed):
        assert message.link == f"/escalations/{body['id']}/"
        assert "深夜" not in message.body  # never the case text
        assert "2023级汉语言文学2班" in message.body and "紧急" in message.body
    assert "李四" in named.body and "李四" not in unnamed.body + unnamed.subject
    assert set(named.deliveries.exclude(user=None).values_list("user__username", flat=True)) == {"bob"}
    assert set(unnamed.deliveries.exclude(user=None).values_list("user__username", flat=True)) == {"frank"}
    assert CaseEvent.objects.filter(case=setup[0], kind="escalation").count() == 1


def test_empty_department_list_goes_to_the_college_alone(school, setup):
    report(school, setup[0], departments=())
    recipients = set(
        Message.objects.get(kind="escalation").deliveries.exclude(user=None).values_list("user__username", flat=True)
    )
    assert recipients == {"bob"}


def test_department_sees_only_its_escalations_and_only_the_fields_to_act(school, setup):
    case, security_user = setup
    body = report(school, case)
    frank = as_user(school.frank)
    seen = frank.get(f"/api/v1/escalations/{body['id']}/").json()
    assert set(seen) == DEPARTMENT_KEYS and set(seen["student"]) == STUDENT_FIELDS
    assert seen["student"]["name"] == "李四" and seen["description"] == "深夜在宿舍楼顶徘徊，情绪激动"
    assert frank.get("/api/v1/escalations/").json()["count"] == 1
    # Not the case, its history, its categories or contacts:
    for url in (
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/contacts/",
        f"/api/v1/cases/{case.pk}/timeline/",
    ):
        assert frank.get(url).status_code in (403, 404)
    # Another department: 404, and nothing in its list.
    assert as_user(security_user).get(f"/api/v1/escalations/{body['id']}/").status_code == 404
    assert as_user(security_user).get("/api/v1/escalations/").json()["count"] == 0
    assert as_user(security_user).post(f"/api/v1/escalations/{body['id']}/acknowledge/").status_code == 404


def test_case_roles_see_the_full_record(school, setup):
    body = report(school, setup[0])
    full = as_user(school.carol).get(f"/api/v1/escalations/{body['id']}/").json()
    assert full["case"] == setup[0].pk and full["student_no"] == "202301010002"
    assert as_user(school.ivan).get(f"/api/v1/escalations/{body['id']}/").status_code == 404


def test_acknowledge_note_resolve_and_the_department_loses_sight(school, setup, clock):
    body = report(school, setup[0])
    frank = as_user(school.frank)
    clock.shift(600)
    ack = frank.post(f"/api/v1/escalations/{body['id']}/acknowledge/").json()
    assert ack["status"] == "acknowledged" and ack["acknowledged_at"] == "2026-11-20T10:10:00+08:00"
    note = frank.post(f"/api/v1/escalations/{body['id']}/notes/", {"text": "已联系家长到校"}, format="json").json()
    assert note["notes"][0]["text"] == "已联系家长到校"
    assert frank.post(f"/api/v1/escalations/{body['id']}/resolve/", {}, format="json").status_code == 400
    resolved = frank.post(f"/api/v1/escalations/{body['id']}/resolve/", {"resolution": "已送医"}, format="json").json()
    assert resolved["status"] == "resolved"
    assert frank.get(f"/api/v1/escalations/{body['id']}/").status_code == 404
    assert as_user(school.bob).get(f"/api/v1/escalations/{body['id']}/").json()["resolution"] == "已送医"
    actions = list(AuditEvent.objects.filter(object_type="escalation").values_list("actor_username", "action"))
    assert ("erin", "create") in actions and ("frank", "update") in actions


def test_mentor_cannot_acknowledge_but_can_report(school, setup):
    body = report(school, setup[0])
    assert as_user(school.erin).post(f"/api/v1/escalations/{body['id']}/acknowledge/").status_code == 403


def test_tick_raises_a_missed_deadline_to_school_admin_once(school, setup, clock):
    body = report(school, setup[0], severity="urgent")
    clock.move_to("2026-11-20T10:59:00+08:00")
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Message.objects.filter(kind="escalation_overdue").exists()
    clock.move_to("2026-11-20T11:01:00+08:00")
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115  (twice does no harm)
    overdue = Message.objects.get(kind="escalation_overdue")
    assert set(overdue.deliveries.exclude(user=None).values_list("user__username", flat=True)) == {"alice"}
    assert as_user(school.alice).get(f"/api/v1/escalations/{body['id']}/").json()["raised_to_school"] is True


def test_tick_run_an_hour_late_raises_once_and_not_the_acknowledged(school, setup, clock):
    late = report(school, setup[0], severity="urgent")
    acked = report(school, make_case(school, "zhang", mentor=school.erin), severity="urgent")
    as_user(school.bob).post(f"/api/v1/escalations/{acked['id']}/acknowledge/")
    clock.move_to("2026-11-20T12:05:00+08:00")  # cron stopped for an hour
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Escalation.objects.exclude(raised_at=None).values_list("pk", flat=True)) == [late["id"]]
    assert Message.objects.filter(kind="escalation_overdue").count() == 1


def test_response_figures_per_college_and_department(school, setup, clock):
    first = report(school, setup[0], severity="high")
    clock.shift(30 * 60)
    as_user(school.frank).post(f"/api/v1/escalations/{first['id']}/acknowledge/")
    clock.shift(90 * 60)
    as_user(school.bob).post(f"/api/v1/escalations/{first['id']}/resolve/", {"resolution": "已处理"}, format="json")
    figures = as_user(school.alice).get("/api/v1/escalations/figures/").json()
    assert figures["colleges"] == [
        {
            "unit": "文学与新闻传播学院",
            "escalations": 1,
            "acknowledged": 1,
            "resolved": 1,
            "ack_minutes_median": 30.0,
            "resolve_minutes_median": 120.0,
        }
    ]
    assert figures["departments"][0]["unit"] == "心理健康教育中心"


# --- the reporting loop (issue 14) ---


def test_resolving_before_anyone_acknowledged_is_409_and_nothing_changes(school, setup):
    body = report(school, setup[0])
    frank = as_user(school.frank)
    answer = frank.post(f"/api/v1/escalations/{body['id']}/resolve/", {"resolution": "已送医"}, format="json")
    assert answer.status_code == 409 and "确认收到" in answer.json()["detail"]
    escalation = Escalation.objects.get(pk=body["id"])
    assert (escalation.status, escalation.resolved_at, escalation.resolution) == ("open", None, "")
    frank.post(f"/api/v1/escalations/{body['id']}/acknowledge/")
    assert (
        frank.post(f"/api/v1/escalations/{body['id']}/resolve/", {"resolution": "已送医"}, format="json").json()[
            "status"
        ]
        == "resolved"
    )


def test_the_full_view_names_the_reporter_with_phone_and_who_was_told(school, setup):
    school.erin.phone = "13700001111"
    school.erin.save()
    body = report(school, setup[0])
    seen = as_user(school.bob).get(f"/api/v1/escalations/{body['id']}/").json()
    assert seen["reporter"] == {"name": "erin", "phone": "13700001111"}
    assert {t["name"] for t in seen["told"]} == {"bob", "frank"}
    assert all(t["at"].endswith("+08:00") for t in seen["told"])
    assert seen["created_at"] == "2026-11-20T10:00:00+08:00"  # the school's zone


def test_notes_are_dated_in_the_schools_zone(school, setup):
    body = report(school, setup[0])
    note = as_user(school.frank).post(f"/api/v1/escalations/{body['id']}/notes/", {"text": "已联系"}, format="json")
    assert note.json()["notes"][0]["at"].endswith("+08:00")
