"""Field-level need-to-know (SEC-16, SEC-17): those on the case read its sensitive text; admins not on
the case state a reason first (break-glass, audited, rate-limited); identifiers masked by default."""

import pytest
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from tests.support.testing import make_case

MARKER = "XYZ-SECRET-42"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def case(school):
    case = make_case(school, "li", mentor=school.erin)
    case.problem = f"{MARKER} 情绪低落"
    case.save()
    entry = case.categories.get()
    entry.detail = f"{MARKER} 家庭变故"
    entry.save()
    student = school.students["li"]
    student.id_number = "120103198806018241"
    student.save()
    return case


def test_sec_16_those_on_the_case_read_the_text(school, case):
    for persona in ("erin", "carol", "dave"):
        body = as_user(school.users[persona]).get(f"/api/v1/cases/{case.pk}/").json()
        assert body["sensitive_hidden"] is False and MARKER in body["problem"]


def test_sec_16_admin_not_on_the_case_sees_that_text_exists_not_what_it_says(school, case):
    client = as_user(school.bob)
    response = client.get(f"/api/v1/cases/{case.pk}/")
    assert MARKER not in response.content.decode()
    body = response.json()
    assert body["sensitive_hidden"] is True and body["problem"] is None
    assert body["categories"][0]["category"] == "economic" and body["categories"][0]["detail"] is None
    assert client.get(f"/api/v1/cases/{case.pk}/contacts/").json()["reveal_required"] is True
    assert client.get(f"/api/v1/cases/{case.pk}/export/").status_code == 403


def test_sec_16_list_payloads_carry_no_sensitive_keys(school, case):
    rows = as_user(school.carol).get("/api/v1/cases/").json()["results"]
    assert not {"problem", "life_history", "plan", "note", "detail"} & set(rows[0])
    assert MARKER not in as_user(school.carol).get("/api/v1/cases/").content.decode()
    student = as_user(school.carol).get("/api/v1/students/", {"q": "李"}).json()["results"][0]
    assert student["phone"] == "139****4321" and "id_number" not in student


def test_sec_17_reveal_needs_a_reason_is_audited_and_opens_the_text(school, case):
    client = as_user(school.alice)
    assert client.post(f"/api/v1/cases/{case.pk}/reveal/", {}, format="json").status_code == 400
    response = client.post(f"/api/v1/cases/{case.pk}/reveal/", {"reason": "审核撤销建档申请"}, format="json")
    assert response.status_code == 200 and MARKER in response.json()["problem"]
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor_username, event.object_type, event.object_id) == ("alice", "case", str(case.pk))
    assert event.detail["reason"] == "审核撤销建档申请" and "problem" in event.detail["fields"]
    assert MARKER not in str(event.detail)
    assert MARKER in client.get(f"/api/v1/cases/{case.pk}/").json()["problem"]  # open for a while


def test_sec_17_the_21st_reveal_in_an_hour_is_429_and_audited(school, case, settings):
    settings.REVEALS_PER_HOUR = 20
    client = as_user(school.bob)
    for _ in range(20):
        assert client.post(f"/api/v1/cases/{case.pk}/reveal/", {"reason": "复核"}, format="json").status_code == 200
    assert client.post(f"/api/v1/cases/{case.pk}/reveal/", {"reason": "复核"}, format="json").status_code == 429
    assert (
        AuditEvent.objects.filter(action="denied", actor_username="bob", detail__reason="rate limit: reveal").count()
        == 1
    )


def test_sec_16_id_number_masked_until_a_reason_is_given(school, case):
    client = as_user(school.carol)
    assert client.get("/api/v1/students/202301010002/").json()["id_number"] == "120***********8241"
    assert client.post("/api/v1/students/202301010002/reveal/", {"reason": ""}, format="json").status_code == 400
    revealed = client.post("/api/v1/students/202301010002/reveal/", {"reason": "办理助学金"}, format="json").json()
    assert revealed["id_number"] == "120103198806018241"
    assert client.get("/api/v1/students/202301010002/").json()["id_number"] == "120103198806018241"


def test_case_page_hides_text_for_an_admin_until_a_reason(client, school, case):
    client.force_login(school.bob)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert MARKER not in page and "敏感内容已隐藏" in page
    assert client.post(f"/cases/{case.pk}/reveal/", {"reason": "审核"}).status_code == 302
    assert MARKER in client.get(f"/cases/{case.pk}/").content.decode()


def test_mentor_page_shows_text(client, school, case):
    client.force_login(school.erin)
    assert MARKER in client.get(f"/cases/{case.pk}/").content.decode()
