"""Pure decisions about a ledger's state: frozen, overdue and the status the school's view shows.

The one home of these facts (they were spelt out in six places); no ORM, tested with tables in
ledgers/tests/test_rules.py.
"""

from datetime import date

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
