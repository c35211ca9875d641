"""The notification outbox: every message is stored first (Message + one Delivery per target), then delivered.

A message carries a link and the least detail needed — never psychological or medical text — because it
leaves the system: e-mail and group robots (企业微信, 钉钉) are outside the school's access control.
"""

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careledger.core import crypto
from careledger.core.fields import EncryptedTextField


class ChannelKind(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


WEBHOOK_KINDS = frozenset({ChannelKind.WECOM, ChannelKind.DINGTALK})


def mask_address(kind: str, address: str) -> str:
    """An address fit for logs and screens: a webhook's query values (the robot's key or access token)
    are cut to their first four characters; an e-mail address is not a secret and stays as it is."""
    if kind not in WEBHOOK_KINDS:
        return address
    parts = urlsplit(address)
    query = "&".join(f"{name}={value[:4]}…" for name, value in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}" + (f"?{query}" if query else "")


class Channel(models.Model):
    """Where messages for one user or one department go besides the inbox (the inbox needs no set-up)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notify_channels",
    )
    department = models.ForeignKey(
        "escalations.Department",
        verbose_name=_("职能部门"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notify_channels",
    )
    kind = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    # The e-mail address, or the robot's webhook URL (whose key/access_token is a secret: see mask_address).
    # Encrypted at rest (SEC-27), as is the secret; uniqueness is kept on address_digest (crypto.digest).
    address = EncryptedTextField(_("地址"), max_length=500)
    address_digest = models.CharField(max_length=64, blank=True, editable=False)
    # DingTalk's signing secret ("SEC…"); empty for every other kind.
    secret = EncryptedTextField(_("加签密钥"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, department__isnull=True)
                | Q(user__isnull=True, department__isnull=False),
                name="notify_channel_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "wecom", "dingtalk"]), name="notify_channel_kind_configurable"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "address_digest"],
                condition=Q(user__isnull=False),
                name="notify_channel_user_unique",
            ),
            models.UniqueConstraint(
                fields=["department", "kind", "address_digest"],
                condition=Q(department__isnull=False),
                name="notify_channel_department_unique",
            ),
        ]

    def __str__(self) -> str:
        owner = f"user {self.user_id}" if self.user_id else f"department {self.department_id}"
        return f"{self.get_kind_display()} {self.masked_address} ({owner})"

    def __repr__(self) -> str:
        return f"<Channel {self.pk} {self.kind} {self.masked_address}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address_digest = crypto.digest(self.address)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "address" in update_fields:
            kwargs["update_fields"] = {*update_fields, "address_digest"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Before full_clean() checks the unique constraints, which compare the digest.
        self.address_digest = crypto.digest(self.address)

    @property
    def masked_address(self) -> str:
        return mask_address(self.kind, self.address)


class Message(models.Model):
    """One stored notification. ``dedupe_key`` makes enqueueing idempotent: a key is never stored twice."""

    kind = models.CharField(_("类型"), max_length=40)
    subject = models.CharField(_("标题"), max_length=100)
    # Short plain text with the least detail needed (who, which class, how urgent, by when) — never case text.
    body = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=200)
    dedupe_key = models.CharField(_("去重键"), max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")  # gave up after NOTIFY_MAX_ATTEMPTS


class Delivery(models.Model):
    """A message to one target: a user's inbox (``user``) or a configured channel (``channel``)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notify_deliveries"
    )
    # PROTECT: a channel with history is deactivated, not deleted, so the record of what went where stays.
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries")
    kind = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    # When a runner may next pick it up; claiming pushes it ahead by a lease (see services.deliver_due).
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)  # inbox only
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="inbox", user__isnull=False, channel__isnull=True)
                | (~Q(kind="inbox") & Q(user__isnull=True, channel__isnull=False)),
                name="notify_delivery_one_target",
            ),
            models.UniqueConstraint(
                fields=["message", "user", "kind"], condition=Q(user__isnull=False), name="notify_delivery_user_once"
            ),
            models.UniqueConstraint(
                fields=["message", "channel"], condition=Q(channel__isnull=False), name="notify_delivery_channel_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due"),
            models.Index(fields=["user", "read_at"], name="notify_delivery_inbox"),
        ]

    def __str__(self) -> str:
        target = f"user {self.user_id}" if self.user_id else f"channel {self.channel_id}"
        return f"message {self.message_id} → {self.kind} {target}: {self.status}"


class Attempt(models.Model):
    """One try at sending a delivery, kept whether it worked or not."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("成功"))
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)  # short, and never a key or secret
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {'ok' if self.ok else self.error}"
