"""The figures of one unit (api.md, Assessment) from the loaded Data: counting in memory, no query but
the school's list of colleges for its share of ledgers on time."""

from datetime import date

from careledger.assessment.indicators.loading import CaseRow, Data
from careledger.assessment.indicators.units import Unit
from careledger.cases.categories import Category
from careledger.cases.models import RiskLevel
from careledger.escalations import rules as escalation_rules
from careledger.ledgers.models import LedgerStatus
from careledger.roster.models import College


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _is_open_on(case: CaseRow, day: date) -> bool:
    return case.opened_on <= day and (case.closed_on is None or case.closed_on > day)


def row(data: Data, unit: Unit) -> dict:
    """The unit's figures (api.md). From a ``cases_only`` Data, only the case counts; the rest are None."""
    students = unit.student_ids & data.students.keys()  # set operations in C: a school is 40,000 students
    cases = [data.cases[c] for c in unit.case_ids if c in data.cases]
    open_cases = [c for c in cases if _is_open_on(c, data.as_of)]
    by_category = {code: 0 for code in Category.values}
    by_risk = {code: 0 for code in RiskLevel.values}
    for c in open_cases:
        for code in data.categories.get(c.pk, ()):
            by_category[code] += 1
        level = data.risk.get(c.pk, c.risk_level)
        if level in by_risk:
            by_risk[level] += 1
    with_mentor = sum(1 for c in open_cases if c.pk in data.pairing_on_as_of)
    out = {
        "unit": {"level": unit.level, "id": unit.id, "name": unit.name},
        "students": len(students),
        "surveyed": None,
        "survey_coverage": None,
        "open_cases": len(open_cases),
        "cases_by_category": by_category,
        "cases_by_risk": by_risk,
        "with_mentor": with_mentor,
        "mentor_coverage": _rate(with_mentor, len(open_cases)),
        "windows_required": None,
        "windows_met": None,
        "compliance_rate": None,
        "overdue_cases": None,
        "escalations": None,
        "ack_minutes_median": None,
        "resolve_minutes_median": None,
        "ledger_on_time": None,
        "closed_improved": None,
        "effect_rating_avg": None,
        "suggestions_pending": None,
        "suggestions_confirmed": None,
        "suggestions_declined": None,
    }
    if not data.complete:
        return out
    surveyed = len(students & data.reviewed)
    required = met = overdue = 0
    for c in cases:
        case_required, case_met = data.windows.get(c.pk, (0, 0))
        required += case_required
        met += case_met
        if case_met < case_required and _is_open_on(c, data.as_of):
            overdue += 1
    case_set = {c.pk for c in cases}
    escalations = [e for e in data.escalations if e.case_id in case_set]
    acked = [e.acknowledged_at - e.created_at for e in escalations if e.acknowledged_at]
    resolved = [e.resolved_at - e.created_at for e in escalations if e.resolved_at]
    ratings = [data.ratings[c] for c in case_set if c in data.ratings]
    suggested = {"pending": 0, "confirmed": 0, "declined": 0}
    for s in students & data.suggestions.keys():  # the few students with suggestions, not every student
        for status, n in data.suggestions[s].items():
            if status in suggested:
                suggested[status] += n
    out.update(
        {
            "surveyed": surveyed,
            "survey_coverage": _rate(surveyed, len(students)),
            "windows_required": required,
            "windows_met": met,
            "compliance_rate": _rate(met, required),
            "overdue_cases": overdue,
            "escalations": len(escalations),
            "ack_minutes_median": escalation_rules.median_minutes(acked),
            "resolve_minutes_median": escalation_rules.median_minutes(resolved),
            "ledger_on_time": _ledger_on_time(data, unit),
            "closed_improved": len(case_set & data.improved),
            "effect_rating_avg": round(sum(ratings) / len(ratings), 2) if ratings else None,
            **{f"suggestions_{status}": n for status, n in suggested.items()},
        }
    )
    return out


def _college_on_time(data: Data, college_id: int) -> bool | None:
    ledger = data.ledgers.get(college_id)
    if ledger is not None and ledger.submitted_at is not None and ledger.status != LedgerStatus.DRAFT:
        return not ledger.late
    return False if data.today > data.semester.ledger_due else None


def _ledger_on_time(data: Data, unit: Unit) -> bool | float | None:
    if unit.level == "college":
        return _college_on_time(data, unit.id)
    if unit.level == "school":
        verdicts = [
            v
            for v in (_college_on_time(data, c) for c in College.objects.values_list("pk", flat=True))
            if v is not None
        ]
        return _rate(sum(verdicts), len(verdicts))
    return None
