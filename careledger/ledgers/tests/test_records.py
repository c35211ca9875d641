"""Ledger rows as records: stable English keys, schema-versioned snapshots, and the data migration that
converts the snapshots and addenda stored by the code of before (rows keyed by the 附件1 headers)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from careledger.cases.categories import Category, ledger_columns, ledger_headers
from careledger.ledgers import records, rows, selectors
from careledger.ledgers.models import Addendum, Ledger, LedgerStatus

# A schema-1 snapshot exactly as `ledger_submit` stored it before records (main at b1f1b9f): rows keyed
# by the notice's headers plus "_case", "_student_no" and "_risk".
LEGACY_PHYSICAL = {
    "_case": 7,
    "_student_no": "202301010001",
    "_risk": "high",
    "姓名": "张三丰",
    "性别": "男",
    "班级": "2023级汉语言文学1班",
    "所在寝室": "东区12栋305",
    "本人联系方式": "13812345678",
    "家长姓名及联系方式": "张父 13700000000",
    "学生病史（重大疾病、遗传病或残疾等影响到学习生活的疾病）": "先天性心脏病",
    "班主任核实情况": "已核实病历",
    "帮扶措施": "每周谈心",
    "帮扶人姓名及联系方式": "李老师 13900000000",
    "帮扶效果": "情绪稳定",
    "备注": "",
}
LEGACY_ECONOMIC = {
    **{k: v for k, v in LEGACY_PHYSICAL.items() if k not in ("班主任核实情况",) and not k.startswith("学生病史")},
    "家庭经济状况和存在问题": "特别困难；单亲家庭",
}
LEGACY_SNAPSHOT = {
    "generated_at": "2026-09-10T10:00:00+08:00",
    "rows": {"economic": [LEGACY_ECONOMIC], "physical": [LEGACY_PHYSICAL], "psych": []},
}
LEGACY_ADDENDUM_ROW = {**LEGACY_ECONOMIC, "_case": 8, "_student_no": "202301010002", "姓名": "李四"}


def test_columns_map_every_header_of_the_notice_to_a_record_field():
    for category in Category.values:
        columns = ledger_columns(category)
        assert tuple(h for h, _f in columns) == ledger_headers(category)
        assert all(f == "serial" or hasattr(records.LedgerRecord(category=category), f) for _h, f in columns)


def test_a_legacy_snapshot_reads_as_records_and_converts_to_schema_2():
    tables = records.load_snapshot(LEGACY_SNAPSHOT)
    (physical,) = tables["physical"]
    assert physical == records.LedgerRecord(
        category="physical",
        case=7,
        student_no="202301010001",
        risk="high",
        name="张三丰",
        gender="男",
        class_name="2023级汉语言文学1班",
        dorm="东区12栋305",
        phone="13812345678",
        parent="张父 13700000000",
        detail="先天性心脏病",
        verification="已核实病历",
        plan="每周谈心",
        mentor="李老师 13900000000",
        effect="情绪稳定",
        note="",
    )
    assert tables["economic"][0].detail == "特别困难；单亲家庭" and tables["psych"] == []
    converted = records.convert_snapshot(LEGACY_SNAPSHOT)
    assert converted["schema"] == records.SCHEMA_VERSION == 2
    assert records.load_snapshot(converted) == tables
    assert records.convert_snapshot(converted) is converted  # idempotent


def test_a_record_ignores_keys_of_a_later_schema():
    stored = {**records.LedgerRecord(category="other", name="王").to_dict(), "new_field": "x"}
    assert records.LedgerRecord.from_dict(stored).name == "王"


@pytest.mark.django_db(transaction=True)
def test_migration_0003_converts_snapshots_and_addenda_stored_by_the_code_of_before(school):
    from tests.support.testing import make_case, make_semester

    semester = make_semester(school)
    case = make_case(school, "zhang")
    executor = MigrationExecutor(connection)
    before = [("ledgers", "0002_encrypt_sensitive_columns")]
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        ledger = old.get_model("ledgers", "Ledger").objects.create(
            semester_id=semester.pk,
            college_id=school.wenxue.pk,
            created_by_id=school.carol.pk,
            status="submitted",
            snapshot=LEGACY_SNAPSHOT,
        )
        old.get_model("ledgers", "Addendum").objects.create(
            ledger=ledger,
            case_id=case.pk,
            category="economic",
            kind="new_case",
            row=LEGACY_ADDENDUM_ROW,
            reported_by_id=school.carol.pk,
        )
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        stored = Ledger.objects.get(pk=ledger.pk)
        assert stored.snapshot["schema"] == 2 and set(stored.snapshot) == {"schema", "generated_at", "records"}
        assert stored.snapshot["records"]["physical"][0]["verification"] == "已核实病历"
        addendum = Addendum.objects.get()
        assert addendum.row["name"] == "李四" and addendum.row["category"] == "economic"
        # The converted snapshot reads as the legacy one did.
        assert (
            rows.ledger_tables(stored, list(Category.values))["physical"]
            == records.load_snapshot(LEGACY_SNAPSHOT)["physical"]
        )
        # And back: unapplying writes schema-1 rows again.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        executor = MigrationExecutor(connection)
        old = executor.loader.project_state(before).apps
        back = old.get_model("ledgers", "Ledger").objects.get(pk=ledger.pk).snapshot
        assert back["rows"]["physical"][0] == LEGACY_PHYSICAL
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_compare_semesters_reads_records_of_either_schema(school):
    from careledger.core.models import Semester
    from tests.support.testing import make_semester

    after = make_semester(school)
    before = Semester.objects.create(
        name="2025-2026学年第二学期", start=date(2026, 3, 1), end=date(2026, 8, 31), ledger_due=date(2026, 3, 19)
    )
    Ledger.objects.create(
        semester=before,
        college=school.wenxue,
        created_by=school.carol,
        status=LedgerStatus.ACCEPTED,
        snapshot=LEGACY_SNAPSHOT,
    )
    now = records.LedgerRecord(category="economic", case=7, student_no="202301010001", risk="high", name="张三丰")
    Ledger.objects.create(
        semester=after,
        college=school.wenxue,
        created_by=school.carol,
        status=LedgerStatus.SUBMITTED,
        snapshot=records.make_snapshot("2026-09-19T10:00:00+08:00", {"economic": [now]}),
    )
    result = selectors.compare_semesters(school.alice, school.wenxue, before, after)
    assert result.new == [] and result.closed == []
    assert result.changed == [
        {
            "student": "202301010001",
            "name": "张三丰",
            "added": [],
            "removed": ["physical"],
            "risk_before": "high",
            "risk_after": "high",
        }
    ]
