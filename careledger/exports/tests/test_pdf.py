"""Both official exports convert to PDF with LibreOffice and read like the notice's forms.

Needs `soffice` and `pdftotext` (scripts/install-system-deps.sh installs them); a missing tool fails
the test rather than skipping it, so CI cannot pass without the conversion having run.
"""

import shutil
import subprocess
from datetime import date, datetime

from careledger.core.export_safety import Watermark
from careledger.exports import case_docx, ledger_xlsx


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
    row = {
        "姓名": "张三丰",
        "性别": "男",
        "班级": "2023级汉语言文学1班",
        "所在寝室": "东区12栋305",
        "本人联系方式": "13812345678",
        "家长姓名及联系方式": "张父 13700000000",
        "家庭经济状况和存在问题": "特别困难；单亲家庭，母亲务农，弟弟读高中，生活费主要靠助学贷款。" * 2,
        "帮扶措施": "申请国家助学金一等；每两周谈心一次",
        "帮扶人姓名及联系方式": "李老师 13900000000",
        "帮扶效果": "情绪稳定",
        "备注": "",
    }
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
                    case_docx.ContactRow("2026年09月05日 16:00", "东区12栋305", "情绪稳定", "【谈心交流】谈学习计划")
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
