"""What the ledger pages share: the colleges a keeper keeps, addenda as listed, the semester asked for."""

from dataclasses import dataclass

from careledger.accounts import policy
from careledger.cases.categories import Category
from careledger.core import clock
from careledger.core.models import Semester, mark_current
from careledger.ledgers import rules
from careledger.ledgers.models import Ledger
from careledger.roster.models import College

ADDENDA_SHOWN = 50


def int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def kept_colleges(user) -> list[College]:
    """The colleges whose ledger ``user`` keeps (counselor, college_admin): the policy decides."""
    return list(policy.kept_colleges(user).order_by("name"))


def labels(codes: list[str]) -> list[str]:
    return [str(Category(c).label) if c in Category.values else c for c in codes]


@dataclass
class AddendumRow:
    addendum: object
    category: str  # the category's label


def addenda_rows(queryset, limit: int | None = None) -> list[AddendumRow]:
    items = queryset[:limit] if limit else queryset
    return [AddendumRow(a, labels([a.category])[0]) for a in items]


def is_overdue(ledger: Ledger | None, semester: Semester) -> bool:
    """Not yet reported (no ledger, a draft or a returned one) after the due date."""
    return rules.is_overdue(ledger.status if ledger else None, due=semester.ledger_due, today=clock.today())


def semester_from(semesters: list[Semester], value: str | None) -> Semester | None:
    """The semester asked for by pk, else the current one, else the latest."""
    wanted = int_or_none(value)
    current = mark_current(semesters)
    if wanted is not None:
        return next((s for s in semesters if s.pk == wanted), None)
    return current or (semesters[0] if semesters else None)
