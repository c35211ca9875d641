"""Uploaded tables (.xlsx and .csv), read safely, and the pieces every importer shares.

- ``reading``: the file to a ``Table`` (zip-bomb and DTD pre-flight, calamine, CSV in UTF-8 or GB18030);
- ``columns``: ``Column`` and ``match_columns`` (a known column by its Chinese header or an English alias);
- ``report``: ``RowError`` (row, column, message) and ``ImportReport`` (the counts of an all-or-nothing import);
- ``cells``: a cell's text to a date, a month, a number.

What a roster, a staff list or a screening file *means* stays with its app (roster/, accounts/, evidence/).
"""

from careledger.core.tabular.cells import parse_date, parse_decimal, parse_month, parse_whole
from careledger.core.tabular.columns import Column, match_columns, norm_header
from careledger.core.tabular.reading import (
    MAX_COLUMNS,
    MAX_GRID_CELLS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED,
    MAX_ZIP_ENTRIES,
    Table,
    TableError,
    check_size,
    decode_text,
    read_table,
)
from careledger.core.tabular.report import ImportReport, RowError

__all__ = [
    "MAX_COLUMNS",
    "MAX_GRID_CELLS",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED",
    "MAX_ZIP_ENTRIES",
    "Column",
    "ImportReport",
    "RowError",
    "Table",
    "TableError",
    "check_size",
    "decode_text",
    "match_columns",
    "norm_header",
    "parse_date",
    "parse_decimal",
    "parse_month",
    "parse_whole",
    "read_table",
]
