"""Staff import (工号, 姓名, 手机, 学院, 角色, 年级, 班级): one row per grant, all or nothing.

A person with several grants has several rows. Accounts are keyed by 工号 (their username); a new
account gets a random initial password, shown once in the report and to be changed at first login.
Grants already held are left alone, so importing the same file twice changes nothing.
"""

import hashlib
import secrets
import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts import policy, services
from careledger.accounts.forms import split_list
from careledger.accounts.models import Grant, Role, User
from careledger.audit.services import Action, Outcome, record
from careledger.core.tabular import Column, ImportReport, RowError, TableError, match_columns, read_table
from careledger.roster import rules

STAFF_COLUMNS = [
    Column("staff_no", "工号", ("staff_no", "username", "employee_id"), required=True),
    Column("name", "姓名", ("name",), required=True),
    Column("phone", "手机", ("phone", "mobile", "联系方式")),
    Column("college", "学院", ("college",), required=True),
    Column("role", "角色", ("role",), required=True),
    Column("grades", "年级", ("grade", "grades")),
    Column("classes", "班级", ("class", "classes")),
]

# Roles a staff file may grant: the college-scoped ones. School-wide roles are given one by one.
_ROLE_NAMES = {str(label): code for code, label in Role.choices if code in policy.COLLEGE_SCOPED}
_ROLE_NAMES |= {code: code for code in policy.COLLEGE_SCOPED}
_ROLE_NAMES |= {"学院管理员": Role.COLLEGE_ADMIN, "分管副书记": Role.COLLEGE_ADMIN, "导师": Role.MENTOR}


def _initial_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _i in range(12)) + "-" + secrets.choice(string.digits)
        if any(c.islower() for c in pw) and any(c.isupper() for c in pw):
            return pw


def _grant_key(grant: "Grant | services.GrantSpec") -> tuple:
    """What makes two grants the same: role, college, grades and classes."""
    if isinstance(grant, Grant):
        college_id, class_ids = grant.college_id, frozenset(c.pk for c in grant.classes.all())
    else:
        college_id, class_ids = (grant.college.pk if grant.college else None), frozenset(c.pk for c in grant.classes)
    return grant.role, college_id, tuple(sorted(grant.grades)), class_ids


def staff_import(*, actor, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    digest = hashlib.sha256(data).hexdigest()
    try:
        table = read_table(data, filename)
    except TableError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        return _audited(actor, report, filename, digest)
    index, written, header_errors = match_columns(table, STAFF_COLUMNS)
    if header_errors:
        report.errors = header_errors
        return _audited(actor, report, filename, digest)

    rows = []
    names: dict[str, tuple[str, int]] = {}
    width = len(table.header)
    for row_no, raw in table.rows:
        cells = raw + [""] * (width - len(raw))
        rec = {key: cells[i].strip() for key, i in index.items()}

        def err(key: str, message: str, row_no: int = row_no) -> None:
            report.errors.append(RowError(row_no, written.get(key, key), message))

        for key in ("staff_no", "name", "college", "role"):
            if not rec.get(key):
                err(key, _("必填项为空。"))
        staff_no = rec.get("staff_no", "")
        if staff_no and not all(c.isalnum() or c in "_.-@" for c in staff_no):
            err("staff_no", _("工号只能包含字母、数字和 _.-@。"))
        if staff_no and rec.get("name"):
            first = names.setdefault(staff_no, (rec["name"], row_no))
            if first[0] != rec["name"]:
                err("name", _("同一工号的姓名与第 %(r)d 行不同。") % {"r": first[1]})
        if rec.get("phone") and not rules.phone_valid(rec["phone"]):
            err("phone", _("电话号码格式不正确：%(v)s") % {"v": rec["phone"]})
        role = _ROLE_NAMES.get(rec.get("role", ""))
        if rec.get("role") and role is None:
            err(
                "role",
                _("角色应为 学院负责人、辅导员、班主任 或 帮扶导师：%(v)s") % {"v": rec["role"]},
            )
        if role and rec.get("college"):
            try:
                spec = services.grant_spec_resolve(
                    role=role,
                    college=rec["college"],
                    grades=split_list(rec.get("grades", "")),
                    classes=split_list(rec.get("classes", "")),
                )
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    column = {"college": "college", "grades": "grades", "classes": "classes"}.get(key, "role")
                    for message in messages:
                        err(column, message)
            else:
                if actor is not None and not policy.can_grant(actor, role=spec.role, college=spec.college):
                    err("college", _("无权在该学院授予该角色。"))
                else:
                    rows.append((row_no, rec, spec))
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return _audited(actor, report, filename, digest)

    by_staff_no: dict[str, list[tuple[int, dict, services.GrantSpec]]] = {}
    for item in rows:
        by_staff_no.setdefault(item[1]["staff_no"], []).append(item)
    with transaction.atomic():
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=list(by_staff_no)).prefetch_related("grants__classes")
        }
        if actor is not None:
            # A college admin may not take over an account managed elsewhere; nobody grants themselves
            # or an auditor anything (SEC-46: managed_users_for leaves out both).
            managed = set(
                policy.managed_users_for(actor)
                .filter(pk__in=[u.pk for u in existing.values()])
                .values_list("pk", flat=True)
            )
            for staff_no, user in existing.items():
                if user.pk not in managed:
                    row_no = by_staff_no[staff_no][0][0]
                    report.errors.append(RowError(row_no, written["staff_no"], _("该工号的账号不归你管理。")))
            if report.errors:
                report.errors.sort(key=lambda e: e.row)
                return _audited(actor, report, filename, digest)
        passwords = []
        for staff_no, items in by_staff_no.items():
            rec = items[0][1]
            user = existing.get(staff_no)
            seen = {_grant_key(g) for g in user.grants.all()} if user is not None else set()
            new_specs: list[services.GrantSpec] = []
            for _row_no, _rec, spec in items:
                if _grant_key(spec) not in seen:
                    seen.add(_grant_key(spec))
                    new_specs.append(spec)
            profile = {"name": rec["name"], **({"phone": rec["phone"]} if rec.get("phone") else {})}
            if user is None:
                report.created += 1
                if dry_run:
                    continue
                password = _initial_password()
                passwords.append({"username": staff_no, "password": password})
                user = User(username=staff_no, staff_no=staff_no, must_change_password=True, **profile)
                user.set_password(password)
                user.save()
            else:
                changed_profile = [k for k, v in profile.items() if getattr(user, k) != v]
                if not (new_specs or changed_profile):
                    report.unchanged += 1
                    continue
                report.updated += 1
                if dry_run:
                    continue
                if changed_profile:
                    for k in changed_profile:
                        setattr(user, k, profile[k])
                    user.save(update_fields=changed_profile)
            for spec in new_specs:
                grant = Grant.objects.create(
                    user=user, role=spec.role, college=spec.college, grades=sorted(spec.grades)
                )
                grant.classes.set(spec.classes)
        if not dry_run:
            report.extra["initial_passwords"] = passwords
        return _audited(actor, report, filename, digest)


def _audited(actor, report: ImportReport, filename: str, digest: str) -> ImportReport:
    record(
        actor=actor if actor is not None else "cli",
        action=Action.IMPORT,
        object_type="staff",
        outcome=Outcome.OK if report.ok else Outcome.ERROR,
        detail={
            "file": filename[-100:],
            "sha256": digest,
            "dry_run": report.dry_run,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        },
    )
    return report
