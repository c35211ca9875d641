"""学籍状态 with history (product.md "Student status", issue 12): the selectors the compliance rules consume, the
service, the API (GET/PATCH /api/v1/students/{no}/), the student page's form, the roster import's columns, and where
the status shows (student page, case page, work view, the ledger's 备注)."""

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.roster import selectors, services
from careledger.roster.models import StudentStatus
from tests.support.testing import make_case, make_ledger

from .test_import import HEADER, csv_bytes, roster_rows

TODAY = "2026-11-20T10:00:00+08:00"
D = date.fromisoformat


def history(student, *entries: tuple[str, str]) -> None:
    for since, status in entries:
        StudentStatus.objects.create(student=student, since=D(since), status=status)


# --- selectors ---


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], []),  # no entry: 在校 throughout
        ([("2026-10-08", "leave")], [("2026-10-08", "2026-12-31")]),
        ([("2026-10-08", "leave"), ("2026-11-16", "enrolled")], [("2026-10-08", "2026-11-15")]),
        ([("2026-08-01", "leave"), ("2026-09-10", "enrolled")], [("2026-09-01", "2026-09-09")]),  # clipped
        ([("2026-03-01", "leave"), ("2026-06-01", "enrolled")], []),  # before the range
        ([("2027-02-01", "leave")], []),  # after the range
        ([("2026-10-01", "leave"), ("2026-11-01", "withdrawn")], [("2026-10-01", "2026-12-31")]),  # merged
        (
            [("2026-09-10", "leave"), ("2026-09-20", "enrolled"), ("2026-10-10", "leave"), ("2026-10-20", "enrolled")],
            [("2026-09-10", "2026-09-19"), ("2026-10-10", "2026-10-19")],
        ),
        ([("2026-12-31", "graduated")], [("2026-12-31", "2026-12-31")]),
    ],
)
def test_away_periods(school, entries, expected):
    li, zhang = school.students["li"], school.students["zhang"]
    history(li, *entries)
    got = selectors.away_periods([li.pk, zhang.pk], D("2026-09-01"), D("2026-12-31"))
    assert got == {li.pk: [(D(a), D(b)) for a, b in expected], zhang.pk: []}


def test_away_periods_is_one_query_for_any_number_of_students(school, django_assert_num_queries):
    for key in ("li", "zhang", "wang"):
        history(school.students[key], ("2026-10-08", "leave"))
    with django_assert_num_queries(1):
        got = selectors.away_periods([s.pk for s in school.students.values()], D("2026-09-01"), D("2026-12-31"))
    assert sum(1 for periods in got.values() if periods) == 3


def test_status_on_and_status_note(school):
    li = school.students["li"]
    assert selectors.status_on(li, D("2026-10-08")) == "enrolled"
    assert selectors.status_note(li, D("2026-10-08")) == ""
    history(li, ("2026-10-08", "leave"), ("2026-12-01", "enrolled"), ("2027-01-10", "withdrawn"))
    assert selectors.status_on(li, D("2026-10-07")) == "enrolled"
    assert selectors.status_on(li, D("2026-10-08")) == "leave"
    assert selectors.status_note(li, D("2026-11-20")) == "休学（自2026年10月8日）"
    assert selectors.status_note(li, D("2026-12-01")) == ""
    assert selectors.status_note(li, D("2027-01-10")) == "退学（自2027年1月10日）"


# --- the service ---


def test_a_second_change_on_the_same_day_replaces_that_days_entry(school):
    li = school.students["li"]
    with time_machine.travel(TODAY, tick=False):
        assert services.student_status_set(actor=school.carol, student=li, status="leave", since=D("2026-10-08"))
        assert services.student_status_set(actor=school.carol, student=li, status="withdrawn", since=D("2026-10-08"))
        assert list(li.status_history.values_list("since", "status")) == [(D("2026-10-08"), "withdrawn")]
        # Undoing the day's change leaves no empty step behind.
        assert services.student_status_set(actor=school.carol, student=li, status="enrolled", since=D("2026-10-08"))
        assert not li.status_history.exists()
        # A change that changes nothing writes nothing (and is not audited).
        assert not services.student_status_set(actor=school.carol, student=li, status="enrolled")
    assert AuditEvent.objects.filter(object_type="student_status", student_no=li.student_no).count() == 3


