"""Escalation pages: one-step report from a case, the department's minimal view, handling."""

import pytest
import time_machine

from careledger.escalations.models import Department, Escalation
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
    confirm = client.post(f"/escalations/{escalation.pk}/resolve/", {"resolution": "已联系家长"})
    assert confirm.status_code == 200 and "确认处置完毕" in confirm.content.decode()  # a confirm step first
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged"
    client.post(f"/escalations/{escalation.pk}/resolve/", {"resolution": "已联系家长", "confirmed": "1"})
    escalation.refresh_from_db()
    assert escalation.status == "resolved"
    closed = client.get(f"/escalations/{escalation.pk}/")
    assert closed.status_code == 404  # gone once resolved (SEC-13), with a word why and nothing of the student
    assert "已处置完毕" in closed.content.decode() and "李四" not in closed.content.decode()


def test_outsider_gets_404(client, school, case):
    client.force_login(school.erin)
    client.post(f"/escalations/new/?case={case.pk}", {"severity": "normal", "description": "x"})
    client.force_login(school.ivan)
    assert client.get(f"/escalations/{Escalation.objects.get().pk}/").status_code == 404
    assert client.get(f"/escalations/new/?case={case.pk}").status_code == 404


# --- the reporting loop (issue 14) ---


def _report(client, school, case, severity="urgent"):
    client.force_login(school.erin)
    client.post(
        f"/escalations/new/?case={case.pk}",
        {"severity": severity, "description": "扬言轻生", "departments": [school.frank.grants.get().department_id]},
    )
    return Escalation.objects.latest("id")


def test_resolve_is_offered_only_after_acknowledging_and_refused_before(client, school, case):
    escalation = _report(client, school, case)
    client.force_login(school.frank)
    page = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert "确认收到" in page and "处置完毕" not in page
    r = client.post(f"/escalations/{escalation.pk}/resolve/", {"resolution": "x", "confirmed": "1"}, follow=True)
    assert "请先确认收到" in r.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == "open"
    client.post(f"/escalations/{escalation.pk}/acknowledge/")
    page = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert "处置完毕" in page and f'action="/escalations/{escalation.pk}/acknowledge/"' not in page


def test_detail_shows_reporter_to_call_who_was_told_and_local_times(client, school, case):
    school.erin.phone = "13700001111"
    school.erin.save()
    with time_machine.travel("2026-12-03T14:58:00+08:00", tick=False):
        escalation = _report(client, school, case)
        client.force_login(school.frank)
        client.post(f"/escalations/{escalation.pk}/note/", {"text": "已到宿舍"})
        page = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert 'href="tel:13700001111"' in page and 'href="tel:13987654321"' in page  # reporter and student
    assert "2026-12-03 14:58" in page and "06:58" not in page  # local time, never raw UTC
    told = page.split("已通知")[1].split("</ul>")[0]
    assert "bob" in told and "frank" in told


def test_department_keeps_a_de_identified_history_after_resolving(client, school, case):
    with time_machine.travel("2026-12-03T14:00:00+08:00", tick=False) as traveller:
        escalation = _report(client, school, case)
        client.force_login(school.frank)
        traveller.shift(20 * 60)
        client.post(f"/escalations/{escalation.pk}/acknowledge/")
        traveller.shift(40 * 60)
        client.force_login(school.frank)  # past the idle timeout
        client.post(f"/escalations/{escalation.pk}/resolve/", {"resolution": "已送医", "confirmed": "1"})
        page = client.get("/escalations/").content.decode()
    history = page.split("已处置记录")[1]
    assert "2026-12-03" in history and "文学与新闻传播学院" in history and "紧急" in history
    assert "20.0" in history and "60.0" in history  # minutes to acknowledge and to resolve
    assert "李四" not in page and "2023级汉语言文学2班" not in page and "已送医" not in page


def test_a_resolved_escalation_of_another_department_is_a_bare_404(client, school, case):
    from tests.support.testing import make_user

    escalation = _report(client, school, case)
    client.force_login(school.frank)
    client.post(f"/escalations/{escalation.pk}/acknowledge/")
    client.post(f"/escalations/{escalation.pk}/resolve/", {"resolution": "已送医", "confirmed": "1"})
    other = Department.objects.create(code="security", name="保卫处")
    client.force_login(make_user("sam", role="department", department=other))
    r = client.get(f"/escalations/{escalation.pk}/")
    assert r.status_code == 404 and "已处置完毕" not in r.content.decode()


def test_department_history_query_count_is_constant(client, school, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    def resolved(n):
        for _ in range(n):
            e = Escalation.objects.create(
                case=case,
                severity="high",
                description="x",
                created_by=school.erin,
                created_at=timezone.now(),
                due_at=timezone.now(),
                status="resolved",
                acknowledged_at=timezone.now(),
                resolved_at=timezone.now(),
            )
            e.departments.set([school.frank.grants.get().department])

    client.force_login(school.frank)

    def count():
        with CaptureQueriesContext(connection) as q:
            assert client.get("/escalations/").status_code == 200
        return len(q)

    resolved(1)
    few = count()
    resolved(20)
    assert count() == few
