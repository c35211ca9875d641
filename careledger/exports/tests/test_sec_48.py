"""SEC-48: text that cannot go into XML is cleaned at input, every export survives it when stored
anyway, and zip entries never carry path parts from user text."""

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from docx import Document

from careledger.audit.models import AuditEvent
from careledger.cases import services as case_services
from careledger.cases.models import Case, CategoryEntry
from careledger.contacts import services as contact_services
from careledger.core.text import clean_text
from careledger.ledgers import services as ledger_services
from careledger.ledgers.models import Ledger
from tests.support.testing import make_semester

NOW = datetime.fromisoformat("2026-09-10T10:00:00+08:00")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plan\x1b[31m red", "plan[31m red"),
        ("a\x00b\x08c\x0bd\x0ce\x7ff\x85g", "abcdefg"),
        ("line\r\nnext\rlast", "line\nnext\nlast"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("\ufffe\uffff中文", "中文"),
        (None, ""),
    ],
)
def test_clean_text_table(raw, clean):
    assert clean_text(raw) == clean


def test_the_case_and_contact_services_clean_text_at_input(school):
    case = case_services.case_open(
        actor=school.carol,
        student=school.students["li"],
        categories=[case_services.CategoryInput("psych", "情绪\x1b低落", data={"problem_type": "抑郁\x00"})],
        opened_on=date(2026, 9, 2),
        plan="每周\x1b谈心",
        note="\x07备注",
    )
    contact = contact_services.contact_record(
        actor=school.carol,
        case=case,
        kind="talk",
        occurred_at=datetime.fromisoformat("2026-09-05T16:00:00+08:00"),
        location="宿舍\x1b",
        content="谈\x0c心",
        effect="好\x1b",
    )
    case.refresh_from_db()
    entry = case.categories.get()
    assert (case.plan, case.note, entry.detail, entry.data["problem_type"]) == ("每周谈心", "备注", "情绪低落", "抑郁")
    assert (contact.location, contact.content, contact.effect) == ("宿舍", "谈心", "好")
    case = case_services.case_update(actor=school.carol, case=case, version=case.version, fields={"plan": "改\x1b"})
    assert Case.objects.get(pk=case.pk).plan == "改"


def test_sec_48_stored_control_characters_and_path_names_every_export_answers_200_with_safe_entry_names(client, school):
    semester = make_semester(school)
    student = school.students["li"]
    case = case_services.case_open(
        actor=school.carol,
        student=student,
        categories=[case_services.CategoryInput("economic", "单亲"), case_services.CategoryInput("physical", "病")],
        opened_on=date(2026, 9, 2),
        plan="每周谈心",
    )
    case_services.mentor_assign(actor=school.carol, case=case, mentor=school.erin)
    contact_services.contact_record(
        actor=school.erin,
        case=case,
        kind="talk",
        occurred_at=datetime.fromisoformat("2026-09-05T16:00:00+08:00"),
        content="谈心",
    )
    # Text stored before the input cleaning existed (or by another path): written straight to the rows.
    type(student).objects.filter(pk=student.pk).update(name="../../x", phone="\x1b138")
    Case.objects.filter(pk=case.pk).update(plan="=cmd|' /C calc'!A0\x1b[31m", problem="\x00问题\x08", note="\x1b")
    CategoryEntry.objects.filter(case=case, category="physical").update(verification="\x0b核实")
    case.contacts.update(content="\x1b谈心\x00", location="\x0c")
    school.erin.name = "导师\x1b"
    school.erin.save()
    ledger = ledger_services.ledger_open(actor=school.carol, semester=semester, college=school.wenxue)

    def check_entries(data: bytes) -> list[str]:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        for name in names:
            assert "/" not in name and "\\" not in name and ".." not in name and "\x1b" not in name
        return names

    client.force_login(school.carol)
    draft_zip_before_submit = client.get(reverse("ledgers:case-files", args=[ledger.pk]))
    assert draft_zip_before_submit.status_code == 200
    assert check_entries(draft_zip_before_submit.content) == ["202301010002____x_档案表.docx"]
    ledger_services.ledger_submit(actor=school.bob, ledger=ledger, filled_by="王\x1b", responsible="李", confirm=True)
    ledger = Ledger.objects.get(pk=ledger.pk)

    for persona, url, kind in (
        ("carol", reverse("ledgers:export", args=[ledger.pk]), "xlsx"),
        ("carol", f"/api/v1/ledgers/{ledger.pk}/export/", "xlsx"),
        ("alice", reverse("ledgers:school-export"), "xlsx"),
        ("alice", "/api/v1/ledgers/school-export/", "xlsx"),
        ("carol", reverse("ledgers:case-file", args=[case.pk]), "docx"),
        ("erin", f"/api/v1/cases/{case.pk}/export/", "docx"),
        ("carol", reverse("ledgers:case-files", args=[ledger.pk]), "zip"),
        ("carol", f"/api/v1/ledgers/{ledger.pk}/case-files/", "zip"),
        ("alice", reverse("assessment:export"), "xlsx"),
        ("alice", reverse("assessment:cadres-export"), "xlsx"),
        ("grace", reverse("audit:export") + "?format=xlsx", "xlsx"),
        ("grace", reverse("audit:export") + "?format=csv", "csv"),
    ):
        client.force_login(school.users[persona])
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert "/" not in response["Content-Disposition"].split("filename", 1)[1].replace("UTF-8''", "")
        if kind == "xlsx":
            openpyxl.load_workbook(io.BytesIO(response.content))
        elif kind == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
            assert "\x1b" not in text
        elif kind == "csv":
            assert "\x1b" not in response.content.decode("utf-8-sig")
        else:
            for name in check_entries(response.content):
                Document(io.BytesIO(zipfile.ZipFile(io.BytesIO(response.content)).read(name)))
    # The admins' zip, after one stated reason (page form) — the reason itself cleaned at input.
    client.force_login(school.bob)
    response = client.post(reverse("ledgers:case-files", args=[ledger.pk]), {"reason": "审核\x1b台账"})
    assert response.status_code == 200 and check_entries(response.content) == ["202301010002____x_档案表.docx"]
    assert AuditEvent.objects.get(actor=school.bob, action="reveal").detail["reason"] == "审核台账"
