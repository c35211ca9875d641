"""The 附件1 rows of a college's ledger: one row per open case per category, keyed by the notice's headers.

A student in several categories appears in each of those sub-tables. The same rows feed the live
draft, the frozen snapshot at submission, the addenda and the .xlsx export.
"""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from careledger.cases.categories import SUB_TABLES, AcademicStatus, Category, HardshipLevel, ledger_headers
from careledger.cases.models import Case, CaseEffect, CaseStatus, CategoryEntry, Mentorship
from careledger.core.models import Semester


def _join(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def category_text(entry: CategoryEntry) -> str:
    """The category column: the free text, led by the structured facts that help (hardship level …)."""
    data = entry.data or {}
    facts: list[str] = []
    if entry.category == Category.ECONOMIC and data.get("hardship_level"):
        facts.append(str(HardshipLevel(data["hardship_level"]).label))
    elif entry.category == Category.ACADEMIC:
        if data.get("gpa"):
            facts.append(f"学位课平均绩点 {data['gpa']}")
        if data.get("failed_credits"):
            facts.append(f"不及格 {data['failed_credits']} 学分")
        if data.get("academic_status"):
            facts.append(str(AcademicStatus(data["academic_status"]).label))
    elif entry.category == Category.PSYCH:
        if data.get("problem_type"):
            facts.append(f"问题类型：{data['problem_type']}")
        if data.get("risk_judgement"):
            facts.append(f"危害性判断：{data['risk_judgement']}")
    elif entry.category == Category.PHYSICAL and data.get("history"):
        facts.append(data["history"])
    elif entry.category == Category.DISCIPLINE:
        facts += [data.get("occurred_on", ""), data.get("what", "")]
    elif entry.category == Category.OTHER and data.get("kind"):
        facts.append(data["kind"])
    return _join(*facts, entry.detail)


def _contact(name: str, phone: str) -> str:
    return f"{name} {phone}".strip()


def open_cases(college_id: int, semester: Semester | None) -> QuerySet[Case]:
    effects = CaseEffect.objects.filter(semester=semester) if semester else CaseEffect.objects.none()
    return (
        Case.objects.filter(student__college_id=college_id, status=CaseStatus.OPEN)
        .select_related("student__school_class", "student__dorm")
        .prefetch_related(
            "categories",
            Prefetch("effects", queryset=effects, to_attr="semester_effects"),
            Prefetch(
                "mentorships",
                queryset=Mentorship.objects.filter(ended_at__isnull=True).select_related("mentor"),
                to_attr="current_pairings",
            ),
        )
        .order_by("student__school_class__name", "student__student_no")
    )


def case_row(case: Case, entry: CategoryEntry) -> dict[str, str]:
    """One ledger row for ``case`` in ``entry``'s sub-table (序号 is numbered on export)."""
    student = case.student
    pairing = case.current_pairings[0] if getattr(case, "current_pairings", None) else None
    effect = case.semester_effects[0].text if getattr(case, "semester_effects", None) else ""
    row = {
        "_case": case.pk,
        "_student_no": student.student_no,
        "_risk": case.risk_level,
        "姓名": student.name,
        "性别": student.get_gender_display(),
        "班级": student.school_class.name,
        "所在寝室": student.dorm.name if student.dorm else "",
        "本人联系方式": student.phone,
        "家长姓名及联系方式": _contact(student.parent_name, student.parent_phone),
    }
    columns = SUB_TABLES[entry.category].columns
    row[columns[0]] = category_text(entry)
    if entry.category == Category.PHYSICAL:
        row[columns[1]] = entry.verification
    row["帮扶措施"] = case.plan
    row["帮扶人姓名及联系方式"] = _contact(pairing.mentor.name, pairing.mentor.phone) if pairing else ""
    row["帮扶效果"] = effect
    row["备注"] = case.note
    return row


def ledger_rows(cases: Iterable[Case], categories: Iterable[str] = Category.values) -> dict[str, list[dict[str, str]]]:
    """{category: [row, …]} for every category asked for, each in the notice's column order."""
    wanted = list(categories)
    out: dict[str, list[dict[str, str]]] = {c: [] for c in wanted}
    for case in cases:
        for entry in case.categories.all():
            if entry.category in out:
                out[entry.category].append(case_row(case, entry))
    return out


def headers(category: str) -> tuple[str, ...]:
    return ledger_headers(category)


# SEC-45: the columns of a row that carry case text or contacts; a reader outside the case's scope gets
# the row (the student is on the college's ledger) without them.
def text_columns(category: str) -> tuple[str, ...]:
    return (*SUB_TABLES[category].columns, "本人联系方式", "家长姓名及联系方式", "帮扶措施", "帮扶效果", "备注")


def for_reader(tables: dict[str, list[dict]], readable: set[int] | None) -> dict[str, list[dict]]:
    """``tables`` with the text columns emptied in the rows of cases outside ``readable`` (None: all
    readable) — ``readable`` comes from ``policy.ledger_text_case_ids``. Frozen snapshots too."""
    if readable is None:
        return tables
    out: dict[str, list[dict]] = {}
    for category, found in tables.items():
        hidden = text_columns(category)
        out[category] = [row if row.get("_case") in readable else {**row, **dict.fromkeys(hidden, "")} for row in found]
    return out
