"""Assessment downloads: the whole assessment of a semester (a sheet per level) and the cadres'
help-group contribution (学生干部考察, 党员发展考核), each audited like every export (有据可查).

As in exports/: XlsxWriter with formulas and URLs off, every text cell neutralised, the exporter's
watermark in the page header and footer and the workbook properties, and an audit row with the file's
SHA-256 and export id. Figures are written as numbers, rates with a percentage format.
"""

import io

import xlsxwriter
from django.conf import settings
from django.utils import translation

from careledger.accounts.models import User
from careledger.assessment import indicators as ind
from careledger.assessment import selectors
from careledger.cases.categories import Category
from careledger.cases.models import HelperRole, RiskLevel
from careledger.core.export_safety import ExportFile, Watermark, audit_export, neutralise, watermark_for
from careledger.core.models import Semester

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LEVEL_SHEETS = {"school": "全校", "college": "学院", "counselor": "辅导员", "mentor": "帮扶导师"}
RISK_HEADERS = {RiskLevel.LOW: "低风险", RiskLevel.MEDIUM: "中风险", RiskLevel.HIGH: "高风险"}
# (header, row key, kind): kind is "int", "rate", "minutes", "bool" or "avg".
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("在册学生", "students", "int"),
    ("已摸排", "surveyed", "int"),
    ("摸排覆盖率", "survey_coverage", "rate"),
    ("在档人数", "open_cases", "int"),
    ("已结对", "with_mentor", "int"),
    ("导师结对覆盖率", "mentor_coverage", "rate"),
    ("应达标窗口", "windows_required", "int"),
    ("已达标窗口", "windows_met", "int"),
    ("联系达标率", "compliance_rate", "rate"),
    ("逾期档案", "overdue_cases", "int"),
    ("安全隐患上报", "escalations", "int"),
    ("确认用时中位数（分钟）", "ack_minutes_median", "minutes"),
    ("处置用时中位数（分钟）", "resolve_minutes_median", "minutes"),
    ("台账按时上报", "ledger_on_time", "bool"),
    ("帮扶后改善撤销建档", "closed_improved", "int"),
    ("帮扶效果均分", "effect_rating_avg", "avg"),
)
SCORED_LEVELS = ("college", "counselor")
CADRE_HEADERS = ("序号", "学号", "姓名", "学院", "班级", "角色", "活动次数", "按角色", "活动月数", "最近活动")


_audited = audit_export  # the one export audit row, as exports.services does it


def _workbook(buf: io.BytesIO, title: str, watermark: Watermark):
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": title,
            "subject": settings.SCHOOL_NAME,
            "author": watermark.exporter,
            "comments": watermark.line,
            "keywords": f"export:{watermark.export_id}",
        }
    )
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1}
    fmt = {
        "title": wb.add_format({"font_name": "宋体", "bold": True, "font_size": 14}),
        "note": wb.add_format({"font_name": "宋体", "font_size": 9, "text_wrap": True, "valign": "top"}),
        "head": wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"}),
        "text": wb.add_format(base),
        "int": wb.add_format({**base, "num_format": "0"}),
        "rate": wb.add_format({**base, "num_format": "0.0%"}),
        "minutes": wb.add_format({**base, "num_format": "0.0"}),
        "avg": wb.add_format({**base, "num_format": "0.00"}),
        "score": wb.add_format({**base, "num_format": "0.0", "bold": True}),
    }
    return wb, fmt


def _page_setup(ws, watermark: Watermark, unit: str, last_col: int, header_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row, header_row)
    ws.set_header(f"&L&8{_escape(unit)}&R&8{_escape(watermark.line)}")
    ws.set_footer(f"&L&8{_escape(watermark.line)}&R&8第 &P 页，共 &N 页")
    ws.freeze_panes(header_row + 1, 1)
    ws.set_column(0, 0, 22)
    ws.set_column(1, last_col, 10)


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def _write(ws, row: int, col: int, value, kind: str, fmt: dict) -> None:
    if value is None:
        ws.write_string(row, col, "—", fmt["text"])
    elif isinstance(value, bool):  # a college's ledger on time (the school's is a share, a number)
        ws.write_string(row, col, "是" if value else "否", fmt["text"])
    else:
        ws.write_number(row, col, value, fmt["rate" if kind == "bool" else kind])


