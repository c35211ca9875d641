"""The college ledger (台账), the school's view (全校台账) and the semester comparison, one module per page
(the survey is in ``survey_views``). The official downloads (附件1 workbook, 附件2 case files) call the
exporters and may start a background job, so they live a layer up, in ``careledger/web/ledger_downloads.py``,
under the same URL names (``ledgers:export`` …)."""

from careledger.ledgers.views.compare import compare
from careledger.ledgers.views.ledger_page import (
    ledger_accept,
    ledger_detail,
    ledger_index,
    ledger_open,
    ledger_return,
    ledger_submit,
)
from careledger.ledgers.views.ledger_table import LEDGER_ROWS_PER_PAGE, PHONE_COLUMNS, Table
from careledger.ledgers.views.school import school

__all__ = [
    "LEDGER_ROWS_PER_PAGE",
    "PHONE_COLUMNS",
    "Table",
    "compare",
    "ledger_accept",
    "ledger_detail",
    "ledger_index",
    "ledger_open",
    "ledger_return",
    "ledger_submit",
    "school",
]
