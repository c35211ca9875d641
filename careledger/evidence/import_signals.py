"""Office-list import (signals: 资助 aid, 教务 academic, 处分 discipline, 校医院 health, 一卡通 card, 宿舍 dorm):
one office's list for the current semester; flagged rows become suggestions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.cases.selectors import current_semester
from careledger.core import clock
from careledger.core.tabular import RowError, norm_header, parse_date, parse_decimal, parse_month, parse_whole
from careledger.evidence import rules
from careledger.evidence.import_common import (
    MAX_ERRORS,
    STUDENT_NO_HEADERS,
    EvidenceReport,
    audit_import,
    read_or_report,
    students_by_row,
)
from careledger.evidence.models import Signal, SignalKind
from careledger.evidence.services import suggestions_record
from careledger.roster.models import Student

SIGNAL_COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    # kind → [(key, header, required)]
    "aid": [("level", "认定等级", True)],
    "academic": [("failed", "不及格学分", True), ("gpa", "平均学分绩点", False)],
    "discipline": [("what", "处分", True), ("on", "日期", True)],
    "health": [("what", "情况", True)],
    "card": [("month", "月份", True), ("meals", "就餐次数", True), ("spend", "食堂消费", True)],
    "dorm": [("on", "日期", True), ("count", "次数", True)],
}


def _signal_row(kind: str, cells: dict[str, str]) -> tuple[str, rules.Verdict, dict] | str:
    """(key, verdict, row to keep) or an error message naming the bad column's problem."""
    if kind == "aid":
        level = rules.HARDSHIP_LEVELS.get(cells["level"].strip())
        if level is None:
            return "level:" + _("认定等级应为 特别困难、困难 或 一般困难。")
        return (
            "",
            rules.Verdict(level, True, f"家庭经济困难认定：{cells['level'].strip()}"),
            {"认定等级": cells["level"]},
        )
    if kind == "academic":
        failed = parse_decimal(cells["failed"])
        if failed is None:
            return "failed:" + _("不及格学分应为数字。")
        gpa = None
        if cells.get("gpa", "").strip():
            gpa = parse_decimal(cells["gpa"])
            if gpa is None:
                return "gpa:" + _("平均学分绩点应为数字。")
        floor = settings.CARELEDGER_ACADEMIC_GPA_FLOOR
        verdict = rules.academic_level(
            failed,
            gpa,
            thresholds=settings.CARELEDGER_ACADEMIC_FAILED_CREDITS,
            gpa_floor=Decimal(floor) if floor else None,
        )
        return "", verdict, {"不及格学分": str(failed), "平均学分绩点": str(gpa) if gpa is not None else ""}
    if kind == "discipline":
        on = parse_date(cells["on"].strip(), with_time=True)
        if on is None:
            return "on:" + _("日期格式应为 YYYY-MM-DD。")
        what = cells["what"].strip()[:100]
        return (
            on.isoformat(),
            rules.Verdict("sanction", True, f"违纪处分：{what}（{on:%Y-%m-%d}）"),
            {"处分": what, "日期": on.isoformat()},
        )
    if kind == "health":
        # The medical text stays in the encrypted row; the reason says only that a record exists.
        return "", rules.Verdict("record", True, "校医院/残疾记录在案，请核实身体状况"), {"情况": cells["what"].strip()}
    if kind == "card":
        month, meals, spend = parse_month(cells["month"]), parse_whole(cells["meals"]), parse_decimal(cells["spend"])
        if month is None:
            return "month:" + _("月份格式应为 YYYY-MM。")
        if meals is None:
            return "meals:" + _("就餐次数应为整数。")
        if spend is None:
            return "spend:" + _("食堂消费应为数字。")
        verdict = rules.card_flag(
            meals, spend, min_meals=settings.CARELEDGER_CARD_MIN_MEALS, max_spend=settings.CARELEDGER_CARD_MAX_SPEND
        )
        return month, verdict, {"月份": month, "就餐次数": meals, "食堂消费": str(spend)}
    # dorm
    on, count = parse_date(cells["on"].strip(), with_time=True), parse_whole(cells["count"])
    if on is None:
        return "on:" + _("日期格式应为 YYYY-MM-DD。")
    if count is None:
        return "count:" + _("次数应为整数。")
    verdict = rules.dorm_flag(count, min_count=settings.CARELEDGER_DORM_MIN_COUNT)
    return on.isoformat(), verdict, {"日期": on.isoformat(), "次数": count}


