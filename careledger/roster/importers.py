"""Roster import: all or nothing, idempotent, upsert by 学号.

The file is validated whole first; any bad row gives a report (row, column, message) and nothing is
written. A good file is applied in one transaction. Two modes (api.md "Roster"):

- ``upsert`` (the default) adds and updates the listed students and takes nobody off the roster;
- ``sync`` treats the file as the full roster of each college it names: that college's active students
  missing from the file are marked inactive (never deleted) and listed in the report
  (``deactivated_students``), in the dry run as in the real import.

A college admin's file touches only their own college: a row naming another college, or a 学号 that
belongs to a student of another college, is refused (moving between colleges is school_admin's).
The optional 学籍状态 / 状态日期 columns record a status change in the student's history.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careledger.accounts import policy
from careledger.audit.services import Action, Outcome, record
from careledger.core import clock
from careledger.core.tabular import Table, TableError, read_table
from careledger.roster import rules
from careledger.roster.models import College, Dorm, EnrolmentStatus, Gender, Major, SchoolClass, Student, StudentStatus
from careledger.roster.services import apply_status, status_since_error

BATCH = 2000
UPSERT, SYNC = "upsert", "sync"
MODES = (UPSERT, SYNC)


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    extra: dict = field(default_factory=dict)
    mode: str = ""  # the roster import's mode (upsert / sync); "" for imports without modes
    deactivated_students: list[dict] = field(default_factory=list)
    status_changes: int = 0

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
            # A full-roster import names who leaves (dry run or not); an upsert never takes anyone off.
            **({"mode": SYNC, "deactivated_students": self.deactivated_students} if self.mode == SYNC else {}),
            **self.extra,
        }


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header, as the template writes it
    aliases: tuple[str, ...] = ()
    required: bool = False


def match_columns(table: Table, columns: list[Column]) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Map each known column to its index, by its Chinese header or an English alias (any case).

    Returns (index by key, header as written by key, header errors).
    """
    lookup: dict[str, Column] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            lookup[_norm_header(name)] = col
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    errors: list[RowError] = []
    for i, raw in enumerate(table.header):
        col = lookup.get(_norm_header(raw))
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


def _norm_header(value: str) -> str:
    return re.sub(r"[\s_*＊]", "", value).lower()


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
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MAX_LEN = {"name": 50, "college": 100, "major": 100, "school_class": 100, "dorm": 100}
_MAX_LEN |= {"parent_name": 50, "native_place": 100}

# Fields compared when deciding whether an existing student changed (FKs by name).
_COMPARED = (
    "name",
    "gender",
    "college",
    "major",
    "grade",
    "school_class",
    "dorm",
    "phone",
    "parent_name",
    "parent_phone",
    "birth_date",
    "native_place",
    "id_number",
)


