"""The API contract of api.md for the foundation: token, me, users, students, departments, audit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from careledger.accounts.models import Grant, User
from careledger.audit.models import AuditEvent
from careledger.roster.models import Gender, Student
from careledger.roster.rules import name_initials
from tests.support.testing import PASSWORD, audited_read_queries


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- token ---


def test_token_login_and_me(school):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "carol", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "carol"
    assert me["grants"] == [
        {
            "id": school.carol.grants.get().pk,
            "role": "counselor",
            "college": "文学与新闻传播学院",
            "grades": ["2023"],
            "classes": [],
            "department": None,
            "section": None,
        }
    ]
    assert AuditEvent.objects.filter(action="login", actor_username="carol").count() == 1


def test_wrong_password_and_unknown_user_answer_alike(school):
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": "carol", "password": "nope-nope-nope"}, format="json")
    unknown = client.post("/api/v1/auth/token/", {"username": "nobody", "password": "nope-nope-nope"}, format="json")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.content == unknown.content
    assert AuditEvent.objects.filter(action="login_failed").count() == 2


def test_anonymous_gets_401(school):
    assert APIClient().get("/api/v1/students/").status_code == 401


def test_disabled_account_token_stops_working(school):
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "carol", "password": PASSWORD}, format="json").json()[
        "token"
    ]
    as_user(school.alice).patch(f"/api/v1/users/{school.carol.pk}/", {"is_active": False}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401


# --- students ---


def _student_nos(response) -> list[str]:
    return [row["student_no"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", ["202301010001", "202301010002", "202302010001", "202401010001"]),
        ("bob", ["202301010001", "202301010002", "202401010001"]),
        ("carol", ["202301010001", "202301010002"]),
        ("dave", ["202301010002"]),
        ("erin", []),
        ("ivan", ["202302010001"]),
    ],
)
def test_each_role_lists_exactly_its_scope(school, persona, expected):
    response = as_user(school.users[persona]).get("/api/v1/students/")
    assert response.status_code == 200
    assert _student_nos(response) == expected
    assert response.json()["count"] == len(expected)


def test_filters_cannot_widen_the_scope(school):
    client = as_user(school.carol)
    assert _student_nos(client.get("/api/v1/students/", {"grade": "2024"})) == []
    assert _student_nos(client.get("/api/v1/students/", {"college": "数学与计算机科学学院"})) == []
    assert _student_nos(client.get("/api/v1/students/", {"q": "赵六"})) == []
    assert _student_nos(client.get("/api/v1/students/", {"id__in": school.students["zhao"].pk})) == [
        "202301010001",
        "202301010002",
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("zsf", ["202301010001"]),
        ("ZS", ["202301010001"]),
        ("2023010100", ["202301010001", "202301010002"]),
        ("李", ["202301010002"]),
    ],
)
def test_search_by_student_no_name_or_pinyin_initials(school, q, expected):
    assert _student_nos(as_user(school.alice).get("/api/v1/students/", {"q": q})) == expected


def test_filter_by_class_and_grade(school):
    client = as_user(school.alice)
    assert _student_nos(client.get("/api/v1/students/", {"class": "2023级汉语言文学2班"})) == ["202301010002"]
    assert _student_nos(client.get("/api/v1/students/", {"grade": "2024级"})) == ["202401010001"]


def test_list_masks_phone_and_carries_no_sensitive_fields(school):
    row = as_user(school.alice).get("/api/v1/students/", {"q": "zsf"}).json()["results"][0]
    assert row["phone"] == "138****5678"
    assert row["class"] == "2023级汉语言文学1班" and row["gender"] == "男" and row["dorm"] == "东区12栋305"
    assert not {"id_number", "parent_phone", "parent_name", "birth_date"} & set(row)


def test_detail_is_audited_and_out_of_scope_is_404_and_audited(school):
    ok = as_user(school.dave).get("/api/v1/students/202301010002/")
    assert ok.status_code == 200 and ok.json()["name"] == "李四"
    assert AuditEvent.objects.filter(action="read", student_no="202301010002", actor_username="dave").count() == 1
    missing = as_user(school.dave).get("/api/v1/students/202399999999/")
    hidden = as_user(school.dave).get("/api/v1/students/202301010001/")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
    denied = AuditEvent.objects.filter(action="denied", actor_username="dave", outcome="denied")
    assert sorted(denied.values_list("student_no", flat=True)) == ["202301010001", "202399999999"]


def test_removing_a_class_from_a_grant_takes_effect_on_the_next_request(school):
    client = as_user(school.dave)
    assert client.get("/api/v1/students/202301010002/").status_code == 200
    school.dave.grants.get().classes.set([school.c2023_1])
    assert client.get("/api/v1/students/202301010002/").status_code == 404


def _add_students(college_class, n: int, start: int) -> None:
    Student.objects.bulk_create(
        Student(
            student_no=f"2099{start + i:08d}",
            name=f"测试{i}",
            name_initials=name_initials("测试"),
            gender=Gender.MALE,
            college=college_class.college,
            grade=college_class.grade,
            school_class=college_class,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_student_list_query_count_does_not_grow(school, persona):
    client = as_user(school.users[persona])
    _add_students(school.c2023_1, 10, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/students/", {"page_size": 500}).status_code == 200
    _add_students(school.c2023_1, 1000, 100)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/api/v1/students/", {"page_size": 500})
    assert response.json()["count"] > 1000
    # grants, grant classes, count, page (with college, major, class, dorm joined); the audited read
    # (SEC-52: savepoint, chain head, last id, insert, head update, release)
    assert len(large) == len(small) == 4 + audited_read_queries()


# --- users ---


def test_school_admin_creates_a_counselor_who_must_change_password(school):
    body = {
        "username": "t1001",
        "password": "Initial-Pass-2026",
        "name": "王老师",
        "phone": "13800001111",
        "grants": [
            {
                "role": "counselor",
                "college": "文学与新闻传播学院",
                "grades": ["2024级"],
                "classes": ["2023级汉语言文学1班"],
            }
        ],
    }
    response = as_user(school.alice).post("/api/v1/users/", body, format="json")
    assert response.status_code == 201, response.json()
    user = User.objects.get(username="t1001")
    assert user.must_change_password is True
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    grant = user.grants.get()
    assert (grant.role, grant.college.name, grant.grades, [c.name for c in grant.classes.all()]) == (
        "counselor",
        "文学与新闻传播学院",
        ["2024"],
        ["2023级汉语言文学1班"],
    )
    assert AuditEvent.objects.filter(action="create", object_type="user", object_id=str(user.pk)).exists()
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "t1001", "password": "Initial-Pass-2026"}, format="json"
    )
    assert token.json()["password_change_required"] is True


@pytest.mark.parametrize(
    ("grant", "field"),
    [
        ({"role": "counselor", "college": "文学与新闻传播学院"}, "grades"),
        ({"role": "class_teacher", "college": "文学与新闻传播学院"}, "classes"),
        ({"role": "counselor", "college": "不存在学院", "grades": ["2023"]}, "college"),
        ({"role": "department", "department": "nope"}, "department"),
        ({"role": "wizard"}, "role"),
        ({"role": "auditor", "college": "文学与新闻传播学院"}, "college"),
    ],
)
def test_bad_grants_are_400_and_nothing_is_created(school, grant, field):
    body = {"username": "t2", "password": "Initial-Pass-2026", "name": "x", "grants": [grant]}
    response = as_user(school.alice).post("/api/v1/users/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.filter(username="t2").exists()


def test_weak_password_is_refused(school):
    body = {
        "username": "t3",
        "password": "short",
        "name": "x",
        "grants": [{"role": "department", "department": "psych_center"}],
    }
    response = as_user(school.alice).post("/api/v1/users/", body, format="json")
    assert response.status_code == 400
    assert not User.objects.filter(username="t3").exists()


def test_unknown_fields_are_rejected(school):
    body = {"username": "t4", "password": "Initial-Pass-2026", "name": "x", "is_superuser": True}
    response = as_user(school.alice).post("/api/v1/users/", body, format="json")
    assert response.status_code == 400 and "is_superuser" in response.json()


def test_college_admin_may_grant_only_in_own_college_and_not_admin_roles(school):
    client = as_user(school.bob)
    base = {"password": "Initial-Pass-2026", "name": "x"}
    ok = client.post(
        "/api/v1/users/",
        {**base, "username": "m1", "grants": [{"role": "mentor", "college": "文学与新闻传播学院"}]},
        format="json",
    )
    assert ok.status_code == 201
    other = client.post(
        "/api/v1/users/",
        {**base, "username": "m2", "grants": [{"role": "mentor", "college": "数学与计算机科学学院"}]},
        format="json",
    )
    admin = client.post(
        "/api/v1/users/", {**base, "username": "m3", "grants": [{"role": "school_admin"}]}, format="json"
    )
    assert other.status_code == admin.status_code == 403
    assert not User.objects.filter(username__in=["m2", "m3"]).exists()


def test_college_admin_sees_only_own_colleges_accounts(school):
    names = [u["username"] for u in as_user(school.bob).get("/api/v1/users/").json()["results"]]
    assert names == ["bob", "carol", "dave", "erin"]
    assert as_user(school.bob).get(f"/api/v1/users/{school.ivan.pk}/").status_code == 404
    assert as_user(school.bob).get(f"/api/v1/users/{school.alice.pk}/").status_code == 404


def test_user_list_query_count_does_not_grow(school):
    client = as_user(school.alice)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/users/")
    for i in range(30):
        user = User.objects.create(username=f"bulk{i}", name="x")
        Grant.objects.create(user=user, role="counselor", college=school.wenxue, grades=["2023"]).classes.set(
            [school.c2023_1]
        )
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/users/")
    assert len(large) == len(small)


# --- departments and audit ---


def test_departments(school):
    created = as_user(school.alice).post("/api/v1/departments/", {"code": "security", "name": "保卫处"}, format="json")
    assert created.status_code == 201
    listed = as_user(school.erin).get("/api/v1/departments/").json()["results"]
    assert [d["code"] for d in listed] == ["security", "psych_center"]
    assert (
        as_user(school.bob).post("/api/v1/departments/", {"code": "x", "name": "y"}, format="json").status_code == 403
    )


def test_audit_rows_have_the_contract_fields_and_filters(school):
    as_user(school.carol).get("/api/v1/students/202301010001/")
    rows = as_user(school.grace).get("/api/v1/audit/", {"actor": "carol", "action": "read"}).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert {"actor", "at", "action", "object_type", "object_id", "student", "remote_addr", "outcome"} <= set(row)
    assert (row["actor"], row["action"], row["object_type"], row["student"], row["outcome"]) == (
        "carol",
        "read",
        "student",
        "202301010001",
        "ok",
    )
    assert row["remote_addr"] == "127.0.0.1"
    by_student = as_user(school.alice).get("/api/v1/audit/", {"student": "202301010001", "since": "2020-01-01"})
    assert by_student.json()["count"] == 1
    assert as_user(school.alice).get("/api/v1/audit/", {"since": "yesterday"}).status_code == 400


def test_audit_cannot_be_written_through_the_api(school):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(as_user(school.alice), method)("/api/v1/audit/").status_code in (403, 405)


def test_openapi_schema_lists_the_contract_paths(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/users/",
        "/api/v1/imports/roster/",
        "/api/v1/students/",
        "/api/v1/students/{student_no}/",
        "/api/v1/audit/",
    ):
        assert path in schema["paths"]
