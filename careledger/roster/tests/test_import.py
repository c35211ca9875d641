"""Roster import through the API: all or nothing, idempotent, clear errors, nothing half-written."""

import csv
import io
from unittest import mock

import pytest
import xlsxwriter
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.roster import importers
from careledger.roster.models import College, SchoolClass, Student
from tests.support.testing import make_id_number

URL = "/api/v1/imports/roster/"
HEADER = [
    "学号",
    "姓名",
    "性别",
    "学院",
    "专业",
    "年级",
    "班级",
    "寝室",
    "联系方式",
    "家长姓名",
    "家长联系方式",
    "出生日期",
    "籍贯",
    "身份证号",
]


def roster_rows(n: int = 5, college: str = "外国语学院") -> list[list[str]]:
    rows = []
    for i in range(n):
        male = i % 2 == 0
        birth = f"2005{(i % 12) + 1:02d}15"
        rows.append(
            [
                f"2023050{i:05d}",
                f"学生{i}号",
                "男" if male else "女",
                college,
                "英语",
                "2023级",
                "2023级英语1班",
                f"西区3栋{100 + i // 4}",
                f"139{i:08d}",
                "家长",
                f"137{i:08d}",
                f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
                "江西赣州",
                make_id_number(birth, 11 + i * 2 if male else 12 + i * 2),
            ]
        )
    return rows


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            # Excel users type 学号 and phones as numbers: the importer must read them back as text.
            if header[c] in ("学号", "联系方式") and value.isdigit():
                ws.write_number(r, c, int(value))
            else:
                ws.write_string(r, c, value)
    wb.close()
    return buf.getvalue()


def post(client, data: bytes, name: str, dry_run: bool = False, mode: str = ""):
    upload = io.BytesIO(data)
    upload.name = name
    form = {"file": upload}
    if dry_run:
        form["dry_run"] = "true"
    if mode:
        form["mode"] = mode
    return client.post(URL, form, format="multipart")


@pytest.fixture
def admin_client(school):
    client = APIClient()
    client.force_authenticate(school.alice)
    return client


def snapshot() -> tuple:
    return (
        Student.objects.count(),
        College.objects.count(),
        SchoolClass.objects.count(),
        sorted(Student.objects.values_list("student_no", "name", "is_active", "phone")),
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_imports_and_reimport_changes_nothing(admin_client, encoding):
    data = csv_bytes(roster_rows(5), encoding=encoding)
    first = post(admin_client, data, "roster.csv")
    assert first.status_code == 200, first.json()
    assert first.json() | {"errors": []} == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "dry_run": False,
        "errors": [],
    }
    student = Student.objects.get(student_no="202305000000")
    assert (student.name, student.gender, student.grade, student.school_class.name) == (
        "学生0号",
        "M",
        "2023",
        "2023级英语1班",
    )
    assert student.dorm.name == "西区3栋100"
    before = snapshot()
    again = post(admin_client, data, "roster.csv")
    assert again.json()["unchanged"] == 5 and again.json()["created"] == 0 and again.json()["updated"] == 0
    assert snapshot() == before


def test_xlsx_with_numeric_cells_reads_student_numbers_as_text(admin_client):
    response = post(admin_client, xlsx_bytes(roster_rows(4)), "花名册.xlsx")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 4
    assert Student.objects.filter(student_no="202305000003", phone="13900000003").exists()


def test_english_aliases_are_accepted(admin_client):
    header = ["student_no", "name", "gender", "college", "major", "grade", "class", "dorm", "phone"]
    rows = [r[:9] for r in roster_rows(2)]
    response = post(admin_client, csv_bytes(rows, header=header), "roster.csv")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2


def test_dry_run_reports_without_writing(admin_client):
    response = post(admin_client, csv_bytes(roster_rows(3)), "roster.csv", dry_run=True)
    assert response.status_code == 200
    assert response.json()["created"] == 3 and response.json()["dry_run"] is True
    assert not Student.objects.filter(college__name="外国语学院").exists()


def test_upsert_updates_a_changed_row_and_takes_nobody_off_the_roster(admin_client):
    rows = roster_rows(4)
    post(admin_client, csv_bytes(rows), "roster.csv")
    rows[0][8] = "13600000000"  # new phone
    response = post(admin_client, csv_bytes(rows[:3]), "roster.csv")
    assert response.json() | {"errors": []} == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "deactivated": 0,
        "dry_run": False,
        "errors": [],
    }
    assert Student.objects.get(student_no="202305000000").phone == "13600000000"
    assert Student.objects.get(student_no="202305000003").is_active is True


def test_sync_updates_a_changed_row_and_marks_the_missing_student_inactive_not_deleted(admin_client):
    rows = roster_rows(4)
    post(admin_client, csv_bytes(rows), "roster.csv")
    rows[0][8] = "13600000000"  # new phone
    response = post(admin_client, csv_bytes(rows[:3]), "roster.csv", mode="sync")
    assert response.json() | {"errors": []} == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "deactivated": 1,
        "deactivated_students": [{"student_no": "202305000003", "name": rows[3][1], "college": "外国语学院"}],
        "mode": "sync",
        "dry_run": False,
        "errors": [],
    }
    assert Student.objects.get(student_no="202305000000").phone == "13600000000"
    gone = Student.objects.get(student_no="202305000003")
    assert gone.is_active is False
    back = post(admin_client, csv_bytes(rows), "roster.csv")
    assert back.json()["updated"] == 1  # the returning student is active again
    assert Student.objects.get(student_no="202305000003").is_active is True


