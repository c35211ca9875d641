"""The audit trail: one row per write, sensitive read, import, export, login and denial.

Rows are append-only and chained: each stores the SHA-256 of its own canonical serialisation, which
includes the previous row's hash (services.record() writes them, services.verify() checks them). On
PostgreSQL a trigger refuses UPDATE and DELETE, except a retention purge of rows older than the
retention (migration 0002; SECURITY.md "Audit trail").
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    READ = "read", _("查看")
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看敏感信息")
    DENIED = "denied", _("拒绝访问")
    LOCKOUT = "lockout", _("账号锁定")


class Outcome(models.TextChoices):
    OK = "ok", _("成功")
    DENIED = "denied", _("拒绝")
    CONFLICT = "conflict", _("冲突")
    ERROR = "error", _("错误")


class AuditEvent(models.Model):
    # Set by record() under the chain lock, so that the order of ``at`` follows the order of ``id``.
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the row still says who it was if the account is renamed.
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True, db_index=True)
    # The actor's roles when it happened (comma-separated role codes), e.g. "counselor,mentor".
    roles = models.CharField(_("角色"), max_length=100, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=40, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    student_no = models.CharField(_("学号"), max_length=20, blank=True, db_index=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.OK)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # Field names, counts and reasons — never the sensitive values themselves.
    detail = models.JSONField(default=dict, blank=True)
    # The hash chain: prev_hash is the previous row's hash (or the purge anchor); hash covers this row.
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_type}"


class ChainHead(models.Model):
    """One row (pk=1): where the chain ends, where it starts after a purge, and the retention in force.

    ``last_id``/``last_hash`` let verify() notice rows deleted from the end; ``anchor_id``/``anchor_hash``
    are the last purged row, whose hash the oldest remaining row carries as its prev_hash;
    ``retention_days`` is read by the PostgreSQL trigger, which lets only rows older than that (and never
    younger than 180 days) be deleted.
    """

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    anchor_id = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, blank=True)
    retention_days = models.PositiveIntegerField(default=1095)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self) -> str:
        return f"audit chain up to {self.last_id}"
