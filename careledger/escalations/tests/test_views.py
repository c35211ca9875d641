"""Escalation pages: one-step report from a case, the department's minimal view, handling."""

import pytest

from careledger.escalations.models import Escalation
from tests.support.testing import make_case


@pytest.fixture
def case(school):
    return make_case(school, "li", mentor=school.erin)


def test_mentor_reports_in_one_step_from_the_case_page(client, school, case):
    client.force_login(school.erin)
    page = client.get(f"/cases/{case.pk}/")
    assert f"/escalations/new/?case={case.pk}" in page.content.decode()
    form = client.get(f"/escalations/new/?case={case.pk}")
    assert form.status_code == 200 and "立即上报" in form.content.decode()
    response = client.post(
        f"/escalations/new/?case={case.pk}",
        {
            "severity": "urgent",
            "description": "情绪激动，扬言轻生",
            "departments": [school.frank.grants.get().department_id],
        },
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/escalations/{escalation.pk}/"
    assert escalation.severity == "urgent" and list(escalation.departments.values_list("code", flat=True)) == [
        "psych_center"
    ]


def test_empty_description_is_400_and_nothing_stored(client, school, case):
    client.force_login(school.erin)
    response = client.post(f"/escalations/new/?case={case.pk}", {"severity": "urgent", "description": ""})
    assert response.status_code == 400 and not Escalation.objects.exists()


def test_department_page_shows_only_what_is_needed_and_handles(client, school, case):
    client.force_login(school.erin)
    client.post(
        f"/escalations/new/?case={case.pk}",
        {"severity": "high", "description": "连续三天未归寝", "departments": [school.frank.grants.get().department_id]},
    )
    escalation = Escalation.objects.get()
    client.force_login(school.frank)
    page = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert "连续三天未归寝" in page and "李四" in page and "2023级汉语言文学2班" in page
    assert f"/cases/{case.pk}/" not in page  # no way into the case file
    assert "家庭经济困难" not in page  # nor its categories
    assert client.post(f"/escalations/{escalation.pk}/acknowledge/").status_code == 302
    client.post(f"/escalations/{escalation.pk}/resolve/", {"resolution": "已联系家长"})
    escalation.refresh_from_db()
    assert escalation.status == "resolved"
    assert client.get(f"/escalations/{escalation.pk}/").status_code == 404  # gone once resolved


def test_outsider_gets_404(client, school, case):
    client.force_login(school.erin)
    client.post(f"/escalations/new/?case={case.pk}", {"severity": "normal", "description": "x"})
    client.force_login(school.ivan)
    assert client.get(f"/escalations/{Escalation.objects.get().pk}/").status_code == 404
    assert client.get(f"/escalations/new/?case={case.pk}").status_code == 404
