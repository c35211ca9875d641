"""A roster file's columns and rows, checked (the roster import, roster/importers.py, step 1).

Every row is checked, and every problem reported as (row, column, message); nothing here writes. The checks of a
single value (学号 pattern, phone, 身份证号, grade) are roster/rules.py; the generic pieces (Column,
match_columns, RowError, parse_date) are core/tabular/.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.core import clock
from careledger.core.tabular import Column, RowError, Table, parse_date
from careledger.roster import rules
from careledger.roster.models import EnrolmentStatus, Gender
from careledger.roster.services import status_since_error

ROSTER_COLUMNS = [
    Column("student_no", "学号", ("student_no", "studentno", "student_id", "xh"), required=True),
    Column("name", "姓名", ("name", "xm"), required=True),
    Column("gender", "性别", ("gender", "sex", "xb"), required=True),
    Column("college", "学院", ("college", "school", "faculty"), required=True),
    Column("major", "专业", ("major",)),
    Column("grade", "年级", ("grade", "nj"), required=True),
    Column("school_class", "班级", ("class", "class_name", "bj"), required=True),
    Column("dorm", "寝室", ("dorm", "room", "寝室号")),
    Column("phone", "联系方式", ("phone", "mobile", "手机", "手机号", "联系电话")),
    Column("parent_name", "家长姓名", ("parent_name", "guardian")),
    Column("parent_phone", "家长联系方式", ("parent_phone", "guardian_phone", "家长电话")),
    Column("birth_date", "出生日期", ("birth_date", "birthday", "dob")),
    Column("native_place", "籍贯", ("native_place", "hometown", "jg")),
    Column("id_number", "身份证号", ("id_number", "id_card", "sfzh", "身份证号码")),
    Column("status", "学籍状态", ("status", "enrolment_status", "enrollment_status", "xjzt")),
    Column("status_since", "状态日期", ("status_since", "status_date", "since")),
]

# 学籍状态 as written in a roster (blank = 在校); English codes accepted too.
_STATUSES = {
    "在校": EnrolmentStatus.ENROLLED,
    "在读": EnrolmentStatus.ENROLLED,
    "休学": EnrolmentStatus.LEAVE,
    "保留学籍": EnrolmentStatus.LEAVE,
    "退学": EnrolmentStatus.WITHDRAWN,
    "毕业": EnrolmentStatus.GRADUATED,
    "转出": EnrolmentStatus.TRANSFERRED,
} | {code: code for code in EnrolmentStatus.values}

_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
_GENDERS |= {"male": Gender.MALE, "female": Gender.FEMALE}

_MAX_LEN = {"name": 50, "college": 100, "major": 100, "school_class": 100, "dorm": 100}
_MAX_LEN |= {"parent_name": 50, "native_place": 100}


def validate_rows(table: Table, index: dict[str, int], written: dict[str, str]) -> tuple[list[dict], list[RowError]]:
    pattern = re.compile(settings.STUDENT_NO_PATTERN)
    errors: list[RowError] = []
    records: list[dict] = []
    seen: dict[str, int] = {}
    class_grade: dict[tuple[str, str], tuple[str, int]] = {}
    width = len(table.header)
    for row_no, raw in table.rows:
        cells = raw + [""] * (width - len(raw))
        rec = {key: cells[i].strip() for key, i in index.items()}
        rec["_row"] = row_no

        def err(key: str, message: str, row_no: int = row_no) -> None:
            errors.append(RowError(row_no, written.get(key, key), message))

        for key in ("student_no", "name", "gender", "college", "grade", "school_class"):
            if not rec.get(key):
                err(key, _("必填项为空。"))
        for key, limit in _MAX_LEN.items():
            if len(rec.get(key, "")) > limit:
                err(key, _("内容过长（最多 %(n)d 字）。") % {"n": limit})
        no = rec.get("student_no", "")
        if no:
            if not pattern.match(no):
                err("student_no", _("学号格式不正确：%(v)s") % {"v": no})
            elif no in seen:
                err(
                    "student_no",
                    _("学号 %(v)s 与第 %(r)d 行重复。") % {"v": no, "r": seen[no]},
                )
            else:
                seen[no] = row_no
        gender = rec.get("gender", "")
        if gender:
            code = _GENDERS.get(gender.lower())
            if code is None:
                err("gender", _("性别应为“男”或“女”：%(v)s") % {"v": gender})
            rec["gender"] = code
        if rec.get("grade"):
            grade = rules.normalize_grade(rec["grade"])
            if grade is None:
                err("grade", _("年级格式应为 2023 或 2023级：%(v)s") % {"v": rec["grade"]})
            rec["grade"] = grade
        if rec.get("college") and rec.get("school_class") and rec.get("grade"):
            key = (rec["college"], rec["school_class"])
            first = class_grade.setdefault(key, (rec["grade"], row_no))
            if first[0] != rec["grade"]:
                err(
                    "grade",
                    _("同一班级的年级不一致（见第 %(r)d 行）。") % {"r": first[1]},
                )
        for key in ("phone", "parent_phone"):
            if rec.get(key):
                if rules.phone_valid(rec[key]):
                    rec[key] = rules.normalize_phone(rec[key])
                else:
                    err(key, _("电话号码格式不正确：%(v)s") % {"v": rec[key]})
        birth = None
        if rec.get("birth_date"):
            birth = parse_date(rec["birth_date"])
            if birth is None:
                err(
                    "birth_date",
                    _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": rec["birth_date"]},
                )
        rec["birth_date"] = birth
        id_number = rec.get("id_number", "").upper()
        rec["id_number"] = id_number
        if id_number:
            if not rules.id_number_valid(id_number):
                err("id_number", _("身份证号无效（校验位或出生日期错误）。"))
            else:
                if rec.get("gender") and rules.id_number_gender(id_number) != rec["gender"]:
                    err("id_number", _("身份证号与性别不符。"))
                if birth and rules.id_number_birth_date(id_number) != birth:
                    err("id_number", _("身份证号与出生日期不符。"))
        if "status" in index or "status_since" in index:
            _validate_status(rec, err)
        records.append(rec)
    return records, errors


def _validate_status(rec: dict, err) -> None:
    """学籍状态 (blank = 在校) and 状态日期 (blank = today; never in the future) → rec["status"], rec["status_since"]."""
    raw = rec.get("status", "")
    status = _STATUSES.get(raw.lower() if raw.isascii() else raw) if raw else EnrolmentStatus.ENROLLED
    if status is None:
        err(
            "status",
            _("学籍状态应为 在校/休学/保留学籍/退学/毕业/转出 之一：%(v)s") % {"v": raw},
        )
    rec["status"] = status
    raw_since = rec.get("status_since", "")
    since = parse_date(raw_since) if raw_since else clock.today()
    if since is None:
        err("status_since", _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": raw_since})
    elif status_since_error(since):
        err("status_since", status_since_error(since))
        since = None
    rec["status_since"] = since


def check_scope(actor, records: list[dict], written: dict[str, str], existing: dict[str, dict]) -> list[RowError]:
    """SEC-34 / SEC-44: a college admin may import only students of their own college(s): a row naming another
    college is refused, and so is a 学号 that belongs to a student of another college (moving a student between
    colleges is school_admin's). The message says no more than that the row is refused: not which college the
    student is in, nor anything else about them."""
    if actor is None or policy.is_school_admin(actor):
        return []
    allowed = set(policy.administered_colleges(actor).values_list("name", flat=True))
    errors = []
    for rec in records:
        if rec.get("college") and rec["college"] not in allowed:
            errors.append(
                RowError(
                    rec["_row"],
                    written.get("college", "学院"),
                    _("无权导入该学院的学生：%(c)s") % {"c": rec["college"]},
                )
            )
            continue
        old = existing.get(rec.get("student_no", ""))
        if old is not None and old["college"] not in allowed:
            errors.append(
                RowError(
                    rec["_row"],
                    written.get("student_no", "学号"),
                    _("无权导入该学号：学生转学院须由学工处办理。"),
                )
            )
    return errors
