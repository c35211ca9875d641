"""Screening and office-list imports: all or nothing, like the roster import.

The file is read with core.tabular (safe .xlsx, CSV in UTF-8 or GB18030) and checked whole first; any
bad row gives a report (row, column, message) and nothing is written. A good file is applied in one
transaction. ``screening_import`` and ``signal_import`` are plain functions a background job can call.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.audit.services import Action, record
from careledger.cases.selectors import current_semester
from careledger.core import clock
from careledger.core.models import Semester
from careledger.core.tabular import TableError, read_table
from careledger.escalations.models import Department
from careledger.escalations.services import escalation_from_screening
from careledger.evidence import rules, scales
from careledger.evidence.models import SOURCE_LABELS, Scale, ScreeningResult, Signal, SignalKind
from careledger.evidence.services import counselors_of, suggestions_record
from careledger.roster.models import Student

MAX_ERRORS = 200


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class EvidenceReport:
    scored: int = 0
    flagged: int = 0
    urgent: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "scored": self.scored,
            "flagged": self.flagged,
            "urgent": self.urgent,
            "dry_run": self.dry_run,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }


def _norm(value: str) -> str:
    return re.sub(r"[\s_*＊]", "", value).lower()


STUDENT_NO_HEADERS = {"学号", "student_no", "studentno", "xh"}


def _read(data: bytes, filename: str, report: EvidenceReport):
    try:
        return read_table(data, filename)
    except TableError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        return None


def _students(table, col: int, report: EvidenceReport) -> dict[int, Student]:
    """Row number → student, with an error for an empty, unknown, inactive or repeated 学号."""
    numbers = {row[col].strip() for _n, row in table.rows if col < len(row)}
    known = {
        s.student_no: s
        for s in Student.objects.filter(student_no__in=numbers).only(
            "pk", "student_no", "college_id", "grade", "school_class_id", "is_active"
        )
    }
    seen: dict[str, int] = {}
    out = {}
    for n, row in table.rows:
        no = row[col].strip() if col < len(row) else ""
        if not no:
            report.errors.append(RowError(n, "学号", _("学号为空。")))
        elif no in seen:
            report.errors.append(RowError(n, "学号", _("学号与第 %(r)d 行重复。") % {"r": seen[no]}))
        elif no not in known:
            report.errors.append(RowError(n, "学号", _("名册中没有学号 %(no)s。") % {"no": no}))
        elif not known[no].is_active:
            report.errors.append(RowError(n, "学号", _("学号 %(no)s 的学生已离册。") % {"no": no}))
        else:
            seen[no] = n
            out[n] = known[no]
    return out


def _audit_import(actor, object_type: str, detail: dict) -> None:
    record(actor=actor, action=Action.IMPORT, object_type=object_type, detail=detail)


# --- screenings ---


def screening_import(
    *, actor: User, data: bytes, filename: str, scale: str, semester: Semester, dry_run: bool = False
) -> EvidenceReport:
    """Score every row of a screening file; flagged results become suggestions; an immediate-danger
    answer raises an urgent escalation once per student, scale and semester."""
    if not policy.can_import_screening(actor):
        policy.audit_denied(actor, object_type="screeningresult", why="import")
        raise PermissionDenied(_("只有学工处和心理中心可以导入心理普查结果。"))
    report = EvidenceReport(dry_run=dry_run)
    if scale not in Scale.values:
        report.errors.append(RowError(0, "scale", _("量表应为 upi、scl90、phq9 或 gad7。")))
        return report
    table = _read(data, filename, report)
    if table is None:
        return report
    cfg = scales.ScaleSettings.from_django()
    no_col, items = None, {}
    for i, header in enumerate(table.header):
        h = _norm(header)
        if h in STUDENT_NO_HEADERS:
            no_col = i
        elif re.fullmatch(r"(q|第)?\d{1,3}题?", h):
            item = int(re.sub(r"\D", "", h))
            if 1 <= item <= scales.ITEM_COUNT[scale]:
                items[item] = i
    if no_col is None:
        report.errors.append(RowError(1, "学号", _("缺少必填列“学号”。")))
    missing = [i for i in range(1, scales.REQUIRED_ITEMS[scale] + 1) if i not in items]
    if missing:
        shown = "、".join(str(i) for i in missing[:10]) + ("…" if len(missing) > 10 else "")
        report.errors.append(RowError(1, str(missing[0]), _("缺少题目列：%(items)s。") % {"items": shown}))
    if report.errors:
        return report
    students = _students(table, no_col, report)
    low, high = scales.answer_range(scale, cfg)
    scorer = scales.SCORERS[scale]
    scored: list[tuple[Student, dict[int, int], scales.Score]] = []
    for n, row in table.rows:
        answers: dict[int, int] = {}
        bad = False
        for item, col in items.items():
            raw = row[col] if col < len(row) else ""
            if not raw.strip() and item > scales.REQUIRED_ITEMS[scale]:
                continue  # UPI's auxiliary items may be left blank
            value = scales.parse_answer(scale, raw, cfg)
            if value is None:
                bad = True
                if len(report.errors) < MAX_ERRORS:
                    hint = _("是/否 或 1/0") if scale == "upi" else f"{low}–{high}"
                    report.errors.append(
                        RowError(
                            n,
                            str(item),
                            _("第 %(i)d 题的作答“%(v)s”无效（应为 %(h)s）。") % {"i": item, "v": raw, "h": hint},
                        )
                    )
            else:
                answers[item] = value
        if not bad and n in students:
            scored.append((students[n], answers, scorer(answers, cfg)))
    if report.errors:
        report.errors = report.errors[:MAX_ERRORS]
        return report
    existing = {
        r.student_id: r
        for r in ScreeningResult.objects.filter(
            semester=semester, scale=scale, student__in=[s for s, *_r in scored]
        ).only("pk", "student_id", "escalation_id")
    }
    report.scored = len(scored)
    report.flagged = sum(1 for *_r, score in scored if score.flagged)
    to_escalate = [
        (s, score)
        for s, _a, score in scored
        if score.urgent and (existing.get(s.pk) is None or existing[s.pk].escalation_id is None)
    ]
    report.urgent = len(to_escalate)
    if dry_run:
        return report
    with transaction.atomic():
        _write_screening(actor, semester, scale, scored, existing, to_escalate)
        _audit_import(
            actor,
            "screeningresult",
            {
                "scale": scale,
                "semester": semester.pk,
                "scored": report.scored,
                "flagged": report.flagged,
                "urgent": report.urgent,
            },
        )
    return report


def _write_screening(actor, semester, scale, scored, existing, to_escalate) -> None:
    now = clock.now()
    new, changed = [], []
    for student, answers, score in scored:
        detail = {"answers": {str(k): v for k, v in sorted(answers.items())}, **score.as_dict()}
        old = existing.get(student.pk)
        result = ScreeningResult(
            student=student, semester=semester, scale=scale, escalation_id=old.escalation_id if old else None
        )
        result.total, result.level, result.flagged, result.urgent = (
            score.total,
            score.level,
            score.flagged,
            score.urgent,
        )
        result.reason, result.detail, result.imported_by, result.imported_at = score.reason[:300], detail, actor, now
        (changed if old else new).append(result)
    # A re-import replaces the rows, each keeping its escalation: delete and insert in batches is linear,
    # where bulk_update's CASE … WHEN grows with the square of the rows.
    ScreeningResult.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
    ScreeningResult.objects.bulk_create(new + changed, batch_size=1000)
    if to_escalate:
        psych = list(Department.objects.filter(code=settings.CARELEDGER_PSYCH_DEPARTMENT))
        counselors = counselors_of(s for s, _score in to_escalate)
        label = SOURCE_LABELS[scale]
        results = {
            r.student_id: r
            for r in ScreeningResult.objects.filter(
                semester=semester, scale=scale, student__in=[s for s, _score in to_escalate]
            ).only("pk", "student_id")
        }
        for student, _score in to_escalate:
            escalation = escalation_from_screening(
                actor=actor,
                student=student,
                description=f"{label}：{scales.URGENT_REASON}。请立即联系该生并评估安全风险。",
                departments=psych,
                counselors=counselors.get(student.pk, []),
            )
            ScreeningResult.objects.filter(pk=results[student.pk].pk).update(escalation=escalation)
    category = rules.SOURCE_CATEGORY[scale]
    suggestions_record(
        actor=actor,
        semester=semester,
        items=[(s, category, scale, score.reason) for s, _a, score in scored if score.flagged],
        at=now,
    )


# --- office lists (signals) ---

SIGNAL_COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    # kind → [(key, header, required)]
    "aid": [("level", "认定等级", True)],
    "academic": [("failed", "不及格学分", True), ("gpa", "平均学分绩点", False)],
    "discipline": [("what", "处分", True), ("on", "日期", True)],
    "health": [("what", "情况", True)],
    "card": [("month", "月份", True), ("meals", "就餐次数", True), ("spend", "食堂消费", True)],
    "dorm": [("on", "日期", True), ("count", "次数", True)],
}

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?(?:[ T].*)?$")


def _date(value: str) -> date | None:
    m = _DATE.match(value.strip())
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def _month(value: str) -> str | None:
    m = _MONTH.match(value.strip())
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    return None


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def _int(value: str) -> int | None:
    number = _decimal(value)
    return int(number) if number is not None and number == int(number) else None


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
        failed = _decimal(cells["failed"])
        if failed is None:
            return "failed:" + _("不及格学分应为数字。")
        gpa = None
        if cells.get("gpa", "").strip():
            gpa = _decimal(cells["gpa"])
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
        on = _date(cells["on"])
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
        month, meals, spend = _month(cells["month"]), _int(cells["meals"]), _decimal(cells["spend"])
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
    on, count = _date(cells["on"]), _int(cells["count"])
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
    table = _read(data, filename, report)
    if table is None:
        return report
    wanted = SIGNAL_COLUMNS[kind]
    index: dict[str, int] = {}
    no_col = None
    for i, header in enumerate(table.header):
        h = _norm(header)
        if h in STUDENT_NO_HEADERS:
            no_col = i
        for key, name, _req in wanted:
            if h == _norm(name):
                index[key] = i
    if no_col is None:
        report.errors.append(RowError(1, "学号", _("缺少必填列“学号”。")))
    for key, name, required in wanted:
        if required and key not in index:
            report.errors.append(RowError(1, name, _("缺少必填列“%(h)s”。") % {"h": name}))
    if report.errors:
        return report
    students = _students(table, no_col, report)
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
        _audit_import(
            actor, "signal", {"kind": kind, "semester": semester.pk, "rows": report.scored, "flagged": report.flagged}
        )
    return report
