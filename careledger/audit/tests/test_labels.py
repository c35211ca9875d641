"""The audit page in plain Chinese: roles, actions, object types and details as labels, no raw codes."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from careledger.audit.services import Action, record
from careledger.web import audit_labels as labels
from tests.support.testing import make_case


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(html: str) -> str:
    """The table body only (the filter form lists every action, code and label alike)."""
    return html[html.index("<tbody>") : html.index("</tbody>")]


@pytest.mark.django_db
def test_a_read_of_a_case_shows_no_raw_codes(school):
    case = make_case(school, "li", mentor=school.erin)
    assert page(school.carol).get(reverse("cases:detail", args=[case.pk])).status_code == 200
    r = page(school.alice).get("/audit/", {"student": "202301010002"})
    assert r.status_code == 200
    rows = _rows(r.content.decode())
    assert f"关爱档案 #{case.pk}" in rows
    assert "查看" in rows
    assert "辅导员" in rows
    for code in ("case #", "counselor", "school_admin", ">read<", "auditevent"):
        assert code not in rows, code


@pytest.mark.django_db
def test_details_roles_and_object_types_are_labels(school):
    case = make_case(school, "li")
    record(
        actor=school.carol, action=Action.UPDATE, object_type="case", object_id=case.pk, detail={"fields": ["effect"]}
    )
    record(
        actor=school.carol,
        action=Action.EXPORT,
        object_type="semester",
        object_id=7,
        detail={"categories": ["economic", "psych"], "rows": 3},
    )
    record(
        actor=school.carol,
        action=Action.UPDATE,
        object_type="case",
        object_id=case.pk,
        detail={"fields": ["category:academic", "risk_level"], "version": 2},
    )
    # Filtered by action, so that the page's own read (recorded while it renders) is not among the rows.
    rows = _rows(page(school.alice).get("/audit/", {"action": "update"}).content.decode())
    assert "修改的内容：帮扶效果" in rows
    assert "修改的内容：类别、风险等级；版本：2" in rows  # SEC-53: no category codes in audit rows
    rows = _rows(page(school.alice).get("/audit/", {"action": "export"}).content.decode())
    assert "类别数：2" in rows and "行数：3" in rows  # SEC-53: a count, never the categories
    assert "学期 #7" in rows
    # Reading the trail is recorded as a read of 审计记录 by 学工处管理员.
    r = page(school.alice).get("/audit/")
    rows = _rows(r.content.decode())
    assert "审计记录" in rows and "学工处管理员" in rows
    assert not re.search(r"fields=|categories=|\['|school_admin|auditevent", rows)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [("school_admin", "学工处管理员"), ("counselor,mentor", "辅导员、帮扶导师"), ("", ""), ("robot", "robot")],
)
def test_role_labels(codes, expected):
    assert labels.role_labels(codes) == expected


@pytest.mark.parametrize(
    ("object_type", "object_id", "expected"),
    [("case", "53", "关爱档案 #53"), ("auditevent", "", "审计记录"), ("", "9", "#9"), ("", "", "")],
)
def test_object_label(object_type, object_id, expected):
    assert labels.object_label(object_type, object_id) == expected


def test_detail_pairs():
    assert labels.detail_pairs({"fields": ["status"], "status": "closed", "raised": True}) == [
        ("修改的内容", "档案状态"),
        ("状态", "已撤销建档"),
        ("已升级至学校", "是"),
    ]
