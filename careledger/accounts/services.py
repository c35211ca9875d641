"""Writes to accounts and grants. Each checks the policy, validates, saves and audits in one transaction."""

from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts import lockout, policy, totp
from careledger.accounts.authentication import end_credentials
from careledger.accounts.models import ApiToken, Grant, Role, TOTPDevice, User
from careledger.audit.services import Action, record
from careledger.escalations.models import Department
from careledger.ledgers.models import Section
from careledger.roster.models import College, SchoolClass
from careledger.roster.rules import normalize_grade


@dataclass
class GrantSpec:
    role: str
    college: College | None = None
    grades: list[str] = field(default_factory=list)
    classes: list[SchoolClass] = field(default_factory=list)
    department: Department | None = None
    section: Section | None = None


def grant_spec_resolve(
    *,
    role: str,
    college: str | None = None,
    grades: list[str] | None = None,
    classes: list[str] | None = None,
    department: str | None = None,
    section: str | None = None,
) -> GrantSpec:
    """Turn names as written (college and class names, department code) into a checked GrantSpec."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        raise ValidationError({"role": [_("未知角色：%(role)s") % {"role": role}]})
    spec = GrantSpec(role=role)
    if college:
        spec.college = College.objects.filter(name=college).first()
        if spec.college is None:
            errors["college"] = [_("学院不存在：%(name)s") % {"name": college}]
    for raw in grades or []:
        grade = normalize_grade(str(raw))
        if grade is None:
            errors.setdefault("grades", []).append(_("年级格式不正确：%(g)s") % {"g": raw})
        else:
            spec.grades.append(grade)
    if classes:
        found = SchoolClass.objects.filter(name__in=classes)
        if spec.college is not None:
            found = found.filter(college=spec.college)
        by_name: dict[str, list[SchoolClass]] = {}
        for c in found:
            by_name.setdefault(c.name, []).append(c)
        for name in classes:
            matches = by_name.get(name, [])
            if len(matches) != 1:
                msg = _("班级不存在：%(name)s") if not matches else _("班级名称不唯一，请同时给出学院：%(name)s")
                errors.setdefault("classes", []).append(msg % {"name": name})
            else:
                spec.classes.append(matches[0])
        if spec.college is None and spec.classes:
            spec.college = spec.classes[0].college
    if department:
        spec.department = Department.objects.filter(code=department).first()
        if spec.department is None:
            errors["department"] = [_("职能部门不存在：%(code)s") % {"code": department}]
    if section:
        spec.section = Section.objects.filter(code=section).first()
        if spec.section is None:
            errors["section"] = [_("学工处科室不存在：%(code)s") % {"code": section}]
    if errors:
        raise ValidationError(errors)
    grant_spec_validate(spec)
    return spec


def grant_spec_validate(spec: GrantSpec) -> None:
    """Each role carries exactly the scope it needs."""
    errors = policy.grant_scope_errors(
        role=spec.role,
        college=spec.college,
        grades=spec.grades,
        classes=spec.classes,
        department=spec.department,
        section=spec.section,
    )
    if errors:
        raise ValidationError(errors)


def _check_can_grant(actor: User, spec: GrantSpec, target: User | None = None) -> None:
    if not policy.can_grant(actor, role=spec.role, college=spec.college, target=target):
        raise PermissionDenied(_("无权授予该角色或该学院的权限。"))


def _grant_create(user: User, spec: GrantSpec) -> Grant:
    grant = Grant.objects.create(
        user=user,
        role=spec.role,
        college=spec.college,
        grades=sorted(set(spec.grades)),
        department=spec.department,
        section=spec.section,
    )
    if spec.classes:
        grant.classes.set(spec.classes)
    return grant


def _grant_summary(spec: GrantSpec) -> dict[str, object]:
    return {
        "role": spec.role,
        "college": spec.college.name if spec.college else None,
        "grades": spec.grades,
        "classes": [c.name for c in spec.classes],
        "department": spec.department.code if spec.department else None,
        "section": spec.section.code if spec.section else None,
    }


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    name: str,
    phone: str = "",
    staff_no: str = "",
    grants: list[GrantSpec],
    must_change_password: bool = True,
) -> User:
    for spec in grants:
        _check_can_grant(actor, spec)
    if not grants and not policy.is_school_admin(actor):
        # A college admin could never see an account without a grant in their college again.
        raise ValidationError({"grants": [_("请至少授予一个角色。")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("用户名已存在。")]})
    user = User(username=username, name=name, phone=phone, staff_no=staff_no)
    user.must_change_password = must_change_password
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    for spec in grants:
        _grant_create(user, spec)
    record(
        actor=actor,
        action=Action.CREATE,
        object_type="user",
        object_id=user.pk,
        detail={"username": username, "grants": [_grant_summary(s) for s in grants]},
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, name: str | None = None, phone: str | None = None) -> User:
    changed = []
    if name is not None and name != user.name:
        user.name = name
        changed.append("name")
    if phone is not None and phone != user.phone:
        user.phone = phone
        changed.append("phone")
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)
        record(actor=actor, action=Action.UPDATE, object_type="user", object_id=user.pk, detail={"fields": changed})
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    if user.pk == actor.pk and not active:
        raise ValidationError(_("不能停用自己的账号。"))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            # A disabled account loses its API tokens and sessions at once (ASVS5 7.4.2, SEC-50).
            end_credentials(user)
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            detail={"fields": ["is_active"], "is_active": active},
        )
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """An admin sets (resets) someone's password: it must be changed at first use. Not one's own (the
    own-password flow asks for the old one: 400) and not the auditor's (the command line: 403) — SEC-46."""
    if user.pk == actor.pk:
        raise ValidationError({"password": [_("请通过“修改密码”更改自己的密码（须输入原密码）。")]})
    if not policy.may_set_credentials_of(actor, user):
        raise PermissionDenied(_("审计员的密码和动态口令只能在服务器命令行中重置。"))
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = actor.pk != user.pk
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    end_credentials(user)  # SEC-50: the account's sessions and tokens end with the reset
    record(actor=actor, action=Action.UPDATE, object_type="user", object_id=user.pk, detail={"fields": ["password"]})
    return user


