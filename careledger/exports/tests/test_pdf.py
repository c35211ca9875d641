"""Both official exports convert to PDF with LibreOffice and read like the notice's forms.

Needs `soffice` and `pdftotext` (scripts/install-system-deps.sh installs them); a missing tool fails
the test rather than skipping it, so CI cannot pass without the conversion having run.
"""

import shutil
import subprocess
from datetime import date, datetime

from careledger.core.export_safety import Watermark
from careledger.exports import case_docx, ledger_xlsx
from careledger.ledgers.records import LedgerRecord


def _convert(paths, outdir, profile) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is missing: run scripts/install-system-deps.sh"
    subprocess.run(  # noqa: S603 - fixed arguments, files we wrote
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


def _text(pdf) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is missing: run scripts/install-system-deps.sh"
    return subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603


def test_ledger_workbook_and_case_file_convert_to_pdf(tmp_path):
    watermark = Watermark(exporter="王辅导员 (wang)", at=datetime.fromisoformat("2026-09-10T10:00:00+08:00"))
    row = LedgerRecord(
        category="economic",
        name="张三丰",
        gender="男",
        class_name="2023级汉语言文学1班",
        dorm="东区12栋305",
        phone="13812345678",
        parent="张父 13700000000",
        detail="特别困难；单亲家庭，母亲务农，弟弟读高中，生活费主要靠助学贷款。" * 2,
        plan="申请国家助学金一等；每两周谈心一次",
        mentor="李老师 13900000000",
        effect="情绪稳定",
    )
    data = ledger_xlsx.LedgerSheetData(
        title_year=2026,
        on=date(2026, 9, 10),
        unit="文学与新闻传播学院",
        filled_by="王辅导员",
        responsible="李书记",
        tables=ledger_xlsx.grouped({"economic": [row] * 30, "psych": [], "physical": []}),
    )
    xlsx = tmp_path / "ledger.xlsx"
    xlsx.write_bytes(ledger_xlsx.build(data, watermark))
    docx = tmp_path / "case.docx"
    docx.write_bytes(
        case_docx.build(
            case_docx.CaseFileData(
                school="赣南师范大学",
                mentor="李老师",
                period_from=date(2026, 9, 2),
                period_to=date(2026, 9, 10),
                name="张三丰",
                gender="男",
                class_name="2023级汉语言文学1班",
                age="19",
                native_place="江西赣州",
                phone="13812345678",
                problem="问题类型：家庭经济困难\n单亲家庭",
                life_history="父亲早逝",
                plan="每两周谈心",
                contacts=[
                    case_docx.ContactRow("2026年9月5日 16:00", "东区12栋305", "情绪稳定", "【谈心交流】谈学习计划")
                ],
                revoke="",
            ),
            watermark,
        )
    )
    _convert([xlsx, docx], tmp_path, tmp_path / "lo-profile")
    ledger_text = _text(tmp_path / "ledger.pdf")
    assert "2026年特殊群体学生精准关爱工程台账" in ledger_text
    assert "家庭经济状况和存在问题" in ledger_text and "注：以上表格每学期上报一次" in ledger_text
    assert watermark.export_id in ledger_text
    case_text = _text(tmp_path / "case.pdf")
    assert "赣南师范大学特殊群体学生档案表" in case_text and "是否建议撤销建档" in case_text


# --- issue 14: the ledgers and case files on paper, through the real services ---

# The 2,000-character entry is written in an alphabet no other text on the page uses, so the printed
# entry can be read back in order from pdftotext however the columns interleave.
ALPHABET = "甲乙丙丁戊己庚辛壬癸丑寅卯辰巳未酉戌亥"
LONG_ENTRY = "".join(ALPHABET[(i * 7 + i // 19) % len(ALPHABET)] for i in range(2000))


def _only(text: str, alphabet: str) -> str:
    return "".join(ch for ch in text if ch in alphabet)


def _at(moment: str):
    import time_machine

    return time_machine.travel(datetime.fromisoformat(moment), tick=False)


def test_ledgers_and_case_files_on_paper(school, tmp_path):
    """Exports converted to PDF: the addendum row, the school book's signatures, a 2,000-character entry
    whole on the printed page, the closed case's mentor, 至今, page headers, and no visible ' guard."""
    from django.test import Client

    from careledger.cases import services as case_services
    from careledger.contacts import services as contact_services
    from careledger.ledgers import services as ledger_services
    from tests.support.testing import make_semester

    assert not set(ALPHABET) & set("张三丰李四王辅导员书记赣南师范大学文学与新闻传播学院汉语言东区栋谈心计划")
    with _at("2026-09-02T09:00:00+08:00"):
        semester = make_semester(school)
        zhang = case_services.case_open(
            actor=school.carol,
            student=school.students["zhang"],
            categories=[case_services.CategoryInput("psych", LONG_ENTRY, data={"problem_type": "焦虑"})],
            plan="=SUM(A1:A9)",
        )
        li = case_services.case_open(
            actor=school.carol,
            student=school.students["li"],
            categories=[case_services.CategoryInput("economic", "单亲家庭")],
            plan="每周谈心",
        )
        school.erin.phone = "13900000000"
        school.erin.save()
        case_services.mentor_assign(actor=school.carol, case=li, mentor=school.erin)
        case_services.mentor_assign(actor=school.carol, case=zhang, mentor=school.erin)
    for day in range(3, 23):
        with _at(f"2026-09-{day:02d}T16:00:00+08:00"):
            contact_services.contact_record(
                actor=school.erin,
                case=zhang,
                kind="talk",
                occurred_at=datetime.fromisoformat(f"2026-09-{day:02d}T15:00:00+08:00"),
                location="东区12栋305",
                content="谈心，了解近期学习和生活情况，学生情绪较上次平稳，睡眠有所改善。" * 3,
                effect="情绪稳定",
            )
    with _at("2026-09-10T10:00:00+08:00"):
        case_services.close_request(actor=school.carol, case=li, reason="情况好转", improved=True)
        case_services.close_approve(actor=school.bob, case=li)
    with _at("2026-09-18T10:00:00+08:00"):
        ledger = ledger_services.ledger_open(actor=school.carol, semester=semester, college=school.wenxue)
        ledger_services.ledger_submit(
            actor=school.bob, ledger=ledger, filled_by="王辅导员", responsible="李书记", confirm=True
        )
    with _at("2026-11-03T10:00:00+08:00"):
        case_services.case_open(  # after submission: 随时上报
            actor=school.bob,
            student=school.students["wang"],
            categories=[case_services.CategoryInput("economic", "父亲失业")],
            plan="申请临时困难补助",
        )
    with _at("2026-11-05T10:00:00+08:00"):
        client = Client()
        files = {}
        for persona, url, name in (
            ("carol", f"/api/v1/ledgers/{ledger.pk}/export/", "ledger.xlsx"),
            ("alice", f"/api/v1/ledgers/school-export/?semester={semester.pk}", "school.xlsx"),
            ("carol", f"/api/v1/cases/{li.pk}/export/", "closed.docx"),
            ("carol", f"/api/v1/cases/{zhang.pk}/export/", "open.docx"),
        ):
            client.force_login(school.users[persona])
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:200])
            (tmp_path / name).write_bytes(response.content)
            files[name] = tmp_path / name
    _convert(files.values(), tmp_path, tmp_path / "lo-profile")
    ledger_text = _text(tmp_path / "ledger.pdf")
    flat = "".join(ledger_text.split())
    assert "随时上报（2026年11月3日）" in flat and "王小明" in flat  # the addendum row
    assert _only(ledger_text, ALPHABET) == LONG_ENTRY  # whole, in order, nothing cut
    assert "=SUM(A1:A9)" in flat and "'=SUM" not in flat  # text, with no visible guard
    assert "erin13900000000" in flat  # 帮扶人姓名及联系方式: name and phone
    school_text = "".join(_text(tmp_path / "school.pdf").split())
    assert "填表人：王辅导员" in school_text and "负责人：李书记" in school_text
    assert "状态：已上报" in school_text and "上报日期：2026年9月18日" in school_text
    assert "各学院上报情况" in school_text and "未开始（实时数据）" in school_text
    closed = "".join(_text(tmp_path / "closed.pdf").split())
    assert "辅导老师：erin（2026年9月2日—2026年9月10日）" in closed and "辅导老师：—" not in closed
    assert "辅导时间：2026年9月2日—2026年9月10日" in closed
    opened = _text(tmp_path / "open.pdf")
    flat_open = "".join(opened.split())
    assert "2026年9月2日—至今" in flat_open
    assert _only(opened, ALPHABET) == LONG_ENTRY
    pages = opened.split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    assert "张三丰" in pages[1] and "（续）" in pages[1] and "第 2 页" in pages[1]
    assert "2026年09月" not in flat_open and "2026年9月3日15:00" in flat_open  # one date format