def test_since_may_be_past_or_today_but_not_future_and_defaults_to_today(school):
    li = school.students["li"]
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(ValidationError) as exc:
            services.student_status_set(actor=school.alice, student=li, status="leave", since=D("2026-11-21"))
        assert "since" in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.student_status_set(actor=school.alice, student=li, status="on_holiday")
        services.student_status_set(actor=school.alice, student=li, status="leave")  # today
        services.student_status_set(actor=school.alice, student=li, status="withdrawn", since=D("2026-09-01"))  # past
    assert list(li.status_history.order_by("since").values_list("since", "status")) == [
        (D("2026-09-01"), "withdrawn"),
        (D("2026-11-20"), "leave"),
    ]
    event = AuditEvent.objects.filter(object_type="student_status").order_by("id").first()
    assert event.detail == {"status": "leave", "since": "2026-11-20"} and event.actor_username == "alice"


# --- the API ---


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(student) -> str:
    return f"/api/v1/students/{student.student_no}/"


def test_api_reads_and_records_the_status(school):
    li = school.students["li"]
    with time_machine.travel(TODAY, tick=False):
        body = _as(school.alice).get(_url(li)).json()
        assert (body["status"], body["status_since"]) == ("enrolled", None)
        patched = _as(school.carol).patch(_url(li), {"status": "leave", "since": "2026-10-08"}, format="json")
        assert patched.status_code == 200, patched.json()
        assert (patched.json()["status"], patched.json()["status_since"]) == ("leave", "2026-10-08")
        again = _as(school.dave).get(_url(li)).json()  # the class teacher sees it
        assert (again["status"], again["status_since"]) == ("leave", "2026-10-08")
        back = _as(school.bob).patch(_url(li), {"status": "enrolled"}, format="json")  # since: today
        assert (back.json()["status"], back.json()["status_since"]) == ("enrolled", "2026-11-20")
    assert list(li.status_history.values_list("status", flat=True)) == ["leave", "enrolled"]  # history kept


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("bob", 200), ("carol", 200), ("dave", 403), ("erin", 403), ("ivan", 404), ("frank", 403)],
)
def test_api_who_may_set_a_status(school, persona, expected):
    li = school.students["li"]
    make_case(school, "li", mentor=school.erin)  # erin sees li through the pairing, but may not set a status
    with time_machine.travel(TODAY, tick=False):
        response = _as(getattr(school, persona)).patch(_url(li), {"status": "leave"}, format="json")
    assert response.status_code == expected
    assert li.status_history.exists() is (expected == 200)


