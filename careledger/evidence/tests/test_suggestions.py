"""Suggestions: listed in scope, confirmed into a case (or a category), declined with a reason, covered;
the survey page and its completeness, the assessment counts, and who may read item answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careledger.audit.models import AuditEvent
from careledger.cases.models import Case
from careledger.evidence import importers
from careledger.evidence.models import Suggestion
from careledger.evidence.tests.helpers import screening_csv, upi_row
from careledger.ledgers.models import SurveyReview
from tests.support.testing import make_case, make_semester, make_suggestion

LI = "202301010002"


@pytest.fixture
def semester(school):
    return make_semester(school)


def test_list_is_scoped_and_in_words(client, school, semester):
    mine = make_suggestion(school, "li")
    make_suggestion(school, "zhao")  # 数学院: not carol's
    client.force_login(school.carol)
    body = client.get(f"/api/v1/suggestions/?semester={semester.pk}&status=pending").json()
    assert [r["id"] for r in body["results"]] == [mine.pk]
    row = body["results"][0]
    assert {"id", "student", "category", "source", "reason", "status"} <= set(row)
    assert (row["student"], row["category"], row["source"], row["status"]) == (LI, "psych", "upi", "pending")
    client.force_login(school.ivan)
    assert [r["student"] for r in client.get("/api/v1/suggestions/").json()["results"]] == ["202302010001"]
    client.force_login(school.erin)  # a mentor never sees suggestions
    assert client.get("/api/v1/suggestions/").status_code == 403


def test_list_query_count_does_not_grow(client, school, semester):
    client.force_login(school.alice)
    make_suggestion(school, "li")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/suggestions/").status_code == 200
    for key, cat in [("zhang", "psych"), ("wang", "economic"), ("zhao", "academic"), ("li", "economic")]:
        make_suggestion(school, key, category=cat, source="aid")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/suggestions/").json()["results"]) == 5
    assert len(many) == len(few)


def test_confirm_opens_the_case(client, school, semester):
    suggestion = make_suggestion(school, "li")
    client.force_login(school.carol)
    response = client.post(f"/api/v1/suggestions/{suggestion.pk}/confirm/")
    assert response.status_code == 200
    case = Case.objects.get(pk=response.json()["case"])
    assert case.student.student_no == LI and list(case.categories.values_list("category", flat=True)) == ["psych"]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.case_id, suggestion.decided_by_id) == ("confirmed", case.pk, school.carol.pk)
    assert AuditEvent.objects.filter(object_type="suggestion", object_id=str(suggestion.pk), action="update").exists()
    again = client.post(f"/api/v1/suggestions/{suggestion.pk}/confirm/")
    assert again.status_code == 400  # decided once


def test_confirm_adds_the_category_to_the_open_case(client, school, semester):
    case = make_case(school, "li")  # economic
    suggestion = make_suggestion(school, "li", category="psych")
    client.force_login(school.dave)
    assert client.post(f"/api/v1/suggestions/{suggestion.pk}/confirm/").json() == {"case": case.pk}
    assert sorted(case.categories.values_list("category", flat=True)) == ["economic", "psych"]


def test_covered_at_once_and_when_the_category_is_added(client, school, semester):
    make_case(school, "li")  # economic already on the case
    importers.signal_import(
        actor=school.alice, data="学号,认定等级\n202301010002,困难\n".encode(), filename="aid.csv", kind="aid"
    )
    assert Suggestion.objects.get(source="aid").status == "covered"
    psych = make_suggestion(school, "li", category="psych")
    dorm = make_suggestion(school, "li", category="discipline", source="dorm")
    client.force_login(school.carol)
    client.post(f"/api/v1/suggestions/{psych.pk}/confirm/")
    dorm.refresh_from_db()
    assert dorm.status == "pending"
    # The discipline category added on the case page (not from a suggestion): the suggestion closes itself.
    case = Case.objects.get(student__student_no=LI)
    case.categories.create(category="discipline", added_on=case.opened_on)
    statuses = {r["id"]: r["status"] for r in client.get("/api/v1/suggestions/").json()["results"]}
    assert statuses[dorm.pk] == "covered"


def test_decline_needs_a_reason_and_keeps_it(client, school, semester):
    suggestion = make_suggestion(school, "li")
    client.force_login(school.carol)
    assert client.post(f"/api/v1/suggestions/{suggestion.pk}/decline/", {}).status_code == 400
    assert client.post(f"/api/v1/suggestions/{suggestion.pk}/decline/", {"reason": "  "}).status_code == 400
    response = client.post(f"/api/v1/suggestions/{suggestion.pk}/decline/", {"reason": "已面谈，系入学适应期波动"})
    assert response.status_code == 200 and response.json()["status"] == "declined"
    suggestion.refresh_from_db()
    assert suggestion.decline_reason == "已面谈，系入学适应期波动" and not Case.objects.exists()
    assert AuditEvent.objects.filter(object_type="suggestion", detail__status="declined").exists()


def test_out_of_scope_is_404(client, school, semester):
    suggestion = make_suggestion(school, "zhao")
    client.force_login(school.carol)
    assert client.post(f"/api/v1/suggestions/{suggestion.pk}/confirm/").status_code == 404


def test_survey_page_shows_pending_suggestions_and_completeness(client, school, semester):
    suggestion = make_suggestion(school, "li")
    SurveyReview.objects.create(
        semester=semester, student=school.students["li"], outcome="no_concern", reviewed_by=school.carol
    )
    client.force_login(school.carol)
    page = client.get("/survey/").content.decode()
    assert f'id="suggestion-{suggestion.pk}"' in page and "心理中心 · UPI 普查" in page
    assert f"/evidence/suggestions/{suggestion.pk}/confirm/" in page
    body = client.get(f"/api/v1/survey/?semester={semester.pk}").json()
    # 李四 was reviewed, but a pending suggestion keeps the survey incomplete.
    assert body["groups"][0]["surveyed"] == 0 and body["groups"][0]["pending_suggestions"] == 1
    response = client.post(f"/evidence/suggestions/{suggestion.pk}/decline/", {"reason": "已核实", "next": "/survey/"})
    assert response.status_code == 302 and response["Location"] == "/survey/"
    body = client.get(f"/api/v1/survey/?semester={semester.pk}").json()
    assert body["groups"][0]["surveyed"] == 1 and body["groups"][0]["pending_suggestions"] == 0


def test_college_view_of_pending(client, school, semester):
    make_suggestion(school, "li")
    client.force_login(school.bob)
    page = client.get("/evidence/pending/").content.decode()
    assert "2023级汉语言文学2班" in page and "心理异常" in page


def test_assessment_counts_suggestions(client, school, semester):
    make_suggestion(school, "li")
    declined = make_suggestion(school, "zhang", category="economic", source="aid")
    Suggestion.objects.filter(pk=declined.pk).update(status="declined")
    client.force_login(school.alice)
    rows = client.get(f"/api/v1/assessment/?semester={semester.pk}&level=college").json()
    wenxue = next(r for r in rows if r["unit"]["name"] == school.wenxue.name)
    assert (wenxue["suggestions_pending"], wenxue["suggestions_confirmed"], wenxue["suggestions_declined"]) == (1, 0, 1)
    counselor = client.get(f"/api/v1/assessment/?semester={semester.pk}&level=counselor").json()
    carol = next(r for r in counselor if r["unit"]["id"] == school.carol.pk)
    assert carol["suggestions_pending"] == 1


def test_item_answers_only_for_the_office_and_the_psych_centre(client, school, semester):
    importers.screening_import(
        actor=school.frank,
        data=screening_csv("upi", [upi_row(LI, 25, 8)]),
        filename="u.csv",
        scale="upi",
        semester=semester,
    )
    for name in ("alice", "frank"):
        client.force_login(school.users[name])
        row = client.get("/api/v1/screenings/").json()["results"][0]
        assert row["answers"]["25"] == 1 and "urgent" in row["flags"]
    # Counselor, class teacher, mentor: never the answers — the level and the reason in words only.
    for name in ("carol", "dave", "erin", "bob"):
        client.force_login(school.users[name])
        assert client.get("/api/v1/screenings/").status_code == 403
    client.force_login(school.dave)
    body = client.get("/api/v1/suggestions/").json()
    text = str(body)
    assert "answers" not in text and "key8" not in text and "UPI 第一类" in body["results"][0]["reason"]
    page = client.get("/survey/").content.decode()
    assert "key8" not in page and "answers" not in page


def test_upload_page_imports(client, school, semester):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(school.frank)
    page = client.get("/evidence/upload/").content.decode()
    assert "UPI" in page and "资助中心" not in page  # the psych centre sees only its own files
    upload = SimpleUploadedFile("upi.csv", screening_csv("upi", [upi_row(LI, 25)]))
    response = client.post(
        "/evidence/upload/", {"source": "upi", "semester": semester.pk, "file": upload, "dry_run": ""}
    )
    assert response.status_code == 200 and Suggestion.objects.count() == 1
