"""Pure decisions about a ledger's state: frozen, overdue and the status the school's view shows; what a
submission must warn about before it is sent.

The one home of these facts (they were spelt out in six places); no ORM, tested with tables in
ledgers/tests/test_rules.py.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from careledger.ledgers.models import LedgerStatus

# Reported ledgers: their rows are frozen into the snapshot (and the college may no longer change them).
FROZEN: frozenset[str] = frozenset({LedgerStatus.SUBMITTED, LedgerStatus.ACCEPTED})


def is_frozen(status: str | None) -> bool:
    """A submitted or accepted ledger shows its snapshot; a draft or returned one (or none) is live."""
    return status in FROZEN


def is_overdue(status: str | None, *, due: date, today: date) -> bool:
    """Not yet reported (no ledger, a draft or a returned one) after the due date."""
    return not is_frozen(status) and today > due


def display_status(status: str | None, *, late: bool) -> str:
    """not_started, draft, submitted, late, returned, accepted — what the school's view shows.
    (Overdue drafts are flagged by ``is_overdue`` beside it.)"""
    if status is None:
        return "not_started"
    if status == LedgerStatus.SUBMITTED and late:
        return "late"
    return str(status)


@dataclass(frozen=True)
class SubmitWarning:
    """Something the signer must see, with its numbers, before the ledger goes to 学工处."""

    code: str  # survey | unpaired | overdue
    count: int
    total: int
    message: str


def submission_warnings(
    *, students: int, reviewed: int, open_cases: int, unpaired: int, overdue: int
) -> list[SubmitWarning]:
    """Survey coverage below 100 %, open cases without a mentor, cases with an unmet ended window."""
    out: list[SubmitWarning] = []
    if students and reviewed < students:
        percent = int(reviewed * 100 / students)  # floor: 99.9 % is not "100 %"
        out.append(
            SubmitWarning(
                "survey",
                students - reviewed,
                students,
                _("摸排覆盖率 %(percent)s%%：%(students)s 名在校学生中还有 %(left)s 名未摸排。")
                % {"percent": percent, "students": students, "left": students - reviewed},
            )
        )
    if unpaired:
        out.append(
            SubmitWarning(
                "unpaired",
                unpaired,
                open_cases,
                _("%(total)s 份在档档案中有 %(n)s 份没有帮扶导师。") % {"total": open_cases, "n": unpaired},
            )
        )
    if overdue:
        out.append(
            SubmitWarning(
                "overdue",
                overdue,
                open_cases,
                _("%(total)s 份在档档案中有 %(n)s 份谈心或走访逾期未完成。") % {"total": open_cases, "n": overdue},
            )
        )
    return out
