"""What an all-or-nothing import answers: its counts, or the rows it refused (row, column, message)."""

from dataclasses import dataclass, field


@dataclass
class RowError:
    row: int  # the spreadsheet's row number (1 = the header; 0 = the file as a whole)
    column: str  # the header as the file wrote it
    message: str


@dataclass
class ImportReport:
    """The counts of an upsert import (a dry run counts what it would do), or its errors."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "dry_run": self.dry_run,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
            **self.more(),
            **self.extra,
        }

    def more(self) -> dict:
        """What an importer adds to the answer before ``extra`` (none here; see roster's RosterReport)."""
        return {}