def parse_date(value: str) -> date | None:
    m = _DATE.match(value) or _DATE8.match(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _validate_rows(table: Table, index: dict[str, int], written: dict[str, str]) -> tuple[list[dict], list[RowError]]:
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


def _check_scope(actor, records: list[dict], written: dict[str, str], existing: dict[str, dict]) -> list[RowError]:
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


def _existing_by_no(student_nos: set[str]) -> dict[str, dict]:
    rows = Student.objects.values(
        "pk",
        "student_no",
        "name",
        "gender",
        "college__name",
        "major__name",
        "grade",
        "school_class__name",
        "dorm__name",
        "phone",
        "parent_name",
        "parent_phone",
        "birth_date",
        "native_place",
        "id_number",
        "is_active",
    )
    out = {}
    for r in rows.iterator(chunk_size=5000):
        if r["student_no"] in student_nos:
            out[r["student_no"]] = {
                "pk": r["pk"],
                "name": r["name"],
                "gender": r["gender"],
                "college": r["college__name"],
                "major": r["major__name"] or "",
                "grade": r["grade"],
                "school_class": r["school_class__name"],
                "dorm": r["dorm__name"] or "",
                "phone": r["phone"],
                "parent_name": r["parent_name"],
                "parent_phone": r["parent_phone"],
                "birth_date": r["birth_date"],
                "native_place": r["native_place"],
                "id_number": r["id_number"],
                "is_active": r["is_active"],
            }
    return out


def _desired(rec: dict, present: dict[str, int]) -> dict:
    """What the row says about each column the file has; columns it lacks are left as they are."""
    return {key: rec.get(key) for key in _COMPARED if key in present}


def _histories() -> dict[str, list[tuple[date, str]]]:
    """Every student's 学籍状态 history by 学号, oldest first (only students with a recorded change)."""
    out: dict[str, list[tuple[date, str]]] = {}
    rows = StudentStatus.objects.order_by("since", "id").values_list("student__student_no", "since", "status")
    for no, since, status in rows.iterator(chunk_size=5000):
        out.setdefault(no, []).append((since, status))
    return out


def _status_changes(rec: dict, history: list[tuple[date, str]]) -> bool:
    """Does the row's 学籍状态 from its 状态日期 change the history? (Same rule as services.apply_status.)"""
    if "status" not in rec:
        return False
    since, status = rec["status_since"], rec["status"]
    held = [s for d, s in history if d <= since]
    return (held[-1] if held else EnrolmentStatus.ENROLLED) != status


def roster_plan(records: list[dict], present: dict[str, int], existing: dict[str, dict] | None = None):
    """(creates, updates, unchanged, status changes): what the file would do. ``updates`` holds
    (pk, row, changed fields); a row whose only change is its 学籍状态 is an update too."""
    if existing is None:
        existing = _existing_by_no({r["student_no"] for r in records})
    histories = _histories() if ("status" in present or "status_since" in present) else {}
    creates, updates, unchanged, statuses = [], [], 0, []
    for rec in records:
        want = _desired(rec, present)
        old = existing.get(rec["student_no"])
        status_changed = _status_changes(rec, histories.get(rec["student_no"], []))
        if status_changed:
            statuses.append(rec)
        if old is None:
            creates.append(rec)
            continue
        changed = {k: v for k, v in want.items() if v is not None and old[k] != v}
        if changed or not old["is_active"] or status_changed:
            updates.append((old["pk"], rec, changed))
        else:
            unchanged += 1
    return creates, updates, unchanged, statuses


def _deactivation_qs(records: list[dict]):
    """Active students of the file's colleges whom the file no longer lists.

    Compared in Python: ``exclude(student_no__in=…)`` sends every student number of the file as a
    parameter (30,000 for a whole school, ~0.2 s on each import).
    """
    colleges = {r["college"] for r in records}
    in_file = {r["student_no"] for r in records}
    listed = Student.objects.filter(college__name__in=colleges, is_active=True).values_list("pk", "student_no")
    return Student.objects.filter(pk__in=[pk for pk, no in listed.iterator(chunk_size=5000) if no not in in_file])


def _lookups(records: list[dict]):
    """Get or create the colleges, majors, classes and dorms the file names; return name → object maps."""
    colleges = {c.name: c for c in College.objects.all()}
    for name in sorted({r["college"] for r in records} - set(colleges)):
        colleges[name] = College.objects.create(name=name)
    majors = {(m.college_id, m.name): m for m in Major.objects.all()}
    for college, name in sorted({(r["college"], r["major"]) for r in records if r.get("major")}):
        key = (colleges[college].pk, name)
        if key not in majors:
            majors[key] = Major.objects.create(college=colleges[college], name=name)
    classes = {(c.college_id, c.name): c for c in SchoolClass.objects.all()}
    new_classes: dict[tuple[int, str], SchoolClass] = {}
    for rec in records:
        college = colleges[rec["college"]]
        key = (college.pk, rec["school_class"])
        major = majors.get((college.pk, rec.get("major", ""))) if rec.get("major") else None
        klass = classes.get(key)
        if klass is None:
            klass = SchoolClass(college=college, name=rec["school_class"], grade=rec["grade"], major=major)
            classes[key] = new_classes[key] = klass
        elif klass.grade != rec["grade"] or (major is not None and klass.major_id != major.pk):
            klass.grade = rec["grade"]
            klass.major = major or klass.major
            if key not in new_classes:
                klass.save(update_fields=["grade", "major"])
    if new_classes:
        SchoolClass.objects.bulk_create(new_classes.values(), batch_size=BATCH)
        if any(c.pk is None for c in new_classes.values()):
            classes = {(c.college_id, c.name): c for c in SchoolClass.objects.all()}
    dorms = {d.name: d for d in Dorm.objects.all()}
    new_dorms = sorted({r["dorm"] for r in records if r.get("dorm")} - set(dorms))
    for dorm in Dorm.objects.bulk_create([Dorm(name=n) for n in new_dorms], batch_size=BATCH):
        dorms[dorm.name] = dorm
    if new_dorms and any(d.pk is None for d in dorms.values()):
        dorms = {d.name: d for d in Dorm.objects.all()}
    return colleges, majors, classes, dorms


# Field types whose Python values the database drivers take as they are. Anything else (dates,
# datetimes, a custom or encrypted field) goes through the field's own get_db_prep_save; the type
# test is exact, so a subclass of CharField is never taken for a plain one.
_PLAIN_FIELDS = (models.CharField, models.BooleanField, models.ForeignKey)


def _insert_students(rows: list[dict]) -> None:
    """INSERT new students given as {attname: value}; absent fields take their defaults.

    ``bulk_create`` compiles SQL value by value (~50 µs a row: 1.5–2 s of a 30,000-row import).
    PostgreSQL gets COPY and SQLite executemany with the values prepared here, several times faster.
    """
    if not rows:
        return
    if connection.vendor not in ("postgresql", "sqlite"):
        Student.objects.bulk_create([Student(**row) for row in rows], batch_size=BATCH)
        return
    now = timezone.now()
    fields = [f for f in Student._meta.concrete_fields if not f.primary_key]
    spec = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            spec.append((f.attname, f.get_db_prep_save(now, connection), None))  # prepared once
        else:
            spec.append((f.attname, f.get_default(), None if type(f) in _PLAIN_FIELDS else f))
    values = [
        [
            v if prep is None or v is None else prep.get_db_prep_save(v, connection)
            for v, prep in ((row.get(attname, default), prep) for attname, default, prep in spec)
        ]
        for row in rows
    ]
    table = connection.ops.quote_name(Student._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  # nosec B608  # names, not data
            for start in range(0, len(values), 10_000):
                cursor.executemany(sql, values[start : start + 10_000])


def _apply(records, present, creates, updates) -> None:
    """Write the plan (the whole file, or one chunk of a file applied in steps: roster/import_job.py)."""
    colleges, majors, classes, dorms = _lookups(records)

    def fk_values(rec: dict) -> dict:
        college = colleges[rec["college"]]
        out = {
            "college": college,
            "school_class": classes[(college.pk, rec["school_class"])],
        }
        if "major" in present:
            out["major"] = majors.get((college.pk, rec["major"])) if rec.get("major") else None
        if "dorm" in present:
            out["dorm"] = dorms.get(rec["dorm"]) if rec.get("dorm") else None
        return out

    plain = [k for k in ("phone", "parent_name", "parent_phone", "native_place") if k in present]
    new_rows = []
    for rec in creates:
        row = {
            "student_no": rec["student_no"],
            "name": rec["name"],
            "name_initials": rules.name_initials(rec["name"]),
            "gender": rec["gender"],
            "grade": rec["grade"],
            "birth_date": rec.get("birth_date"),
            "id_number": rec.get("id_number", ""),
            **{k: rec.get(k, "") for k in plain},
        }
        for key, value in fk_values(rec).items():
            row[f"{key}_id"] = value.pk if value is not None else None
        new_rows.append(row)
    _insert_students(new_rows)

    if updates:
        by_pk = Student.objects.in_bulk([pk for pk, _, _ in updates])
        touched: set[str] = {"is_active"}
        changed_students = []
        for pk, rec, changed in updates:
            student = by_pk[pk]
            student.is_active = True
            for key in changed:
                if key in ("college", "school_class", "major", "dorm"):
                    continue
                setattr(student, key, rec[key] if key != "id_number" else rec.get("id_number", ""))
                touched.add(key)
            if "name" in changed:
                student.name_initials = rules.name_initials(rec["name"])
                touched.add("name_initials")
            if changed.keys() & {"college", "school_class", "major", "dorm"}:
                for key, value in fk_values(rec).items():
                    setattr(student, key, value)
                    touched.add(key)
            changed_students.append(student)
        Student.objects.bulk_update(changed_students, sorted(touched), batch_size=500)


def _apply_statuses(actor, statuses: list[dict]) -> None:
    """Record each row's 学籍状态 change in the student's history (after the students exist)."""
    if not statuses:
        return
    wanted = {r["student_no"] for r in statuses}
    pks = {
        no: pk for pk, no in Student.objects.values_list("pk", "student_no").iterator(chunk_size=5000) if no in wanted
    }
    recorded_by = actor if getattr(actor, "pk", None) else None
    for rec in statuses:
        apply_status(
            student=Student(pk=pks[rec["student_no"]]),
            status=rec["status"],
            since=rec["status_since"],
            recorded_by=recorded_by,
        )


def _leavers(records: list[dict]) -> list[dict]:
    """Who a full-roster (sync) import takes off the roster: {"student_no","name","college"} by college, 学号."""
    rows = _deactivation_qs(records).values_list("student_no", "name", "college__name")
    return sorted(
        ({"student_no": no, "name": name, "college": college} for no, name, college in rows),
        key=lambda r: (r["college"], r["student_no"]),
    )


def roster_import(*, actor, data: bytes, filename: str, dry_run: bool = False, mode: str = UPSERT) -> ImportReport:
    """Validate the whole file; if every row is good (and not a dry run), apply it in one transaction.

    ``mode``: ``upsert`` (default) adds and updates; ``sync`` also takes off the roster the students of the
    file's colleges whom it does not list (listed in the report, dry run or not)."""
    report = ImportReport(dry_run=dry_run, mode=mode)
    if mode not in MODES:
        report.errors.append(RowError(0, "mode", _("导入方式应为 upsert 或 sync。")))
        return report
    digest = hashlib.sha256(data).hexdigest()
    try:
        table = read_table(data, filename)
    except TableError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        _audit(actor, report, filename, digest)
        return report
    index, written, header_errors = match_columns(table, ROSTER_COLUMNS)
    if header_errors:
        report.errors = header_errors
        _audit(actor, report, filename, digest)
        return report
    records, errors = _validate_rows(table, index, written)
    existing = _existing_by_no({r["student_no"] for r in records if r.get("student_no")})
    errors += _check_scope(actor, records, written, existing)
    if errors:
        report.errors = sorted(errors, key=lambda e: e.row)
        _audit(actor, report, filename, digest)
        return report
    with transaction.atomic():
        creates, updates, unchanged, statuses = roster_plan(records, index, existing)
        report.created, report.updated, report.unchanged = len(creates), len(updates), unchanged
        report.status_changes = len(statuses)
        if mode == SYNC:
            report.deactivated_students = _leavers(records)
            report.deactivated = len(report.deactivated_students)
        if not dry_run:
            _apply(records, index, creates, updates)
            _apply_statuses(actor, statuses)
            if mode == SYNC:
                report.deactivated = _deactivation_qs(records).update(is_active=False)
            _audit(actor, report, filename, digest)
    if dry_run:
        _audit(actor, report, filename, digest)
    return report


def _audit(actor, report: ImportReport, filename: str, digest: str) -> None:
    record(
        actor=actor if actor is not None else "cli",
        action=Action.IMPORT,
        object_type="roster",
        outcome=Outcome.OK if report.ok else Outcome.ERROR,
        detail={
            "file": filename[-100:],
            "sha256": digest,
            "dry_run": report.dry_run,
            "mode": report.mode,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "deactivated": report.deactivated,
            "deactivated_students": [r["student_no"] for r in report.deactivated_students][:1000],
            "status_changes": report.status_changes,
            "errors": len(report.errors),
        },
    )
