"""What a checked roster file would change, and writing it (the roster import, roster/importers.py, step 2).

``roster_plan`` compares the rows with the stored students (read only); ``apply_plan`` and ``apply_statuses``
write a plan, for the whole file at once or chunk by chunk (the background job, jobs/roster_import_job.py).
"""

from datetime import date

from django.db import connection, models
from django.utils import timezone

from careledger.roster import rules
from careledger.roster.models import College, Dorm, EnrolmentStatus, Major, SchoolClass, Student, StudentStatus
from careledger.roster.services import apply_status

BATCH = 2000

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


def existing_by_no(student_nos: set[str]) -> dict[str, dict]:
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
        existing = existing_by_no({r["student_no"] for r in records})
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


def deactivation_qs(records: list[dict]):
    """Active students of the file's colleges whom the file no longer lists.

    Compared in Python: ``exclude(student_no__in=…)`` sends every student number of the file as a
    parameter (30,000 for a whole school, ~0.2 s on each import).
    """
    colleges = {r["college"] for r in records}
    in_file = {r["student_no"] for r in records}
    listed = Student.objects.filter(college__name__in=colleges, is_active=True).values_list("pk", "student_no")
    return Student.objects.filter(pk__in=[pk for pk, no in listed.iterator(chunk_size=5000) if no not in in_file])


def lookups(records: list[dict]):
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


def insert_students(rows: list[dict]) -> None:
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


def apply_plan(records, present, creates, updates) -> None:
    """Write the plan (the whole file, or one chunk of a file applied in steps: jobs/roster_import_job.py)."""
    colleges, majors, classes, dorms = lookups(records)

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
    insert_students(new_rows)

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


def apply_statuses(actor, statuses: list[dict]) -> None:
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


def leavers(records: list[dict]) -> list[dict]:
    """Who a full-roster (sync) import takes off the roster: {"student_no","name","college"} by college, 学号."""
    rows = deactivation_qs(records).values_list("student_no", "name", "college__name")
    return sorted(
        ({"student_no": no, "name": name, "college": college} for no, name, college in rows),
        key=lambda r: (r["college"], r["student_no"]),
    )