# --- the caller's own sign-in: password, two-factor; an admin's unlock and reset (SEC-1 … SEC-3) ---


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, via_token: ApiToken | None = None) -> User:
    """The account holder changes their own password: the old one must match and the new one differ."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = [_("原密码不正确。")]
    elif old_password == new_password:
        errors["new_password"] = [_("新密码不能与原密码相同。")]
    else:
        try:
            validate_password(new_password, user)
        except ValidationError as exc:
            errors["new_password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    # SEC-50: the other sessions and tokens end; the caller keeps the token it used, or re-signs its session.
    end_credentials(user, keep_token=via_token)
    record(
        actor=user,
        action=Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        detail={"fields": ["password"], "event": "password_change"},
    )
    return user


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> TOTPDevice:
    """Confirm the user's pending authenticator with a first code; audited."""
    device = totp.device_of(user)
    if device is None or device.confirmed:
        raise ValidationError({"otp": [_("没有待绑定的动态口令设备。")]})
    if not totp.confirm(device, code):
        raise ValidationError({"otp": [_("动态口令不正确或已使用。")]})
    record(
        actor=user,
        action=Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        detail={"fields": ["totp"], "event": "totp_confirmed"},
    )
    return device


@transaction.atomic
def totp_reset(*, actor: User, user: User) -> bool:
    """An admin removes a lost authenticator: the account enrols a new one at its next sign-in."""

    if not policy.may_set_credentials_of(actor, user):
        raise PermissionDenied(_("审计员的密码和动态口令只能在服务器命令行中重置。"))
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    totp.forget(user)
    if deleted:
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            detail={"fields": ["totp"], "event": "totp_reset"},
        )
    return bool(deleted)


@transaction.atomic
def login_unlock(*, actor: User, user: User) -> int:
    """An admin lifts the sign-in locks on an account (decision 7); the number of locks lifted."""

    lifted = lockout.unlock(user.get_username(), by=actor.get_username())
    record(
        actor=actor,
        action=Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        detail={"event": "unlock", "locks": lifted},
    )
    return lifted


@transaction.atomic
def grant_add(*, actor: User, user: User, spec: GrantSpec) -> Grant:
    _check_can_grant(actor, spec, user)
    grant = _grant_create(user, spec)
    record(
        actor=actor,
        action=Action.CREATE,
        object_type="grant",
        object_id=grant.pk,
        detail={"user": user.username, **_grant_summary(spec)},
    )
    return grant


@transaction.atomic
def grant_remove(*, actor: User, grant: Grant) -> None:
    if not policy.can_grant(actor, role=grant.role, college=grant.college, target=grant.user):
        raise PermissionDenied(_("无权撤销该授权。"))
    record(
        actor=actor,
        action=Action.DELETE,
        object_type="grant",
        object_id=grant.pk,
        detail={"user": grant.user.username, "role": grant.role},
    )
    grant.delete()
    end_credentials(grant.user)  # SEC-50: a removed grant ends the account's sessions and tokens
