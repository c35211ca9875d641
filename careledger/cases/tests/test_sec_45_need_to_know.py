"""SEC-45: the reason-first rule guards every view of case text — edit form, timeline summaries (page and
API), attachment titles, and ledger rows outside the reader's case scope (page, API, export)."""

import io
from datetime import date

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from careledger.accounts.models import Role
from careledger.audit.models import AuditEvent
from careledger.cases import services
from careledger.cases.attachments import attachment_add
from careledger.cases.models import CaseEvent
from tests.support.testing import make_case, make_ledger, make_user

SECRETS = ("秘密问题描述", "秘密辅导方案", "秘密撤销理由", "秘密材料标题", "秘密心理情况")


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _case(school):
    case = make_case(school, "li", mentor=school.erin)
    case.problem, case.plan = "秘密问题描述", "秘密辅导方案"
    case.save()
    case.categories.create(category="psych", detail="秘密心理情况", added_on=date(2026, 9, 1))
    upload = SimpleUploadedFile("秘密材料标题.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    attachment_add(actor=school.erin, case=case, upload=upload, title="秘密材料标题")
    services.close_request(actor=school.erin, case=case, reason="秘密撤销理由")
    return case


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_sec_45_edit_form_asks_an_admin_not_on_the_case_for_a_reason_first(school):
    case = _case(school)
    bob = _page(school.bob)
    response = bob.get(f"/cases/{case.pk}/edit/")
    assert response.status_code == 302
    assert _leaks(bob.get(f"/cases/{case.pk}/edit/", follow=True).content.decode()) == []
    assert (
        _api(school.bob)
        .post(f"/api/v1/cases/{case.pk}/reveal/", {"reason": "审核撤销建档申请"}, format="json")
        .status_code
        == 200
    )
    assert AuditEvent.objects.filter(actor_id=school.bob.pk, action="reveal", object_id=str(case.pk)).exists()
    opened = bob.get(f"/cases/{case.pk}/edit/")
    assert opened.status_code == 200 and "秘密问题描述" in opened.content.decode()


def test_sec_45_timeline_and_attachment_titles_hold_no_text_for_an_admin_before_a_reason(school):
    case = _case(school)
    stored = " ".join(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert _leaks(stored) == []
    for user in (school.bob, school.alice):
        timeline = _api(user).get(f"/api/v1/cases/{case.pk}/timeline/")
        assert timeline.status_code == 200
        assert _leaks(timeline.content.decode()) == []
        page = _page(user).get(f"/cases/{case.pk}/")
        assert page.status_code == 200
        assert _leaks(page.content.decode()) == []
        assert _api(user).get(f"/api/v1/cases/{case.pk}/attachments/").status_code == 403
    # Those on the case still read it.
    assert "秘密材料标题" in _page(school.erin).get(f"/cases/{case.pk}/").content.decode()


def _xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)


def test_sec_45_ledger_rows_follow_the_readers_case_scope(school):
    case = make_case(school, "li")
    case.plan = "秘密辅导方案"
    case.save()
    case.categories.create(category="psych", detail="秘密心理情况", added_on=date(2026, 9, 1))
    ledger = make_ledger(school)
    g2024 = make_user("gina", role=Role.COUNSELOR, college=school.wenxue, grades=["2024"])
    page = _page(g2024).get(f"/ledgers/{ledger.pk}/")
    assert page.status_code == 200
    assert "李四" in page.content.decode() and _leaks(page.content.decode()) == []
    api = _api(g2024)
    assert api.get(f"/api/v1/ledgers/{ledger.pk}/").status_code == 200
    assert _leaks(api.get(f"/api/v1/ledgers/{ledger.pk}/").content.decode()) == []
    export = api.get(f"/api/v1/ledgers/{ledger.pk}/export/")
    assert export.status_code == 200 and _leaks(_xlsx_text(export.content)) == []
    # The grade's counselor and the college's head (负责人) read the rows.
    for user in (school.carol, school.bob):
        assert "秘密辅导方案" in _page(user).get(f"/ledgers/{ledger.pk}/").content.decode()
        assert "秘密心理情况" in _xlsx_text(_api(user).get(f"/api/v1/ledgers/{ledger.pk}/export/").content)
