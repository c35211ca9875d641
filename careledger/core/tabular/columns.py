"""Finding an importer's columns in a table's header: by the Chinese header or an English alias, any case."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from careledger.core.tabular.reading import Table
from careledger.core.tabular.report import RowError


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header, as the template writes it
    aliases: tuple[str, ...] = ()
    required: bool = False


def norm_header(value: str) -> str:
    """A header as compared: no spaces, underscores or required-marks (*, ＊), lower case."""
    return re.sub(r"[\s_*＊]", "", value).lower()


def match_columns(table: Table, columns: list[Column]) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Map each known column to its index, by its Chinese header or an English alias (any case).

    Returns (index by key, header as written by key, header errors).
    """
    lookup: dict[str, Column] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            lookup[norm_header(name)] = col
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    errors: list[RowError] = []
    for i, raw in enumerate(table.header):
        col = lookup.get(norm_header(raw))
        if col is None:
            continue  # extra columns (民族, 政治面貌 …) are allowed and ignored
        if col.key in index:
            errors.append(RowError(1, raw, _("列重复：%(h)s") % {"h": raw}))
            continue
        index[col.key] = i
        written[col.key] = raw
    for col in columns:
        if col.required and col.key not in index:
            errors.append(RowError(1, col.header, _("缺少必填列“%(h)s”。") % {"h": col.header}))
    return index, written, errors
