"""Clients and requests shared by the case API tests (test_api_*.py); their fixtures are in conftest.py."""

from rest_framework.test import APIClient

NOW = "2026-11-20T10:00:00+08:00"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def open_case(client, student_no="202301010001", **extra):
    body = {
        "student": student_no,
        "opened_on": "2026-09-01",
        "categories": [
            {"category": "economic", "detail": "单亲家庭，母亲务农", "data": {"hardship_level": "special"}},
            {"category": "psych", "detail": "入学后情绪低落", "data": {"problem_type": "抑郁倾向"}},
        ],
        "risk_level": "medium",
        "problem": "家庭经济困难，情绪低落",
        "life_history": "父亲早逝",
        "plan": "每两周谈心；申请助学金",
        **extra,
    }
    return client.post("/api/v1/cases/", body, format="json")


def post_contact(client, case, kind="talk", at="2026-11-18T16:00:00+08:00", **extra):
    body = {
        "kind": kind,
        "occurred_at": at,
        "location": "东区12栋305",
        "content": "谈学习和家庭",
        "effect": "情绪稳定",
        **extra,
    }
    return client.post(f"/api/v1/cases/{case.pk}/contacts/", body, format="json")
