"""Screening import (UPI, SCL-90, PHQ-9, GAD-7): score every row; flagged results become suggestions, and an
immediate-danger answer raises an urgent escalation once per student, scale and semester."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.core import clock
from careledger.core.models import Semester
from careledger.core.tabular import RowError, norm_header
from careledger.escalations.models import Department
from careledger.escalations.services import escalation_from_screening
from careledger.evidence import rules, scales
from careledger.evidence.import_common import (
    MAX_ERRORS,
    STUDENT_NO_HEADERS,
    EvidenceReport,
    audit_import,
    read_or_report,
    students_by_row,
)
from careledger.evidence.models import SOURCE_LABELS, Scale, ScreeningResult
from careledger.evidence.services import counselors_of, suggestions_record
from careledger.roster.models import Student


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
    table = read_or_report(data, filename, report)
    if table is None:
        return report
    cfg = scales.ScaleSettings.from_django()
    no_col, items = None, {}
    for i, header in enumerate(table.header):
        h = norm_header(header)
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
    students = students_by_row(table, no_col, report)
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
        audit_import(
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
