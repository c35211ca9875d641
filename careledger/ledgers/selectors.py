"""Reads for the survey, the ledgers and the school's view; scoped by the access policy."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from careledger.accounts import policy
from careledger.accounts.models import User
from careledger.cases.models import Case, CaseStatus, CategoryEntry, Mentorship
from careledger.cases.selectors import calendars, only_overdue
from careledger.core import clock
from careledger.core.models import Semester
from careledger.evidence.selectors import pending_students
from careledger.ledgers import rows, rules
from careledger.ledgers.models import Addendum, Ledger, SurveyReview
from careledger.roster.models import College, SchoolClass, Student


def ledger_case_files(*, actor: User, ledger: Ledger) -> policy.CaseFiles:
    """Which of the ledger's case files ``actor`` may download now, and which after stating a reason."""
    return policy.ledger_case_files(actor, ledger, rows.ledger_case_ids(ledger))


def display_status(ledger: Ledger | None, semester: Semester) -> str:
    """not_started, draft, submitted, late, returned, accepted — what the school's view shows."""
    return rules.display_status(ledger.status if ledger else None, late=bool(ledger and ledger.late))


@dataclass
class Progress:
    """Survey progress: reviewed of active students."""

    label: str
    students: int = 0
    reviewed: int = 0
    key: object = None
    pending: int = 0  # students with an evidence suggestion still pending (issue 16)

    @property
    def rate(self) -> float | None:
        return self.reviewed / self.students if self.students else None


def surveyed_ids(semester: Semester):
    """Students whose survey is done (a subquery): reviewed, and no evidence suggestion left pending
    (evidence, issue 16 — a survey is not complete while suggestions are pending)."""
    return (
        SurveyReview.objects.filter(semester=semester)
        .exclude(student_id__in=pending_students(semester))
        .values("student_id")
    )


def survey_progress(user, semester: Semester, by: str = "college") -> list[Progress]:
    """Progress grouped by college or by class, over the students ``user`` may see."""
    field_name = {"college": "college", "class": "school_class"}[by]
    reviewed_ids = surveyed_ids(semester)
    rows = (
        policy.students_for(user)
        .filter(is_active=True)
        .values(field_name)
        .annotate(
            students=Count("pk"),
            reviewed=Count("pk", filter=Q(pk__in=reviewed_ids)),
            pending=Count("pk", filter=Q(pk__in=pending_students(semester))),
        )
        .order_by(field_name)
    )
    model = College if by == "college" else SchoolClass
    names = dict(model.objects.filter(pk__in=[r[field_name] for r in rows]).values_list("pk", "name"))
    return [Progress(names[r[field_name]], r["students"], r["reviewed"], r[field_name], r["pending"]) for r in rows]


def unreviewed(user, semester: Semester) -> QuerySet[Student]:
    reviewed_ids = surveyed_ids(semester)
    return (
        policy.students_for(user)
        .filter(is_active=True)
        .exclude(pk__in=reviewed_ids)
        .select_related("school_class", "college", "dorm")
        .order_by("school_class__name", "student_no")
    )


def survey_students(user, semester: Semester, *, todo_only: bool) -> QuerySet[Student]:
    """The active students of ``user``'s scope with this semester's outcome (``review_outcome``, None if not yet)."""
    outcome = SurveyReview.objects.filter(semester=semester, student=OuterRef("pk")).values("outcome")[:1]
    qs = (
        policy.students_for(user)
        .filter(is_active=True)
        .annotate(review_outcome=Subquery(outcome))
        .select_related("school_class", "college", "dorm")
        .order_by("school_class__name", "student_no")
    )
    return qs.filter(review_outcome__isnull=True) if todo_only else qs


@dataclass
class CollegeRow:
    college: College
    ledger: Ledger | None
    status: str
    overdue: bool
    by_category: dict[str, int] = field(default_factory=dict)
    open_cases: int = 0
    students: int = 0
    reviewed: int = 0
    addenda: int = 0