def test_a_counselor_outside_the_grade_gets_404(school):
    with time_machine.travel(TODAY, tick=False):
        response = _as(school.carol).patch(_url(school.students["wang"]), {"status": "leave"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "holiday"}, "status"),
        ({"status": "leave", "since": "2026-11-21"}, "since"),
        ({"status": "leave", "since": "2026-13-01"}, "since"),
        ({"since": "2026-10-01"}, "status"),
        ({"status": "leave", "is_active": False}, "is_active"),
    ],
)
def test_api_bad_input_is_400_and_writes_nothing(school, body, field):
    li = school.students["li"]
    with time_machine.travel(TODAY, tick=False):
        response = _as(school.alice).patch(_url(li), body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not li.status_history.exists()


# --- the pages ---


def test_student_page_form_for_those_who_may_set_it(school):
    li = school.students["li"]
    client = Client()
    url = reverse("students:detail", args=[li.student_no])
    with time_machine.travel(TODAY, tick=False):
        client.force_login(school.dave)
        assert client.get(url).context["status_form"] is None  # the class teacher only sees it
        assert client.post(reverse("students:status", args=[li.student_no]), {"status": "leave"}).status_code == 403
        client.force_login(school.carol)
        assert client.get(url).context["status_form"] is not None
        bad = client.post(reverse("students:status", args=[li.student_no]), {"status": "leave", "since": "2026-12-01"})
        assert bad.status_code == 400 and "不能晚于今天" in bad.content.decode()
        done = client.post(reverse("students:status", args=[li.student_no]), {"status": "leave", "since": "2026-10-08"})
        assert done.status_code == 302
        page = client.get(url).content.decode()
    assert "休学/保留学籍（自2026-10-08）" in page


def test_status_shows_on_the_case_page_the_work_view_and_in_the_ledger(school):
    li = school.students["li"]
    case = make_case(school, "li", mentor=school.erin)
    ledger = make_ledger(school)
    history(li, ("2026-10-08", "leave"))
    client = Client()
    with time_machine.travel(TODAY, tick=False):
        client.force_login(school.carol)
        assert "休学/保留学籍（自2026-10-08）" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        client.force_login(school.erin)
        work = client.get(reverse("cases:work"))
        row = next(r for r in work.context["work"]["mine"] if r.case.pk == case.pk)
        assert row.status.status == "leave"
        assert "休学/保留学籍（自2026-10-08）" in work.content.decode()
        from careledger.ledgers import rows

        got = rows.ledger_records(rows.open_cases(ledger.college_id, ledger.semester))["economic"]
    assert [r.note for r in got if r.case == case.pk] == ["休学（自2026年10月8日）"]


# --- the roster import ---

STATUS_HEADER = [*HEADER, "学籍状态", "状态日期"]


def _post(client, data: bytes, **form):
    f = io.BytesIO(data)
    f.name = "roster.csv"
    return client.post("/api/v1/imports/roster/", {"file": f, **form}, format="multipart")


def test_import_records_status_from_its_date_and_reimport_changes_nothing(school):
    rows = [[*r, "", ""] for r in roster_rows(4)]
    rows[1][-2:] = ["休学", "2026-10-08"]
    rows[2][-2:] = ["保留学籍", ""]  # blank date: today
    rows[3][-2:] = ["毕业", "2026/7/1"]
    data = csv_bytes(rows, header=STATUS_HEADER)
    with time_machine.travel(TODAY, tick=False):
        first = _post(_as(school.alice), data)
        assert first.status_code == 200, first.json()
        assert first.json()["created"] == 4
        got = dict(StudentStatus.objects.values_list("student__student_no", "status"))
        assert got == {rows[1][0]: "leave", rows[2][0]: "leave", rows[3][0]: "graduated"}
        assert StudentStatus.objects.get(student__student_no=rows[2][0]).since == D("2026-11-20")
        again = _post(_as(school.alice), data).json()
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    # Back to school from a date: one more entry; the history is kept.
    rows[1][-2:] = ["在校", "2026-11-16"]
    with time_machine.travel("2026-11-25T10:00:00+08:00", tick=False):
        third = _post(_as(school.alice), csv_bytes(rows, header=STATUS_HEADER)).json()
        assert (third["updated"], third["unchanged"]) == (1, 3)
        again = _post(_as(school.alice), csv_bytes(rows, header=STATUS_HEADER)).json()  # a later day: still nothing
        assert again["unchanged"] == 4
    assert list(
        StudentStatus.objects.filter(student__student_no=rows[1][0]).order_by("since").values_list("status", flat=True)
    ) == ["leave", "enrolled"]


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        (["请假", ""], "学籍状态", "学籍状态应为"),
        (["休学", "2026-02-30"], "状态日期", "日期格式"),
        (["休学", "2026-12-01"], "状态日期", "不能晚于今天"),
    ],
)
def test_import_bad_status_cells_name_the_row_and_write_nothing(school, cells, column, fragment):
    rows = [[*r, "", ""] for r in roster_rows(3)]
    rows[2][-2:] = cells
    with time_machine.travel(TODAY, tick=False):
        response = _post(_as(school.alice), csv_bytes(rows, header=STATUS_HEADER))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(4, column)]
    assert fragment in errors[0]["message"]
    assert not StudentStatus.objects.exists()
