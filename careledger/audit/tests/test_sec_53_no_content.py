"""SEC-53: the auditor sees who did what to which object, never the content — after exports of a psych
case, no audit row read through the audit API names the student or a category."""

from datetime import date

from rest_framework.test import APIClient

from tests.support.testing import make_case, make_ledger


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_sec_53_audit_rows_after_exports_carry_no_name_category_or_file_name(school):
    case = make_case(school, "li", mentor=school.erin)
    case.categories.create(category="psych", detail="抑郁倾向", added_on=date(2026, 9, 1))
    ledger = make_ledger(school)
    carol = _client(school.carol)
    assert carol.get(f"/api/v1/cases/{case.pk}/export/").status_code == 200
    assert carol.get(f"/api/v1/ledgers/{ledger.pk}/export/").status_code == 200
    assert carol.get(f"/api/v1/ledgers/{ledger.pk}/case-files/").status_code == 200
    rows = _client(school.grace).get("/api/v1/audit/", {"action": "export"}).json()["results"]
    assert len(rows) >= 3
    text = str(rows)
    for forbidden in ("李四", "psych", "economic", "心理", "经济", ".docx", "台账.xlsx"):
        assert forbidden not in text, forbidden
    assert any(r.get("student") == case.student.student_no for r in rows)