def school_overview(user, semester: Semester) -> list[CollegeRow]:
    """Every college: ledger status, open cases per category, survey progress, addenda (5 queries)."""
    categories = policy.ledger_categories_for(user)
    ledgers = {x.college_id: x for x in policy.ledgers_for(user).filter(semester=semester)}
    counts: dict[int, dict[str, int]] = {}
    for row in (
        CategoryEntry.objects.filter(case__status=CaseStatus.OPEN, category__in=categories)
        .values("case__student__college_id", "category")
        .annotate(n=Count("case_id", distinct=True))
    ):
        counts.setdefault(row["case__student__college_id"], {})[row["category"]] = row["n"]
    open_cases = dict(
        Case.objects.filter(status=CaseStatus.OPEN, categories__category__in=categories)
        .values("student__college_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("student__college_id", "n")
    )
    reviewed_ids = surveyed_ids(semester)
    survey = {
        r["college_id"]: r
        for r in Student.objects.filter(is_active=True)
        .values("college_id")
        .annotate(students=Count("pk"), reviewed=Count("pk", filter=Q(pk__in=reviewed_ids)))
    }
    addenda = dict(
        Addendum.objects.filter(ledger__semester=semester, category__in=categories)
        .values("ledger__college_id")
        .annotate(n=Count("pk"))
        .values_list("ledger__college_id", "n")
    )
    today = clock.today()
    out = []
    for college in College.objects.order_by("name"):
        ledger = ledgers.get(college.pk)
        out.append(
            CollegeRow(
                college=college,
                ledger=ledger,
                status=display_status(ledger, semester),
                overdue=rules.is_overdue(ledger.status if ledger else None, due=semester.ledger_due, today=today),
                by_category={c: counts.get(college.pk, {}).get(c, 0) for c in categories},
                open_cases=open_cases.get(college.pk, 0),
                students=survey.get(college.pk, {}).get("students", 0),
                reviewed=survey.get(college.pk, {}).get("reviewed", 0),
                addenda=addenda.get(college.pk, 0),
            )
        )
    return out


def addenda_for(user, semester: Semester) -> QuerySet[Addendum]:
    categories = policy.ledger_categories_for(user)
    return (
        Addendum.objects.filter(ledger__in=policy.ledgers_for(user), ledger__semester=semester, category__in=categories)
        .select_related("ledger__college", "case__student", "reported_by")
        .order_by("-reported_at", "-id")
    )


@dataclass
class Comparison:
    new: list[dict]
    closed: list[dict]
    changed: list[dict]


def _state(ledger: Ledger | None, college: College, semester: Semester, categories: list[str]) -> dict[str, dict]:
    """student_no → {"name", "categories": set, "case", "risk"} for a semester: the snapshot, else live cases."""
    ledger = ledger or Ledger(semester=semester, college=college)
    state: dict[str, dict] = {}
    for category, records in rows.ledger_tables(ledger, categories).items():
        for record in records:
            entry = state.setdefault(
                record.student_no,
                {"name": record.name, "categories": set(), "case": record.case, "risk": record.risk or None},
            )
            entry["categories"].add(category)
    return state


def compare_semesters(user, college: College, before: Semester, after: Semester) -> Comparison:
    """Per college: students new to the ledger, no longer on it, and with changed categories or risk."""
    ledgers = {x.semester_id: x for x in policy.ledgers_for(user).filter(college=college, semester__in=[before, after])}
    categories = policy.ledger_categories_for(user)  # a section compares only its own categories
    old = _state(ledgers.get(before.pk), college, before, categories)
    new = _state(ledgers.get(after.pk), college, after, categories)
    changed = []
    for no in sorted(old.keys() & new.keys()):
        a, b = old[no], new[no]
        if a["categories"] != b["categories"] or a["risk"] != b["risk"]:
            changed.append(
                {
                    "student": no,
                    "name": b["name"],
                    "added": sorted(b["categories"] - a["categories"]),
                    "removed": sorted(a["categories"] - b["categories"]),
                    "risk_before": a["risk"],
                    "risk_after": b["risk"],
                }
            )
    return Comparison(
        new=[
            {"student": no, "name": new[no]["name"], "categories": sorted(new[no]["categories"])}
            for no in sorted(new.keys() - old.keys())
        ],
        closed=[
            {"student": no, "name": old[no]["name"], "categories": sorted(old[no]["categories"])}
            for no in sorted(old.keys() - new.keys())
        ],
        changed=changed,
    )


# --- signing (issue 14): what the signer is warned about before the ledger goes to 学工处 ---


def submission_warnings(ledger: Ledger) -> list:
    """The college's survey coverage, open cases without a mentor and overdue cases, as rules decide
    (college-wide figures: the signer answers for the whole college). Counted in SQL (perf, issue 13):
    overdue is an ended, unmet window of the maintained compliance table."""
    semester = ledger.semester
    students = Student.objects.filter(is_active=True, college_id=ledger.college_id)
    reviewed = SurveyReview.objects.filter(semester=semester, student__in=students).count()
    open_cases = Case.objects.filter(status=CaseStatus.OPEN, student__college_id=ledger.college_id).order_by()
    paired = Exists(Mentorship.objects.current().filter(case=OuterRef("pk")))
    cal = next((c for s, c in calendars() if s.pk == semester.pk), None)
    return rules.submission_warnings(
        students=students.count(),
        reviewed=reviewed,
        open_cases=open_cases.count(),
        unpaired=open_cases.exclude(paired).count(),
        overdue=only_overdue(open_cases, cal).count() if cal else 0,
    )