def test_students_of_colleges_not_in_the_file_are_left_alone(admin_client, school):
    post(admin_client, csv_bytes(roster_rows(2)), "roster.csv")
    assert Student.objects.filter(college=school.wenxue, is_active=True).count() == 3


def _bad_row(mutate) -> bytes:
    rows = roster_rows(6)
    mutate(rows)
    return csv_bytes(rows)


def _id_bad_checksum(rows):
    good = rows[3][13]
    rows[3][13] = good[:17] + ("0" if good[17] != "0" else "1")


BAD_FILES = {
    "wrong headers": (csv_bytes(roster_rows(2), header=["编号", *HEADER[1:]]), "r.csv", [(1, "学号", "缺少必填列")]),
    "duplicate 学号": (_bad_row(lambda r: r[4].__setitem__(0, r[1][0])), "r.csv", [(6, "学号", "与第 3 行重复")]),
    "bad ID checksum": (_bad_row(_id_bad_checksum), "r.csv", [(5, "身份证号", "身份证号无效")]),
    "gender 男/女": (_bad_row(lambda r: r[0].__setitem__(2, "未知")), "r.csv", [(2, "性别", "性别应为")]),
    "bad mobile": (_bad_row(lambda r: r[1].__setitem__(8, "12345")), "r.csv", [(3, "联系方式", "电话号码格式不正确")]),
    "bad date": (_bad_row(lambda r: r[2].__setitem__(11, "2005-02-30")), "r.csv", [(4, "出生日期", "日期格式")]),
    "ID does not match gender": (
        _bad_row(lambda r: r[0].__setitem__(2, "女")),
        "r.csv",
        [(2, "身份证号", "与性别不符")],
    ),
    "empty required value": (_bad_row(lambda r: r[5].__setitem__(1, "")), "r.csv", [(7, "姓名", "必填项为空")]),
    "xlsx that is not a zip": (
        b"this is not a spreadsheet at all" * 10,
        "roster.xlsx",
        [(0, "", "不是有效的 .xlsx 文件")],
    ),
    "truncated xlsx": (xlsx_bytes(roster_rows(3))[:700], "roster.xlsx", [(0, "", "不是有效的 .xlsx 文件")]),
    "empty file": (b"", "roster.csv", [(0, "", "文件为空")]),
    "header only": (csv_bytes([]), "roster.csv", [(0, "", "没有数据行")]),
    "unknown type": (b"%PDF-1.4 not a table", "roster.pdf", [(0, "", "只接受 .xlsx 或 .csv")]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_roster_gets_a_clear_message_and_writes_nothing(admin_client, case):
    data, name, expected = BAD_FILES[case]
    before = snapshot()
    response = post(admin_client, data, name)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(row, column) for row, column, _ in expected], errors
    for error, (_, _, fragment) in zip(errors, expected, strict=True):
        assert fragment in error["message"]
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="import", outcome="error").count() == 1


def test_a_file_over_the_cap_is_refused_before_parsing(admin_client, settings):
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    before = snapshot()
    with mock.patch.object(importers, "read_table") as read_table:
        response = post(admin_client, b"x" * (50 * 1024 * 1024), "big.csv")
    assert response.status_code == 413
    assert "20 MB" in response.json()["errors"][0]["message"]
    read_table.assert_not_called()
    assert snapshot() == before


def test_a_failure_after_rows_are_saved_rolls_everything_back(admin_client):
    before = snapshot()
    with (
        mock.patch.object(importers, "apply_statuses", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        post(admin_client, csv_bytes(roster_rows(50)), "roster.csv")
    assert snapshot() == before


def test_college_admin_cannot_import_another_colleges_students(school):
    client = APIClient()
    client.force_authenticate(school.bob)
    rows = roster_rows(2, college="文学与新闻传播学院") + roster_rows(1, college="数学与计算机科学学院")
    rows[2][0] = "202305009999"
    before = snapshot()
    response = client.post(URL, {"file": _named(csv_bytes(rows), "r.csv")}, format="multipart")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(4, "学院")]
    assert snapshot() == before


def test_college_admin_imports_own_college(school):
    client = APIClient()
    client.force_authenticate(school.bob)
    rows = roster_rows(2, college="文学与新闻传播学院")
    response = client.post(URL, {"file": _named(csv_bytes(rows), "r.csv")}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["deactivated"] == 0  # upsert: nobody leaves
    response = client.post(URL, {"file": _named(csv_bytes(rows), "r.csv"), "mode": "sync"}, format="multipart")
    # In full-roster mode the file lists the college in full: its three fixture students are no longer on it.
    assert response.json()["deactivated"] == 3


def test_import_is_audited_with_counts_and_file_hash(admin_client):
    post(admin_client, csv_bytes(roster_rows(2)), "roster.csv")
    event = AuditEvent.objects.get(action="import")
    assert event.outcome == "ok" and event.actor_username == "alice"
    assert event.detail["created"] == 2 and len(event.detail["sha256"]) == 64


def _named(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f
