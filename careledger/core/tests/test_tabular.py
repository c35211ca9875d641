"""The generic pieces every importer shares (core/tabular/): cells, columns and the report."""

from datetime import date
from decimal import Decimal

import pytest

from careledger.core.tabular import (
    Column,
    ImportReport,
    RowError,
    Table,
    match_columns,
    norm_header,
    parse_date,
    parse_decimal,
    parse_month,
    parse_whole,
)
from careledger.roster.importers import SYNC, UPSERT, RosterReport


@pytest.mark.parametrize(
    ("text", "plain", "with_time"),
    [
        ("2024-03-01", date(2024, 3, 1), date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1), date(2024, 3, 1)),
        ("2024.3.1", date(2024, 3, 1), date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1), date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1), None),  # the compact form is a roster's, not an office list's
        ("2024-03-01 08:30:00", None, date(2024, 3, 1)),  # a date-time cell: only where a time may follow
        ("2024-03-01T08:30", None, date(2024, 3, 1)),
        ("2024-02-30", None, None),
        ("20241301", None, None),
        ("3/1/2024", None, None),
        ("", None, None),
    ],
)
def test_parse_date(text, plain, with_time):
    assert parse_date(text) == plain
    assert parse_date(text, with_time=True) == with_time


@pytest.mark.parametrize(
    ("text", "month"),
    [("2024-03", "2024-03"), ("2024年3月", "2024-03"), (" 2024/3/15 ", "2024-03"), ("2024-13", None), ("三月", None)],
)
def test_parse_month(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize(
    ("text", "number", "whole"),
    [
        ("3", Decimal(3), 3),
        (" 3.0 ", Decimal("3.0"), 3),
        ("2.5", Decimal("2.5"), None),
        ("0", Decimal(0), 0),
        ("-1", None, None),
        ("NaN", None, None),
        ("Infinity", None, None),
        ("", None, None),
        ("三", None, None),
    ],
)
def test_parse_numbers(text, number, whole):
    assert parse_decimal(text) == number
    assert parse_whole(text) == whole


COLUMNS = [Column("no", "学号", ("student_no",), required=True), Column("name", "姓名", ("name",))]


def test_match_columns_by_header_or_alias_any_case_and_marks():
    assert norm_header(" Student_No* ") == "studentno"
    table = Table(header=["民族", "STUDENT NO＊", "姓名"], rows=[])
    index, written, errors = match_columns(table, COLUMNS)
    assert index == {"no": 1, "name": 2}
    assert written == {"no": "STUDENT NO＊", "name": "姓名"}
    assert errors == []


def test_match_columns_reports_a_repeated_and_a_missing_column():
    _index, _written, errors = match_columns(Table(header=["姓名", "name"], rows=[]), COLUMNS)
    assert [(e.row, e.column) for e in errors] == [(1, "name"), (1, "学号")]
    assert "name" in errors[0].message and "学号" in errors[1].message


def test_import_report_answers_counts_then_errors_then_extra():
    report = ImportReport(created=2, errors=[RowError(3, "学号", "x")], extra={"initial_passwords": []})
    assert not report.ok
    assert report.as_dict() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "dry_run": False,
        "errors": [{"row": 3, "column": "学号", "message": "x"}],
        "initial_passwords": [],
    }
    assert ImportReport().ok


def test_a_roster_report_names_who_leaves_only_for_a_sync_import():
    leaving = [{"student_no": "1", "name": "甲", "college": "文学院"}]
    assert "mode" not in RosterReport(mode=UPSERT, deactivated_students=leaving).as_dict()
    answer = RosterReport(mode=SYNC, deactivated=1, deactivated_students=leaving).as_dict()
    assert list(answer)[-2:] == ["mode", "deactivated_students"]
    assert answer["mode"] == SYNC and answer["deactivated_students"] == leaving
