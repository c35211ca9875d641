"""Screening and office-list imports: all or nothing, dry run, GB18030, urgent escalations exactly once."""

import pytest
from django.core.exceptions import PermissionDenied

from careledger.accounts.models import Role
from careledger.audit.models import AuditEvent
from careledger.escalations.models import Department, Escalation
from careledger.evidence import importers
from careledger.evidence.models import ScreeningResult, Signal, Suggestion
from careledger.evidence.tests.helpers import list_csv, phq_row, screening_csv, upi_row
from careledger.notify.models import Delivery
from tests.support.testing import make_case, make_semester, make_user

LI, ZHANG, WANG = "202301010002", "202301010001", "202401010001"


def _semester(school):
    from careledger.core.models import Semester

    return Semester.objects.current() or make_semester(school)


def _import(school, data, scale="upi", dry_run=False, actor=None, semester=None):
    return importers.screening_import(
        actor=actor or school.frank,
        data=data,
        filename="upi.csv",
        scale=scale,
        semester=semester or _semester(school),
        dry_run=dry_run,
    )


def test_upi_import_scores_flags_and_escalates(school):
    data = screening_csv(
        "upi", [upi_row(LI, 25), upi_row(ZHANG, *[i for i in range(1, 31) if i != 25]), upi_row(WANG, 1, 2)]
    )
    report = _import(school, data)
    assert report.as_dict() == {"scored": 3, "flagged": 2, "urgent": 1, "dry_run": False, "errors": []}
    li = ScreeningResult.objects.get(student__student_no=LI)
    assert (li.total, li.level, li.urgent) == (1, "class1", True)
    assert li.detail["answers"]["25"] == 1
    # 李四 has no open case: the escalation names the student, not a case; nothing opened a case.
    escalation = Escalation.objects.get()
    assert escalation.case is None and escalation.student.student_no == LI
    assert escalation.severity == "urgent"
    assert (escalation.due_at - escalation.created_at).total_seconds() == 3600
    assert list(escalation.departments.values_list("code", flat=True)) == ["psych_center"]
    assert li.escalation_id == escalation.pk
    assert not school.students["li"].cases.exists()
    # Told at once: the psych centre's users (frank) and the student's counselor (carol), in the inbox.
    told = set(Delivery.objects.filter(kind="inbox").values_list("user__username", flat=True))
    assert {"frank", "carol", "bob"} <= told
    # Suggestions: one 心理 suggestion each for the two flagged students, pending.
    assert sorted(Suggestion.objects.values_list("student__student_no", "category", "status")) == [
        (ZHANG, "psych", "pending"),
        (LI, "psych", "pending"),
    ]
    assert AuditEvent.objects.filter(action="import", object_type="screeningresult").count() == 1


def test_reimporting_the_same_file_raises_nothing_new(school):
    semester = make_semester(school)
    data = screening_csv("upi", [upi_row(LI, 25), upi_row(ZHANG, 25)])
    assert _import(school, data, semester=semester).urgent == 2
    again = _import(school, data, semester=semester)
    assert (again.scored, again.flagged, again.urgent) == (2, 2, 0)
    assert Escalation.objects.count() == 2
    assert Suggestion.objects.count() == 2 and ScreeningResult.objects.count() == 2


def test_urgent_on_an_open_case_attaches_to_it(school):
    case = make_case(school, "li")
    _import(school, screening_csv("phq9", [phq_row(LI, 0, 0, 0, 0, 0, 0, 0, 0, 1)]), scale="phq9")
    escalation = Escalation.objects.get()
    assert escalation.case_id == case.pk and escalation.student_id == case.student_id
    assert case.events.filter(kind="escalation").exists()


def test_phq9_item_9_escalates_whatever_the_total(school):
    report = _import(
        school,
        screening_csv("phq9", [phq_row(LI, 0, 0, 0, 0, 0, 0, 0, 0, 1), phq_row(ZHANG, 3, 3, 3, 3, 0, 0, 0, 0, 0)]),
        scale="phq9",
    )
    assert (report.scored, report.flagged, report.urgent) == (2, 2, 1)


def test_dry_run_writes_nothing(school):
    report = _import(school, screening_csv("upi", [upi_row(LI, 25)]), dry_run=True)
    assert (report.scored, report.flagged, report.urgent, report.dry_run) == (1, 1, 1, True)
    assert not ScreeningResult.objects.exists() and not Escalation.objects.exists()
    assert not Suggestion.objects.exists()


def test_a_bad_row_writes_nothing(school):
    rows = [upi_row(LI, 25), upi_row(ZHANG), upi_row("209999999999"), upi_row(ZHANG)]
    rows[1][3] = "也许"  # item 3
    report = _import(school, screening_csv("upi", rows))
    assert not report.ok
    errors = [(e.row, e.column) for e in report.errors]
    assert (3, "3") in errors  # row 3 of the sheet (row 1 is the header), column "3"
    assert (4, "学号") in errors  # unknown 学号
    assert (5, "学号") in errors  # repeated 学号
    assert "也许" in report.errors[[e.column for e in report.errors].index("3")].message
    assert not ScreeningResult.objects.exists() and not Escalation.objects.exists()


def test_missing_item_column(school):
    data = "学号,1,2,3\n202301010002,1,0,1\n".encode()
    report = _import(school, data, scale="phq9")
    assert not report.ok and report.errors[0].row == 1 and "4" in report.errors[0].message


def test_gb18030_csv(school):
    data = screening_csv("gad7", [phq_row(LI, 3, 3, 3, 3, 0, 0, 0)], encoding="gb18030")
    assert data.startswith("学号".encode("gb18030"))
    report = _import(school, data, scale="gad7")
    assert (report.scored, report.flagged, report.urgent) == (1, 1, 0)


