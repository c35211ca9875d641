"""SEC-44 (issue 12): a college admin's roster import touches only their own college. A row whose 学号 belongs to
a student of another college is refused — row named, nothing written, and the answer says no more than that —
whatever the 学院 column says; moving a student between colleges is school_admin's. Also the roster modes:
``upsert`` (default) takes nobody off the roster, ``sync`` lists who would leave first."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from careledger.accounts import policy
from careledger.audit.models import AuditEvent
from careledger.cases.models import Case
from careledger.roster.models import Student
from tests.support.testing import make_case

from .test_import import csv_bytes, roster_rows

URL = "/api/v1/imports/roster/"
WENXUE = "文学与新闻传播学院"


def _upload(data: bytes, name: str = "roster.csv"):
    f = io.BytesIO(data)
    f.name = name
    return f


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _file_taking(school, key: str = "zhao") -> bytes:
    """Two good rows of 文学院, then a row claiming another college's student for 文学院 (spreadsheet row 4)."""
    rows = roster_rows(3, college=WENXUE)
    other = school.students[key]
    rows[2][0] = other.student_no
    rows[2][1] = "改名"
    return csv_bytes(rows)


def _state(school):
    zhao = Student.objects.select_related("college", "school_class").get(pk=school.students["zhao"].pk)
    case = Case.objects.get(student=zhao)
    return (
        (zhao.name, zhao.college.name, zhao.school_class.name, zhao.is_active, zhao.phone),
        (case.status, case.version, case.student_id),
        Student.objects.count(),
    )


def _assert_refused(errors: list[dict], school) -> None:
    assert [(e["row"], e["column"]) for e in errors] == [(4, "学号")], errors
    message = errors[0]["message"]
    zhao = school.students["zhao"]
    for secret in (zhao.name, "数学", school.shuxue.name, zhao.school_class.name):
        assert secret not in message  # nothing about the student or their college beyond the refusal


def _assert_unchanged_and_still_theirs(school, before) -> None:
    assert _state(school) == before
    zhao = school.students["zhao"]
    assert policy.students_for(school.ivan).filter(pk=zhao.pk).exists()  # college A's staff still see them
    assert _as(school.ivan).get(f"/api/v1/students/{zhao.student_no}/").status_code == 200
    assert not policy.students_for(school.bob).filter(pk=zhao.pk).exists()


@pytest.mark.parametrize("dry_run", [False, True])
def test_sec_44_college_admin_cannot_take_another_colleges_student(school, dry_run):
    """The importer itself (as the page, the API and the CLI call it), dry run or not."""
    from careledger.roster.importers import roster_import

    make_case(school, "zhao")
    before = _state(school)
    report = roster_import(actor=school.bob, data=_file_taking(school), filename="r.csv", dry_run=dry_run)
    assert not report.ok
    _assert_refused(report.as_dict()["errors"], school)
    _assert_unchanged_and_still_theirs(school, before)


