"""Ledger rows as records: one typed row per open case per category, with stable English keys.

The 附件1 column headers are display only: `careledger.cases.categories.ledger_columns` maps each header
to a record field, and only the exporters and the templates render them. Snapshots and addenda store
`LedgerRecord.to_dict()` under a schema version; `load_snapshot` also reads the schema-1 snapshots of
before (rows keyed by the Chinese headers), which migration 0003 converts.
"""

from dataclasses import asdict, dataclass, fields
from typing import Any

from careledger.cases.categories import SUB_TABLES, Category

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class LedgerRecord:
    category: str
    case: int | None = None
    student_no: str = ""
    risk: str = ""
    name: str = ""
    gender: str = ""
    class_name: str = ""
    dorm: str = ""
    phone: str = ""
    parent: str = ""  # 家长姓名及联系方式: name and phone
    detail: str = ""  # the category column: structured facts, then the free text
    verification: str = ""  # 班主任核实情况 (生理缺陷 only)
    plan: str = ""
    mentor: str = ""  # 帮扶人姓名及联系方式: name and phone
    effect: str = ""
    note: str = ""
    reported_on: str = ""  # ISO date of a 随时上报 (addenda only)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LedgerRecord":
        """A record from its stored form; unknown keys are ignored so a later schema still loads."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def value(self, field_name: str) -> str:
        value = getattr(self, field_name)
        return "" if value is None else str(value)


# --- schema 1 (rows keyed by the notice's headers) → records ---

_LEGACY_FIELDS = {
    "姓名": "name",
    "性别": "gender",
    "班级": "class_name",
    "所在寝室": "dorm",
    "本人联系方式": "phone",
    "家长姓名及联系方式": "parent",
    "帮扶措施": "plan",
    "帮扶人姓名及联系方式": "mentor",
    "帮扶效果": "effect",
    "备注": "note",
}


def from_legacy_row(category: str, row: dict[str, Any]) -> LedgerRecord:
    """A schema-1 row ({header: value, "_case", "_student_no", "_risk"}) as a record."""
    values: dict[str, Any] = {_LEGACY_FIELDS[k]: str(v or "") for k, v in row.items() if k in _LEGACY_FIELDS}
    columns = SUB_TABLES[category].columns if category in SUB_TABLES else ()
    if columns:
        values["detail"] = str(row.get(columns[0]) or "")
    if len(columns) > 1:
        values["verification"] = str(row.get(columns[1]) or "")
    return LedgerRecord(
        category=category,
        case=row.get("_case"),
        student_no=str(row.get("_student_no") or ""),
        risk=str(row.get("_risk") or ""),
        **values,
    )


def is_legacy_row(row: dict[str, Any]) -> bool:
    return "category" not in row


def record_from_stored(category: str, row: dict[str, Any]) -> LedgerRecord:
    return from_legacy_row(category, row) if is_legacy_row(row) else LedgerRecord.from_dict(row)


def make_snapshot(generated_at: str, tables: dict[str, list[LedgerRecord]]) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": generated_at,
        "records": {c: [r.to_dict() for r in rs] for c, rs in tables.items()},
    }


def stored_rows(snapshot: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """{category: [stored row, …]} of a snapshot of any schema, as stored (no record built)."""
    snapshot = snapshot or {}
    stored = snapshot.get("records", {}) if snapshot.get("schema", 1) >= 2 else snapshot.get("rows", {})
    return {c: rows for c, rows in stored.items() if c in Category.values}


def stored_case(row: dict[str, Any]) -> int | None:
    """The case of a stored row of any schema (without building its record)."""
    return row.get("_case") if is_legacy_row(row) else row.get("case")


def load_snapshot(snapshot: dict[str, Any] | None) -> dict[str, list[LedgerRecord]]:
    """{category: [record, …]} from a stored snapshot of any schema."""
    return {c: [record_from_stored(c, row) for row in rows] for c, rows in stored_rows(snapshot).items()}


def convert_snapshot(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """A schema-1 snapshot rewritten as schema 2 (what migration 0003 stores); others unchanged."""
    if not snapshot or snapshot.get("schema", 1) >= 2:
        return snapshot
    return make_snapshot(snapshot.get("generated_at", ""), load_snapshot(snapshot))
