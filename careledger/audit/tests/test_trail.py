"""What the audit trail records (SEC-19, SEC-20), that it fails closed (SEC-22), and who may read it
(SEC-15, SEC-23): the /audit/ pages, their exports and GET /api/v1/audit/."""

import csv
import io
import json
import logging
from datetime import timedelta
from unittest import mock

import openpyxl
import pytest
import time_machine
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.audit.services import Action, record
from careledger.cases.models import Case
from careledger.core import clock
from tests.support.testing import PASSWORD, make_case

MARKER = "XYZ-SECRET-42"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def broken_audit():
    """Every audit write fails, as when the audit table is unavailable."""
    return mock.patch("careledger.audit.services._append", side_effect=DatabaseError("audit table unavailable"))


# --- SEC-19: what a row says ---


def test_sec_19_a_case_read_records_who_with_which_roles_from_where_and_the_request(school):
    case = make_case(school, "li", mentor=school.erin)
    client = api(school.carol)
    response = client.get(f"/api/v1/cases/{case.pk}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    row = AuditEvent.objects.filter(action="read", object_type="case").latest("id")
    assert row.actor_username == "carol" and row.roles == "counselor"
    assert row.remote_addr == "10.1.2.3"
    assert len(row.request_id) == 32
    assert row.object_id == str(case.pk) and row.student_no == "202301010002"
    assert row.outcome == "ok"
    assert row.at.utcoffset() == timedelta(0)  # stored and returned as tz-aware UTC
    listed = api(school.alice).get("/api/v1/audit/", {"action": "read", "actor": "carol"}).json()["results"][0]
    assert listed["roles"] == "counselor" and listed["request_id"] == row.request_id


def test_sec_19_a_denial_is_recorded_with_the_reason(school):
    case = make_case(school, "li", mentor=school.erin)
    assert api(school.ivan).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    row = AuditEvent.objects.latest("id")
    assert (row.action, row.outcome, row.actor_username, row.roles) == ("denied", "denied", "ivan", "college_admin")
    assert row.detail == {"reason": "scope"}


# --- SEC-20: no secrets in logs or audit rows; one line per log entry ---


def test_sec_20_no_credentials_or_sensitive_values_in_the_audit_trail_or_the_logs(school, caplog):
    caplog.set_level(logging.DEBUG)
    client = APIClient()
    assert client.post("/api/v1/auth/token/", {"username": "carol", "password": "wrong-" + PASSWORD}).status_code in (
        400,
        401,
    )
    response = client.post("/api/v1/auth/token/", {"username": "carol", "password": PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post(
        "/api/v1/cases/",
        {
            "student": "202301010001",
            "categories": [{"category": "psych", "detail": f"心理 {MARKER}"}],
            "risk_level": "high",
            "problem": f"问题 {MARKER}",
            "life_history": MARKER,
            "plan": MARKER,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert client.get(f"/api/v1/cases/{created.json()['id']}/").status_code == 200
    dump = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    for secret in (MARKER, PASSWORD, token):
        assert secret not in dump
        assert secret not in caplog.text
    assert "login_failed" in dump and '"carol"' in dump  # the failure is there: the username, not the password


def test_sec_20_log_lines_cannot_be_split_by_user_input(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("careledger.test").warning("login failed for %s", "bob\nINFO login ok for admin\r")
    message = caplog.records[-1].getMessage()
    assert "\n" not in message and "\r" not in message
    assert message == "login failed for bob\\nINFO login ok for admin\\r"
    assert len(caplog.text.strip().splitlines()) == 1


# --- SEC-22: audit fails closed ---


def test_sec_22_api_detail_reads_are_not_answered_without_their_audit_row(school):
    case = make_case(school, "li", mentor=school.erin)
    client = api(school.carol)
    with broken_audit():
        for url in (f"/api/v1/cases/{case.pk}/", "/api/v1/students/202301010002/"):
            response = client.get(url)
            assert response.status_code == 503, url
            body = response.content.decode()
            for pii in ("李四", "13987654321", "家庭经济困难", '202301010002"'):
                assert pii not in body
            assert response["Content-Type"].startswith("application/json")
            assert "no-store" in response["Cache-Control"]


def test_sec_22_pages_are_not_shown_without_their_audit_row(school):
    case = make_case(school, "li", mentor=school.erin)
    client = page(school.carol)
    with broken_audit():
        for url in (f"/cases/{case.pk}/", "/students/202301010002/"):
            response = client.get(url)
            assert response.status_code == 503, url
            body = response.content.decode()
            assert "李四" not in body and "13987654321" not in body and "家庭经济困难" not in body
            assert "审计" in body


def test_sec_22_an_update_whose_audit_row_fails_does_not_persist(school):
    case = make_case(school, "li", mentor=school.erin)
    client = api(school.carol)
    before = client.get(f"/api/v1/cases/{case.pk}/").json()
    with broken_audit():
        response = client.patch(
            f"/api/v1/cases/{case.pk}/", {"version": before["version"], "risk_level": "high"}, format="json"
        )
    assert response.status_code == 503
    case.refresh_from_db()
    assert case.risk_level == before["risk_level"] and case.version == before["version"]


def test_sec_22_a_denial_that_cannot_be_audited_is_refused_too(school):
    """The policy middleware audits a role denial before any view runs: that failure is a 503 as well."""
    client = Client(raise_request_exception=False)
    client.force_login(school.grace)
    with broken_audit():
        response = client.get("/students/")
    assert response.status_code == 503


# --- SEC-15 / SEC-23: who reads the trail, and nobody changes it ---


@pytest.fixture
def trail(school):
    case = make_case(school, "li", mentor=school.erin)
    record(actor=school.carol, action=Action.READ, object_type="case", object_id=case.pk, student_no="202301010002")
    record(actor="mallory", action=Action.LOGIN_FAILED, object_type="user", outcome="denied")
    record(
        actor=school.carol,
        action=Action.UPDATE,
        object_type="case",
        object_id=case.pk,
        student_no="202301010002",
        detail={"fields": ["risk_level"]},
    )
    record(actor=school.carol, action=Action.READ, object_type="student", object_id="@SUM(A1)")
    return case


def test_sec_15_audit_page_is_for_school_admin_and_the_auditor_only(school, trail):
    for name in ("alice", "grace"):
        response = page(school.users[name]).get("/audit/")
        assert response.status_code == 200, name
        assert "mallory" in response.content.decode()
    for name in ("bob", "carol", "dave", "erin", "frank", "harry", "ivan"):
        assert page(school.users[name]).get("/audit/").status_code == 403, name
        assert page(school.users[name]).get("/audit/export/").status_code == 403, name
    assert page(school.alice).get("/audit/export/").status_code == 403  # exports are the auditor's


def test_sec_15_nobody_can_change_the_trail_through_any_interface(school, trail):
    count = AuditEvent.objects.count()
    for name in ("alice", "grace"):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(api(school.users[name]), method)("/api/v1/audit/", {}).status_code in (403, 405)
            assert getattr(page(school.users[name]), method)("/audit/").status_code in (403, 405)
            assert getattr(page(school.users[name]), method)("/audit/export/").status_code in (403, 405)
    assert AuditEvent.objects.filter(action__in=["update", "delete"], object_type="auditevent").count() == 0
    assert AuditEvent.objects.count() >= count  # only denials were added


def test_sec_15_audit_page_filters(school, trail):
    client = page(school.grace)
    body = client.get("/audit/", {"actor": "carol", "action": "update"}).content.decode()
    assert "修改的内容：风险等级" in body and "mallory" not in body
    body = client.get("/audit/", {"student": "202301010002", "outcome": "ok"}).content.decode()
    assert "mallory" not in body and "202301010002" in body
    assert "mallory" in client.get("/audit/", {"outcome": "denied"}).content.decode()
    today = clock.local_date(clock.now()).isoformat()
    assert "mallory" in client.get("/audit/", {"since": today, "until": today}).content.decode()
    yesterday = (clock.local_date(clock.now()) - timedelta(days=1)).isoformat()
    assert "mallory" not in client.get("/audit/", {"until": yesterday}).content.decode()
    assert client.get("/audit/", {"since": "yesterday"}).status_code == 400


def test_sec_15_audit_page_is_paginated_with_a_constant_query_count(school, trail):
    client = page(school.grace)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/audit/").status_code == 200
    for i in range(120):
        record(actor="system", action=Action.READ, object_type="case", object_id=i)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/audit/")
    assert response.status_code == 200
    assert len(many) == len(few)
    assert "第 1 / 3 页" in response.content.decode()
    assert client.get("/audit/", {"page": 3}).status_code == 200


def test_sec_15_reading_the_audit_page_is_itself_audited(school, trail):
    page(school.grace).get("/audit/", {"actor": "carol"})
    row = AuditEvent.objects.latest("id")
    assert (row.actor_username, row.action, row.object_type) == ("grace", "read", "auditevent")
    assert row.detail["filters"] == ["actor"]


def test_sec_23_auditor_exports_the_filtered_rows_as_csv_neutralised_and_audited(school, trail):
    import hashlib

    response = page(school.grace).get("/audit/export/", {"actor": "carol", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("导出人：")  # the watermark line
    assert rows[1][0] == "编号"
    body = rows[2:]
    assert {r[2] for r in body} == {"carol"}
    assert "'@SUM(A1)" in [r[6] for r in body]  # a would-be formula is neutralised
    exported = AuditEvent.objects.latest("id")
    assert (exported.action, exported.object_type, exported.actor_username) == ("export", "auditevent", "grace")
    assert exported.detail["rows"] == len(body) and exported.detail["filters"] == ["actor"]
    assert exported.detail["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_sec_23_auditor_exports_xlsx_with_every_cell_as_text(school, trail):
    record(actor="=cmd|' /C calc'!A0", action=Action.LOGIN_FAILED, outcome="denied")
    response = page(school.grace).get("/audit/export/", {"format": "xlsx", "action": "login_failed"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "导出编号" in sheet["A1"].value
    values = [[c for c in row] for row in sheet.iter_rows(min_row=3)]
    assert values
    for row in values:
        for cell in row:
            assert cell.data_type in ("s", "n") and not str(cell.value or "").startswith("=")
    actors = {row[2].value for row in values}
    assert "'=cmd|' /C calc'!A0" in actors


def test_sec_23_api_filters_by_actor_since_until_and_outcome(school, trail):
    client = api(school.grace)
    today = clock.local_date(clock.now()).isoformat()
    response = client.get("/api/v1/audit/", {"actor": "mallory", "since": today})
    assert response.status_code == 200
    assert [r["action"] for r in response.json()["results"]] == ["login_failed"]
    assert client.get("/api/v1/audit/", {"outcome": "denied", "actor": "carol"}).json()["count"] == 0
    yesterday = (clock.local_date(clock.now()) - timedelta(days=1)).isoformat()
    assert client.get("/api/v1/audit/", {"until": yesterday}).json()["count"] == 0
    assert client.get("/api/v1/audit/", {"until": "not-a-date"}).status_code == 400
    with time_machine.travel(clock.now() + timedelta(days=2)):
        assert client.get("/api/v1/audit/", {"until": today}).json()["count"] >= 3
    keys = set(response.json()["results"][0])
    assert {"actor", "at", "action", "object_type", "object_id", "student", "remote_addr", "outcome"} <= keys


def test_audit_rows_of_a_case_update_name_fields_never_values(school):
    case = make_case(school, "li", mentor=school.erin)
    client = api(school.carol)
    version = client.get(f"/api/v1/cases/{case.pk}/").json()["version"]
    response = client.patch(f"/api/v1/cases/{case.pk}/", {"version": version, "problem": MARKER}, format="json")
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).problem == MARKER
    rows = json.dumps(list(AuditEvent.objects.values("detail")), ensure_ascii=False)
    assert MARKER not in rows


def test_the_audit_page_shows_the_rows_as_they_were_before_its_own_read(school, trail):
    """The page's own audit row is written after its rows are read: a full page keeps its last row."""
    from careledger.web.audit_views import PAGE_SIZE

    for _n in range(PAGE_SIZE + 5):
        record(actor=school.carol, action=Action.READ, object_type="case", object_id="1")
    client = page(school.grace)
    newest_first = list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True)[:PAGE_SIZE])
    response = client.get("/audit/")
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].object_list] == newest_first


def test_an_unknown_audit_export_format_is_refused_in_the_users_language(school, trail):
    client = page(school.grace)
    response = client.get("/audit/export/", {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.content.decode() == "导出格式只能是 csv 或 xlsx。"