@pytest.mark.parametrize("mode", ["upsert", "sync"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_sec_44_college_admin_cannot_take_another_colleges_student_api(school, mode, dry_run):
    make_case(school, "zhao")
    before = _state(school)
    form = {"file": _upload(_file_taking(school)), "mode": mode}
    if dry_run:
        form["dry_run"] = "true"
    response = _as(school.bob).post(URL, form, format="multipart")
    assert response.status_code == 400
    _assert_refused(response.json()["errors"], school)
    _assert_unchanged_and_still_theirs(school, before)
    assert AuditEvent.objects.filter(action="import", outcome="error", actor_username="bob").count() == 1


def test_sec_44_refusal_is_the_same_for_an_inactive_student_of_another_college(school):
    """Even a student no longer on the roster of college A cannot be claimed by college B's admin."""
    Student.objects.filter(pk=school.students["zhao"].pk).update(is_active=False)
    response = _as(school.bob).post(URL, {"file": _upload(_file_taking(school))}, format="multipart")
    assert response.status_code == 400
    _assert_refused(response.json()["errors"], school)


def test_sec_44_college_admin_cannot_take_another_colleges_student_page(school):
    make_case(school, "zhao")
    before = _state(school)
    client = Client()
    client.force_login(school.bob)
    for extra in ({"dry_run": "on"}, {}, {"mode": "sync"}):
        response = client.post(reverse("roster:import"), {"file": _upload(_file_taking(school)), **extra})
        assert response.status_code == 400
        _assert_refused([vars(e) for e in response.context["report"].errors], school)
        assert "问题清单" in response.content.decode()
    _assert_unchanged_and_still_theirs(school, before)


def test_school_admin_moves_a_student_between_colleges(school):
    response = _as(school.alice).post(URL, {"file": _upload(_file_taking(school))}, format="multipart")
    assert response.status_code == 200, response.json()
    zhao = Student.objects.select_related("college").get(pk=school.students["zhao"].pk)
    assert zhao.college.name == WENXUE


def test_college_admin_still_updates_their_own_students(school):
    rows = roster_rows(1, college=WENXUE)
    zhang = school.students["zhang"]
    rows[0][0], rows[0][6] = zhang.student_no, zhang.school_class.name
    rows[0][5] = "2023级"
    response = _as(school.bob).post(URL, {"file": _upload(csv_bytes(rows))}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 1


# --- modes ---


def test_upsert_is_the_default_and_takes_nobody_off_the_roster(school):
    response = _as(school.bob).post(
        URL, {"file": _upload(csv_bytes(roster_rows(2, college=WENXUE)))}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["deactivated"] == 0 and "deactivated_students" not in response.json()
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 3 + 2


def test_sync_lists_who_would_leave_in_the_dry_run_and_the_real_import(school):
    client = _as(school.bob)
    data = csv_bytes(roster_rows(2, college=WENXUE))
    leaving = [
        {"student_no": s.student_no, "name": s.name, "college": WENXUE}
        for s in sorted((school.students[k] for k in ("zhang", "li", "wang")), key=lambda s: s.student_no)
    ]
    dry = client.post(URL, {"file": _upload(data), "mode": "sync", "dry_run": "true"}, format="multipart").json()
    assert (dry["deactivated"], dry["deactivated_students"], dry["dry_run"]) == (3, leaving, True)
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 3  # nothing written
    real = client.post(URL, {"file": _upload(data), "mode": "sync"}, format="multipart").json()
    assert (real["deactivated"], real["deactivated_students"], real["dry_run"]) == (3, leaving, False)
    assert set(Student.objects.filter(college=school.wenxue, is_active=True).values_list("name", flat=True)) == {
        "学生0号",
        "学生1号",
    }
    assert Student.objects.filter(pk=school.students["zhang"].pk, is_active=False).exists()  # never deleted
    assert Student.objects.filter(pk=school.students["zhao"].pk, is_active=True).exists()  # other college untouched


def test_an_unknown_mode_is_refused(school):
    response = _as(school.alice).post(
        URL, {"file": _upload(csv_bytes(roster_rows(1))), "mode": "replace"}, format="multipart"
    )
    assert response.status_code == 400 and "mode" in response.json()
    assert not Student.objects.filter(student_no="202305000000").exists()


def test_the_page_shows_who_would_leave_and_applies_sync_only_when_confirmed(school):
    client = Client()
    client.force_login(school.bob)
    data = csv_bytes(roster_rows(2, college=WENXUE))
    url = reverse("roster:import")
    # Unticked "dry run" but not confirmed: the list is shown, nothing is written.
    first = client.post(url, {"file": _upload(data), "mode": "sync"})
    assert first.status_code == 200
    html = first.content.decode()
    assert "将标记离册的学生" in html and "张三丰" in html and "确认导入" in html
    assert first.context["report"].dry_run is True
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 3
    confirm = first.context["confirm"]
    # A confirmation made for another file does not apply this one.
    other = client.post(
        url, {"file": _upload(csv_bytes(roster_rows(1, college=WENXUE))), "mode": "sync", "confirm": confirm}
    )
    assert other.context["report"].dry_run is True
    # The same file, confirmed: applied.
    done = client.post(url, {"file": _upload(data), "mode": "sync", "confirm": confirm})
    assert done.status_code == 200 and done.context["report"].dry_run is False
    assert "已标记离册的学生" in done.content.decode()
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 2


def test_the_page_upserts_by_default(school):
    client = Client()
    client.force_login(school.bob)
    response = client.post(reverse("roster:import"), {"file": _upload(csv_bytes(roster_rows(2, college=WENXUE)))})
    assert response.status_code == 200 and response.context["report"].dry_run is False
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 5


def test_cli_modes(school, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(roster_rows(2, college=WENXUE)))
    out = io.StringIO()
    call_command("import_roster", str(path), "--mode", "sync", "--dry-run", stdout=out)
    assert "202301010001" in out.getvalue() and "张三丰" in out.getvalue()
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 3
    call_command("import_roster", str(path), stdout=io.StringIO())
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 5
    call_command("import_roster", str(path), "--mode", "sync", stdout=io.StringIO())
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 2
