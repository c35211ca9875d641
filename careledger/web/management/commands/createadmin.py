"""``careledger createadmin USERNAME [--name NAME] [--role auditor]``: the first school administrator
(学工处管理员), or the audit administrator (审计员): only this command hands out the auditor role (SEC-46).

When two-factor applies to school admins (the default), it also prints the otpauth:// URI of an
authenticator to enrol; the admin confirms it with a first code at sign-in.

The password comes from ``CARELEDGER_PASSWORD`` or, if that is unset, from standard input (asked twice
on a terminal, otherwise read as one line), and must pass the same password rules as every account.
"""

import getpass
import os
import sys

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from careledger.accounts import policy, totp
from careledger.accounts.models import Grant, Role, User
from careledger.audit.services import Action, record

# Chinese for Django's own rules, whose zh-hans catalogue lags behind (5.2 changed the too-short msgid).
ZH_FALLBACK = {
    "password_too_short": "密码太短，至少需要 %(min_length)d 个字符。",
    "password_too_common": "密码过于常见。",
    "password_entirely_numeric": "密码不能全是数字。",
    "password_too_similar": "密码与账号信息过于相似。",
}


def _problems(password: str, user: User, language: str) -> list[tuple[str, str]]:
    with translation.override(language):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return [(e.code or "", " ".join(e.messages)) for e in exc.error_list]
    return []


def password_problems(password: str, user: User) -> list[str]:
    """Every rule the password breaks, each as "中文 / English"."""
    lines = []
    for (code, zh), (_code, en) in zip(
        _problems(password, user, "zh-hans"), _problems(password, user, "en"), strict=False
    ):
        if zh == en and code in ZH_FALLBACK:
            zh = ZH_FALLBACK[code] % {"min_length": settings.PASSWORD_MIN_LENGTH}
        lines.append(zh if zh == en else f"{zh} / {en}")
    return lines


class Command(BaseCommand):
    help = (
        "创建学工处管理员账号；密码取自环境变量 CARELEDGER_PASSWORD 或标准输入。 / "
        "Create a school administrator; the password comes from CARELEDGER_PASSWORD or standard input."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名 / username")
        parser.add_argument("--name", default="", help="姓名 / full name (default: the username)")
        parser.add_argument(
            "--role",
            default=Role.SCHOOL_ADMIN.value,
            choices=[Role.SCHOOL_ADMIN.value, Role.AUDITOR.value],
            help="school_admin（默认）或 auditor / school_admin (default) or auditor",
        )

    def handle(self, *args, username: str, name: str, **options):
        role = Role(options.get("role") or Role.SCHOOL_ADMIN)
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名已存在：{username} / The username is already taken.")
        user = User(username=username, name=name or username, must_change_password=False, is_active=True)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(f"账号信息无效 / Invalid account details: {problems}") from exc
        password = self._password(options.get("stdin") or sys.stdin)
        problems = password_problems(password, user)
        if problems:
            raise CommandError(
                "密码不符合要求 / The password is not acceptable:\n" + "\n".join(f"  - {p}" for p in problems)
            )
        with transaction.atomic():
            user.set_password(password)
            user.save()
            Grant.objects.create(user=user, role=role)
            record(
                actor="cli",
                action=Action.CREATE,
                object_type="user",
                object_id=user.pk,
                detail={"username": username, "grants": [{"role": role.value}]},
            )
        self.stdout.write(f"已创建{Role(role).label} / Created: {username}")
        if settings.OTP_REQUIRED and policy.role_needs_two_factor(role):
            # Two-factor applies (SEC-3): an unconfirmed authenticator, confirmed with a first code at sign-in.
            device = totp.pending_device(user)
            self.stdout.write(
                "该账号须使用动态口令。请用身份验证器扫描或添加下面的链接，首次登录时输入验证码完成绑定：\n"
                "Two-factor sign-in applies: add this to an authenticator app and enter a code at first sign-in:\n"
                f"{totp.otpauth_uri(device)}"
            )

    def _password(self, stdin) -> str:
        password = os.environ.get("CARELEDGER_PASSWORD")
        if password is None:
            if stdin.isatty():
                password = getpass.getpass("密码 / Password: ")
                if getpass.getpass("再次输入密码 / Password (again): ") != password:
                    raise CommandError("两次输入的密码不一致。 / The passwords do not match.")
            else:
                password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(
                "未提供密码：请设置 CARELEDGER_PASSWORD 或从标准输入提供。 / "
                "No password: set CARELEDGER_PASSWORD or pass it on standard input."
            )
        return password