def _level_sheet(wb, fmt, level: str, rows: list[dict], title: str, watermark: Watermark) -> int:
    ws = wb.add_worksheet(LEVEL_SHEETS[level])
    scored = level in SCORED_LEVELS
    headers = ["单位", *[h for h, _k, _t in COLUMNS[:4]]]
    headers += [str(Category(c).label) for c in Category.values]
    headers += list(RISK_HEADERS.values())
    headers += [h for h, _k, _t in COLUMNS[4:]]
    if scored:
        headers += ["得分", "名次", "表彰候选"]
    ws.write_string(0, 0, f"{title} · {LEVEL_SHEETS[level]}", fmt["title"])
    for col, header in enumerate(headers):
        ws.write_string(2, col, header, fmt["head"])
    ranked = {id(u.row): u for u in selectors.ranking(rows, level)} if scored else {}
    for n, row in enumerate(rows, start=3):
        col = 0
        ws.write_string(n, col, neutralise(row["unit"]["name"]), fmt["text"])
        for _h, key, kind in COLUMNS[:4]:
            col += 1
            _write(ws, n, col, row[key], kind, fmt)
        for code in Category.values:
            col += 1
            _write(ws, n, col, row["cases_by_category"][code], "int", fmt)
        for code in RISK_HEADERS:
            col += 1
            _write(ws, n, col, row["cases_by_risk"][code], "int", fmt)
        for _h, key, kind in COLUMNS[4:]:
            col += 1
            _write(ws, n, col, row[key], kind, fmt)
        if scored:
            unit = ranked[id(row)]
            _write(ws, n, col + 1, unit.score, "score", fmt)
            _write(ws, n, col + 2, unit.rank, "int", fmt)
            ws.write_string(n, col + 3, "是" if unit.commended else "", fmt["text"])
    if not rows:
        ws.write_string(3, 0, "（无）", fmt["text"])
    _page_setup(ws, watermark, title, len(headers) - 1, 2)
    return len(rows)


def _notes_sheet(wb, fmt, semester: Semester, data: ind.Data) -> None:
    ws = wb.add_worksheet("指标说明")
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, f"{semester.name} 考核指标说明", fmt["title"])
    ws.write_string(1, 0, f"统计日：{data.as_of:%Y-%m-%d}（学期最后一天或今天，取较早者）", fmt["note"])
    line = 3
    for key, text in ind.DEFINITIONS.items():  # lazy translations, rendered in the override's language
        ws.write_string(line, 0, key, fmt["text"])
        ws.write_string(line, 1, str(text), fmt["text"])
        line += 1
    weights = "，".join(f"{k} × {w:g}" for k, w in settings.ASSESSMENT_WEIGHTS.items())
    thresholds = "，".join(f"{k} ≥ {v:g}" for k, v in settings.ASSESSMENT_COMMEND_THRESHOLDS.items())
    notes = [
        ("得分", f"得分 = 100 × Σ(权重 × 指标) / Σ(有值指标的权重)。权重：{weights}。"),
        (
            "ack_speed",
            f"上报确认用时得分 = 1（确认用时中位数不超过 {settings.ASSESSMENT_ACK_TARGET_MINUTES} 分钟），"
            f"否则 {settings.ASSESSMENT_ACK_TARGET_MINUTES} / 中位数。",
        ),
        ("表彰候选", f"各项门槛均达到（{thresholds}）的单位中得分前 {settings.ASSESSMENT_COMMEND_TOP} 名。"),
    ]
    for key, text in notes:
        ws.write_string(line, 0, key, fmt["text"])
        ws.write_string(line, 1, text, fmt["text"])
        line += 1


