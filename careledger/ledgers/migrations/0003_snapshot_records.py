"""Ledger snapshots and addenda rows: from rows keyed by the 附件1 headers (schema 1) to records with
stable English keys (schema 2, careledger/ledgers/records.py).

The conversion is frozen here (a later change to records.py must not change what this migration
does). Reversing writes schema-1 rows back, so a rollback leaves readable snapshots.
"""

from django.db import migrations

SUB_TABLE_COLUMNS = {
    "economic": ("家庭经济状况和存在问题",),
    "academic": ("学位课平均绩点学分、补课不及格课程和留级、休学情况",),
    "psych": ("问题类型、行为异常描述和危害性判断",),
    "internet": ("上网形式、旷课和学业情况和存在问题",),
    "physical": ("学生病史（重大疾病、遗传病或残疾等影响到学习生活的疾病）", "班主任核实情况"),
    "discipline": ("何时存在何种违纪行为和存在问题",),
    "other": ("存在问题",),
}
FIELDS = {
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
RECORD_KEYS = (
    "category",
    "case",
    "student_no",
    "risk",
    "name",
    "gender",
    "class_name",
    "dorm",
    "phone",
    "parent",
    "detail",
    "verification",
    "plan",
    "mentor",
    "effect",
    "note",
    "reported_on",
)


def row_to_record(category: str, row: dict) -> dict:
    if "category" in row:  # already a record
        return row
    record = dict.fromkeys(RECORD_KEYS, "")
    record.update(category=category, case=row.get("_case"), student_no=str(row.get("_student_no") or ""))
    record["risk"] = str(row.get("_risk") or "")
    for header, key in FIELDS.items():
        record[key] = str(row.get(header) or "")
    columns = SUB_TABLE_COLUMNS.get(category, ())
    if columns:
        record["detail"] = str(row.get(columns[0]) or "")
    if len(columns) > 1:
        record["verification"] = str(row.get(columns[1]) or "")
    return record


def record_to_row(record: dict) -> dict:
    if "category" not in record:
        return record
    row = {"_case": record.get("case"), "_student_no": record.get("student_no", ""), "_risk": record.get("risk", "")}
    for header, key in FIELDS.items():
        row[header] = record.get(key, "")
    columns = SUB_TABLE_COLUMNS.get(record["category"], ())
    if columns:
        row[columns[0]] = record.get("detail", "")
    if len(columns) > 1:
        row[columns[1]] = record.get("verification", "")
    return row


def snapshot_forward(snapshot: dict) -> dict:
    if not snapshot or snapshot.get("schema", 1) >= 2:
        return snapshot
    rows = snapshot.get("rows", {})
    return {
        "schema": 2,
        "generated_at": snapshot.get("generated_at", ""),
        "records": {c: [row_to_record(c, r) for r in found] for c, found in rows.items()},
    }


def snapshot_backward(snapshot: dict) -> dict:
    if not snapshot or snapshot.get("schema", 1) < 2:
        return snapshot
    records = snapshot.get("records", {})
    return {
        "generated_at": snapshot.get("generated_at", ""),
        "rows": {c: [record_to_row(r) for r in found] for c, found in records.items()},
    }


def forward(apps, schema_editor):
    Ledger = apps.get_model("ledgers", "Ledger")
    Addendum = apps.get_model("ledgers", "Addendum")
    for ledger in Ledger.objects.all().iterator():
        converted = snapshot_forward(ledger.snapshot)
        if converted != ledger.snapshot:
            ledger.snapshot = converted
            ledger.save(update_fields=["snapshot"])
    for addendum in Addendum.objects.iterator():
        if addendum.row and "category" not in addendum.row:
            addendum.row = row_to_record(addendum.category, addendum.row)
            addendum.save(update_fields=["row"])


def backward(apps, schema_editor):
    Ledger = apps.get_model("ledgers", "Ledger")
    Addendum = apps.get_model("ledgers", "Addendum")
    for ledger in Ledger.objects.all().iterator():
        converted = snapshot_backward(ledger.snapshot)
        if converted != ledger.snapshot:
            ledger.snapshot = converted
            ledger.save(update_fields=["snapshot"])
    for addendum in Addendum.objects.iterator():
        if addendum.row and "category" in addendum.row:
            addendum.row = record_to_row(addendum.row)
            addendum.save(update_fields=["row"])


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0002_encrypt_sensitive_columns")]

    operations = [migrations.RunPython(forward, backward)]