def signal_import(*, actor: User, data: bytes, filename: str, kind: str, dry_run: bool = False) -> EvidenceReport:
    """One office's list for the current semester; flagged rows become suggestions."""
    if kind in SignalKind.values and not policy.can_upload_signal(actor, kind):
        policy.audit_denied(actor, object_type="signal", why=f"import:{kind}")
        raise PermissionDenied(_("只有学工处和持有该名单的部门可以导入。"))
    report = EvidenceReport(dry_run=dry_run)
    if kind not in SignalKind.values:
        report.errors.append(RowError(0, "kind", _("名单类型应为 aid、academic、discipline、health、card 或 dorm。")))
        return report
    semester = current_semester()
    if semester is None:
        report.errors.append(RowError(0, "", _("尚未设置当前学期。")))
        return report
    table = read_or_report(data, filename, report)
    if table is None:
        return report
    wanted = SIGNAL_COLUMNS[kind]
    index: dict[str, int] = {}
    no_col = None
    for i, header in enumerate(table.header):
        h = norm_header(header)
        if h in STUDENT_NO_HEADERS:
            no_col = i
        for key, name, _req in wanted:
            if h == norm_header(name):
                index[key] = i
    if no_col is None:
        report.errors.append(RowError(1, "学号", _("缺少必填列“学号”。")))
    for key, name, required in wanted:
        if required and key not in index:
            report.errors.append(RowError(1, name, _("缺少必填列“%(h)s”。") % {"h": name}))
    if report.errors:
        return report
    students = students_by_row(table, no_col, report)
    header_of = {key: name for key, name, _req in wanted}
    parsed: list[tuple[Student, str, rules.Verdict, dict]] = []
    keys: dict[tuple[int, str], int] = {}
    for n, row in table.rows:
        cells = {key: (row[i] if i < len(row) else "") for key, i in index.items()}
        out = _signal_row(kind, cells)
        if isinstance(out, str):
            key, message = out.split(":", 1)
            report.errors.append(RowError(n, header_of[key], message))
            continue
        if n not in students:
            continue
        key, verdict, kept = out
        student = students[n]
        if (student.pk, key) in keys:  # same student and month/date twice in one file
            report.errors.append(RowError(n, "学号", _("与第 %(r)d 行重复。") % {"r": keys[(student.pk, key)]}))
            continue
        keys[(student.pk, key)] = n
        parsed.append((student, key, verdict, kept))
    if report.errors:
        report.errors = report.errors[:MAX_ERRORS]
        return report
    report.scored = len(parsed)
    report.flagged = sum(1 for _s, _k, v, _r in parsed if v.flagged)
    if dry_run:
        return report
    with transaction.atomic():
        now = clock.now()
        existing = {
            (x.student_id, x.key): x
            for x in Signal.objects.filter(semester=semester, kind=kind, student__in=[p[0] for p in parsed]).only(
                "pk", "student_id", "key"
            )
        }
        new, changed = [], []
        for student, key, verdict, kept in parsed:
            old = existing.get((student.pk, key))
            signal = Signal(student=student, semester=semester, kind=kind, key=key)
            signal.level, signal.flagged, signal.reason, signal.row = (
                verdict.level,
                verdict.flagged,
                verdict.reason[:300],
                kept,
            )
            signal.imported_by, signal.imported_at = actor, now
            (changed if old else new).append(signal)
        Signal.objects.filter(pk__in=[x.pk for x in existing.values()]).delete()  # replaced, as results are
        Signal.objects.bulk_create(new + changed, batch_size=1000)
        category = rules.SOURCE_CATEGORY[kind]
        suggestions_record(
            actor=actor,
            semester=semester,
            items=[(s, category, kind, v.reason) for s, _k, v, _r in parsed if v.flagged],
            at=now,
        )
        audit_import(
            actor, "signal", {"kind": kind, "semester": semester.pk, "rows": report.scored, "flagged": report.flagged}
        )
    return report