def export_assessment(*, actor: User, semester: Semester) -> ExportFile:
    """The assessment of ``semester`` as the actor may see it: a sheet per level they may look at (each
    listing only their visible units, with score, rank and commendation at college and counselor level)
    and a sheet of definitions."""
    levels = selectors.levels_for(actor)
    data = ind.load(semester)
    with translation.override(settings.LANGUAGE_CODE):  # an official document: in Chinese whoever exports it
        return _assessment_file(actor, semester, levels, data)


def _assessment_file(actor: User, semester: Semester, levels: list[str], data: ind.Data) -> ExportFile:
    watermark = watermark_for(actor)
    title = f"{settings.SCHOOL_NAME} {semester.name} 精准关爱工程考核"
    buf = io.BytesIO()
    wb, fmt = _workbook(buf, title, watermark)
    counts = {}
    for level in levels:
        counts[level] = _level_sheet(wb, fmt, level, selectors.rows_for(actor, data, level), title, watermark)
    _notes_sheet(wb, fmt, semester, data)
    wb.close()
    export = ExportFile(
        filename=f"{semester.name}_考核.xlsx", content_type=XLSX, data=buf.getvalue(), export_id=watermark.export_id
    )
    return _audited(actor, export, object_type="assessment", object_id=semester.pk, levels=levels, rows=counts)


def export_cadres(*, actor: User, semester: Semester) -> ExportFile:
    """学生干部帮扶贡献: each cadre in the actor's scope with their roles and activities of the semester,
    counted. Neither the student they helped nor the case nor what an activity was about is in it."""
    found = selectors.cadres(actor, semester)
    with translation.override(settings.LANGUAGE_CODE):
        return _cadres_file(actor, semester, found)


def _cadres_file(actor: User, semester: Semester, found: list[selectors.Cadre]) -> ExportFile:
    watermark = watermark_for(actor)
    title = f"{settings.SCHOOL_NAME} {semester.name} 学生干部帮扶贡献"
    buf = io.BytesIO()
    wb, fmt = _workbook(buf, title, watermark)
    ws = wb.add_worksheet("学生干部帮扶贡献")
    ws.write_string(0, 0, title, fmt["title"])
    ws.write_string(
        1, 0, "供学生干部考察、学生党员发展考核参考；仅统计帮扶小组活动次数，不含帮扶对象及活动内容。", fmt["note"]
    )
    for col, header in enumerate(CADRE_HEADERS):
        ws.write_string(2, col, header, fmt["head"])
    labels = dict(HelperRole.choices)
    for n, cadre in enumerate(found, start=1):
        r = n + 2
        s = cadre.student
        ws.write_number(r, 0, n, fmt["int"])
        ws.write_string(r, 1, neutralise(s.student_no), fmt["text"])
        ws.write_string(r, 2, neutralise(s.name), fmt["text"])
        ws.write_string(r, 3, neutralise(s.college.name), fmt["text"])
        ws.write_string(r, 4, neutralise(s.school_class.name), fmt["text"])
        ws.write_string(r, 5, "、".join(str(labels[c]) for c in cadre.roles), fmt["text"])
        ws.write_number(r, 6, cadre.activities, fmt["int"])
        by_role = "；".join(f"{labels[role]} {count}" for role, count in cadre.by_role.items())
        ws.write_string(r, 7, by_role or "—", fmt["text"])
        ws.write_number(r, 8, cadre.months, fmt["int"])
        ws.write_string(r, 9, f"{cadre.last_on:%Y-%m-%d}" if cadre.last_on else "—", fmt["text"])
    if not found:
        ws.write_string(3, 0, "（无）", fmt["text"])
    _page_setup(ws, watermark, title, len(CADRE_HEADERS) - 1, 2)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 14)
    ws.set_column(3, 4, 20)
    ws.set_column(5, 5, 24)
    ws.set_column(7, 7, 30)
    wb.close()
    export = ExportFile(
        filename=f"{semester.name}_学生干部帮扶贡献.xlsx",
        content_type=XLSX,
        data=buf.getvalue(),
        export_id=watermark.export_id,
    )
    return _audited(actor, export, object_type="helper", object_id=semester.pk, rows=len(found))
