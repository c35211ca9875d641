"""Screening and office-list imports: all or nothing, like the roster import.

The file is read with core.tabular (safe .xlsx, CSV in UTF-8 or GB18030) and checked whole first; any
bad row gives a report (row, column, message) and nothing is written. A good file is applied in one
transaction. ``screening_import`` and ``signal_import`` are plain functions a background job can call.

The screening import is evidence/import_screening.py, the office lists evidence/import_signals.py, and what
both share (the report, the 学号 column, the audit row) evidence/import_common.py.
"""

from careledger.core.tabular import RowError
from careledger.evidence.import_common import MAX_ERRORS, STUDENT_NO_HEADERS, EvidenceReport
from careledger.evidence.import_screening import screening_import
from careledger.evidence.import_signals import SIGNAL_COLUMNS, signal_import

__all__ = [
    "MAX_ERRORS",
    "SIGNAL_COLUMNS",
    "STUDENT_NO_HEADERS",
    "EvidenceReport",
    "RowError",
    "screening_import",
    "signal_import",
]
