"""Staff accounts and their grants. A grant is a role plus the scope it applies to."""

from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careledger.core.fields import EncryptedTextField


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("学工处管理员")
    COLLEGE_ADMIN = "college_admin", _("学院负责人")
    COUNSELOR = "counselor", _("辅导员")
    CLASS_TEACHER = "class_teacher", _("班主任")
    MENTOR = "mentor", _("帮扶导师")
    DEPARTMENT = "department", _("职能部门")
    SECTION = "section", _("学工处科室")
    AUDITOR = "auditor", _("审计员")


class User(AbstractUser):
    """A staff member. Students never have accounts (the notice forbids giving them the ledger)."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    staff_no = models.CharField(_("工号"), max_length=30, blank=True, db_index=True)
    # An admin-issued password must be changed at first use (MLPS 8.1.4.1a).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    # When the password was last set; past settings.PASSWORD_MAX_AGE_DAYS it must be changed (SEC-1).
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    # Raised when a password is set, a grant removed or the account disabled: every session signed with an
    # older value ends (SEC-50; part of the session's auth hash).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.name or self.username} ({self.username})"

    def _get_session_auth_hash(self, secret=None):
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "careledger.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password) -> bool:
        """As Django's, except that re-hashing with a newer hasher is not a password change."""

        def setter(raw):
            changed_at = self.password_changed_at
            super(User, self).set_password(raw)
            self.password_changed_at = changed_at
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, setter)

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "password" in update_fields and "password_changed_at" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "password_changed_at"]
        super().save(*args, **kwargs)


class Grant(models.Model):
    """Role + scope. Scope fields used per role:

    college_admin: college; counselor: college + grades and/or classes; class_teacher: classes
    (college implied); mentor: college (which college may pair them); department: department;
    section: section; school_admin and auditor: none.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    college = models.ForeignKey(
        "roster.College", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    grades = models.JSONField(_("年级"), default=list, blank=True)
    classes = models.ManyToManyField("roster.SchoolClass", blank=True, related_name="grants")
    department = models.ForeignKey(
        "escalations.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    # 分类报到相关科室: a 学工处 section sees its categories' ledger tables across all colleges.
    section = models.ForeignKey(
        "ledgers.Section", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role}"


class TOTPDevice(models.Model):
    """A time-based one-time-password authenticator (RFC 6238) enrolled by one account (SEC-3).

    Unconfirmed until the user has entered a code from it once; ``last_step`` is the 30-second step of
    the last code accepted: a code is accepted only for a later step, so no code can be used twice.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    # The shared secret is a credential: encrypted at rest like the sensitive columns (SEC-27).
    secret = EncryptedTextField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("动态口令设备")
        verbose_name_plural = _("动态口令设备")

    def __str__(self) -> str:
        return f"TOTP {self.user_id} ({'confirmed' if self.confirmed else 'pending'})"


class LoginFailure(models.Model):
    """One failed sign-in (wrong password or wrong code) by a username from an address (SEC-2)."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=20, default="password")

    class Meta:
        indexes = [models.Index(fields=["username", "address", "at"])]

    def __str__(self) -> str:
        return f"{self.username}@{self.address} {self.at:%Y-%m-%d %H:%M:%S}"


class LoginLock(models.Model):
    """A username locked from one address until ``until`` (decision 7: username + IP, admins unlock).

    ``username == ""`` locks the address for every username (only when the per-address limit is on).
    """

    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    locked_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.CharField(max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["username", "address", "until"])]

    def __str__(self) -> str:
        return f"lock {self.username}@{self.address} until {self.until:%Y-%m-%d %H:%M:%S}"


class ApiToken(models.Model):
    """An API token, kept as its SHA-256 only (SEC-54): the key is shown once, when it is issued."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"token of {self.user_id}"