def test_only_the_school_office_and_the_psych_centre_import_screenings(school):
    data = screening_csv("upi", [upi_row(LI, 25)])
    other = Department.objects.create(code="aid_center", name="学生资助管理中心")
    aid = make_user("aid", role=Role.DEPARTMENT, department=other)
    for user in (school.carol, school.dave, school.erin, school.bob, aid):
        with pytest.raises(PermissionDenied):
            _import(school, data, actor=user)
    assert _import(school, data, actor=school.alice).urgent == 1


def test_psych_department_code_is_a_setting(school, settings):
    settings.CARELEDGER_PSYCH_DEPARTMENT = "xinli"
    with pytest.raises(PermissionDenied):
        _import(school, screening_csv("upi", [upi_row(LI)]))


# --- office lists ---


def _signal(school, kind, data, actor=None):
    return importers.signal_import(actor=actor or school.alice, data=data, filename=f"{kind}.csv", kind=kind)


@pytest.mark.parametrize(
    ("kind", "header", "rows", "flagged", "category"),
    [
        ("aid", ["学号", "认定等级"], [[LI, "特别困难"], [ZHANG, "一般困难"]], 2, "economic"),
        ("academic", ["学号", "不及格学分", "平均学分绩点"], [[LI, "16", "1.8"], [ZHANG, "4", "2.9"]], 1, "academic"),
        ("discipline", ["学号", "处分", "日期"], [[LI, "警告", "2026-10-08"]], 1, "discipline"),
        ("health", ["学号", "情况"], [[LI, "XYZ 病史"]], 1, "physical"),
        (
            "card",
            ["学号", "月份", "就餐次数", "食堂消费"],
            [[LI, "2026-10", "72", "610"], [ZHANG, "2026-10", "72", "900"]],
            1,
            "economic",
        ),
        ("dorm", ["学号", "日期", "次数"], [[LI, "2026-10-12", "3"], [ZHANG, "2026-10-12", "1"]], 1, "discipline"),
    ],
)
def test_signal_kinds(school, kind, header, rows, flagged, category):
    make_semester(school)
    report = _signal(school, kind, list_csv(header, rows))
    assert report.ok, report.errors
    assert (report.scored, report.flagged, report.urgent) == (len(rows), flagged, 0)
    assert Signal.objects.filter(kind=kind).count() == len(rows)
    suggestion = Suggestion.objects.get(student__student_no=LI)
    assert (suggestion.category, suggestion.source, suggestion.status) == (category, kind, "pending")
    assert "XYZ" not in suggestion.reason  # a medical text stays in the encrypted row


def test_academic_rule_is_a_setting(school, settings):
    make_semester(school)
    settings.CARELEDGER_ACADEMIC_FAILED_CREDITS = {"yellow": 20, "orange": 25, "red": 30}
    report = _signal(school, "academic", list_csv(["学号", "不及格学分"], [[LI, "16"]]))
    assert (report.scored, report.flagged) == (1, 0)


def test_card_rule_is_a_setting(school, settings):
    make_semester(school)
    settings.CARELEDGER_CARD_MAX_SPEND = 420
    report = _signal(school, "card", list_csv(["学号", "月份", "就餐次数", "食堂消费"], [[LI, "2026-10", "72", "610"]]))
    assert report.flagged == 0


def test_signal_errors_name_row_and_column(school):
    make_semester(school)
    report = _signal(
        school,
        "card",
        list_csv(["学号", "月份", "就餐次数", "食堂消费"], [[LI, "十月", "72", "610"], [ZHANG, "2026-10", "x", "1"]]),
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "月份"), (3, "就餐次数")]
    assert not Signal.objects.exists()
    missing = _signal(school, "aid", list_csv(["学号"], [[LI]]))
    assert [(e.row, e.column) for e in missing.errors] == [(1, "认定等级")]


def test_each_list_is_uploaded_by_its_office(school):
    make_semester(school)
    aid_dept = Department.objects.create(code="aid_center", name="学生资助管理中心")
    aid = make_user("aid", role=Role.DEPARTMENT, department=aid_dept)
    data = list_csv(["学号", "认定等级"], [[LI, "困难"]])
    assert _signal(school, "aid", data, actor=aid).ok
    with pytest.raises(PermissionDenied):
        _signal(school, "dorm", list_csv(["学号", "日期", "次数"], [[LI, "2026-10-12", "3"]]), actor=aid)
    with pytest.raises(PermissionDenied):
        _signal(school, "aid", data, actor=school.frank)  # the psych centre does not hold the aid list
    with pytest.raises(PermissionDenied):
        _signal(school, "aid", data, actor=school.carol)


def test_a_caseless_escalation_is_seen_and_handled_as_any_other(client, school):
    _import(school, screening_csv("upi", [upi_row(LI, 25)]))
    escalation = Escalation.objects.get()
    for name, status in (("carol", 200), ("dave", 200), ("frank", 200), ("bob", 200), ("ivan", 404), ("erin", 404)):
        client.force_login(school.users[name])
        assert client.get(f"/api/v1/escalations/{escalation.pk}/").status_code == status, name
        assert client.get(f"/escalations/{escalation.pk}/").status_code == status, name
    client.force_login(school.carol)
    body = client.get(f"/api/v1/escalations/{escalation.pk}/").json()
    assert body["case"] is None and body["student_no"] == LI and body["severity"] == "urgent"
    assert LI in str(client.get("/api/v1/escalations/").json())
    assert "李四" in client.get("/escalations/").content.decode()
    client.force_login(school.frank)
    assert client.post(f"/api/v1/escalations/{escalation.pk}/acknowledge/").status_code == 200
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged"
