"""The outbox. ``notify()`` stores a message and its deliveries in the caller's transaction (no network);
``deliver_due()`` — run by ``careledger tick`` / ``careledger deliver`` every minute — sends what is due.

Guarantees:
- A ``dedupe_key`` is stored once (a unique constraint), so a reminder enqueued by two ticks, or by a tick
  run twice or late, exists once.
- A delivery goes to one target once (unique per message and target) and is claimed before it is sent:
  the claim pushes ``next_attempt_at`` ahead by a lease and commits, so a second runner skips it, and a
  runner that dies mid-send leaves it to be retried when the lease runs out. A crash after the robot
  accepted but before the result was written is the one case that sends twice (at-least-once delivery).
- A channel that is down loses nothing: each failure is an Attempt row and a later retry (1, 2, 4 … minutes,
  capped at an hour) until NOTIFY_MAX_ATTEMPTS, after which the delivery is marked failed.
"""

import logging
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from careledger.accounts.models import Role, User
from careledger.audit.services import Action, record
from careledger.core import clock
from careledger.escalations.models import Department
from careledger.notify import channels
from careledger.notify.models import (
    WEBHOOK_KINDS,
    Attempt,
    Channel,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    Message,
)
from careledger.notify.rules import clip, one_line, retry_delay

logger = logging.getLogger(__name__)


# --- enqueue ---


def notify(
    *,
    users: Iterable[User] = (),
    departments: Iterable[Department] = (),
    department_inbox: bool = True,
    kind: str,
    subject: str,
    body: str,
    link: str,
    dedupe_key: str | None = None,
) -> Message | None:
    """Store a message for ``users`` and ``departments`` and return it; None if ``dedupe_key`` is already stored.

    Each user gets an inbox delivery plus one per active channel of their own; each department gets one per
    active channel of the department plus an inbox delivery for every active user with a department grant
    on it (unless ``department_inbox`` is False: the caller has listed those users itself). Inbox deliveries
    are sent at once; the others wait for ``deliver_due``. ``body`` is the least
    detail needed (who, which class, how urgent, by when) — never case, psychological or medical text.
    """
    if not link.startswith("/") or not url_has_allowed_host_and_scheme(link, allowed_hosts=set()):
        raise ValueError("link must be a path on this site, such as /cases/12/")
    if dedupe_key and Message.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    now = clock.now()
    try:
        # A savepoint: if a parallel runner stored the same key first, only this insert is undone.
        with transaction.atomic():
            message = Message.objects.create(
                kind=kind,
                subject=one_line(subject, 100),
                body=clip(body, 500),
                link=link,
                dedupe_key=dedupe_key or None,
                created_at=now,
            )
    except IntegrityError:
        if dedupe_key and Message.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise

    user_ids = {user.pk for user in users}
    department_ids = {department.pk for department in departments}
    active_user_ids = set(
        User.objects.filter(is_active=True, pk__in=user_ids).values_list("pk", flat=True) if user_ids else ()
    )
    inbox_user_ids = active_user_ids | set(
        User.objects.filter(is_active=True, grants__role=Role.DEPARTMENT, grants__department_id__in=department_ids)
        .values_list("pk", flat=True)
        .distinct()
        if department_ids and department_inbox
        else ()
    )
    targets = (
        Channel.objects.filter(is_active=True)
        .filter(Q(user_id__in=active_user_ids) | Q(department_id__in=department_ids))
        .only("pk", "kind")
        if active_user_ids or department_ids
        else Channel.objects.none()
    )
    deliveries = [
        Delivery(message=message, user_id=user_id, kind=ChannelKind.INBOX, status=DeliveryStatus.SENT, sent_at=now)
        for user_id in sorted(inbox_user_ids)
    ] + [
        Delivery(
            message=message, channel=channel, kind=channel.kind, status=DeliveryStatus.PENDING, next_attempt_at=now
        )
        for channel in targets
    ]
    if not deliveries:
        logger.warning("notify: message %s (%s) has no recipient", message.pk, kind)
    Delivery.objects.bulk_create(deliveries)
    return message


# --- deliver ---


def _webhook_budget(now: datetime) -> Counter[int]:
    """Sends left this minute per robot channel: 企业微信 and 钉钉 each take 20 a minute per robot, and 钉钉
    silences a robot for 10 minutes beyond that."""
    recent = (
        Attempt.objects.filter(at__gt=now - timedelta(minutes=1), delivery__kind__in=WEBHOOK_KINDS)
        .values("delivery__channel_id")
        .annotate(n=Count("id"))
    )
    budget: Counter[int] = Counter()
    for row in recent:
        budget[row["delivery__channel_id"]] -= row["n"]
    return budget


def _claim_next(now: datetime, exclude_channels: set[int]) -> Delivery | None:
    """Take the next due delivery and push its ``next_attempt_at`` ahead by the lease, committed before sending.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so two runners never wait on or take the same row. SQLite: the
    IMMEDIATE transaction mode (settings) serialises writers, so the second runner sees the first one's lease.
    """
    with transaction.atomic():
        due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        if exclude_channels:
            due = due.exclude(channel_id__in=exclude_channels)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        delivery = due.select_related("message", "channel").order_by("next_attempt_at", "id").first()
        if delivery is None:
            return None
        lease_until = now + timedelta(seconds=settings.NOTIFY_CLAIM_SECONDS)
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=lease_until)
        delivery.next_attempt_at = lease_until
    return delivery


def _attempt(delivery: Delivery, now: datetime) -> bool:
    """Send one claimed delivery, record the Attempt and the outcome. True if it went out."""
    channel = delivery.channel
    if channel is None or not channel.is_active:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="channel deactivated"
        )
        return False
    started = time.perf_counter()
    status_code: int | None = None
    try:
        channels.send(channel, delivery.message)
    except channels.DeliveryError as exc:
        ok, error, status_code = False, str(exc), exc.status_code
    except Exception as exc:  # a bug in one backend must not stop the other deliveries
        # The exception's text may quote the URL (and so the key): only its type is kept.
        ok, error = False, f"unexpected {type(exc).__name__}"
        logger.error("notify: delivery %s raised %s", delivery.pk, type(exc).__name__)
    else:
        ok, error = True, ""
    duration_ms = int((time.perf_counter() - started) * 1000)

    attempts = delivery.attempts + 1
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery, at=now, ok=ok, status_code=status_code, error=error[:200], duration_ms=duration_ms
        )
        if ok:
            changes = {"status": DeliveryStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": ""}
        elif attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            changes = {"status": DeliveryStatus.FAILED, "next_attempt_at": None, "last_error": error[:200]}
            logger.warning("notify: delivery %s (%s) failed %s times; giving up", delivery.pk, channel.kind, attempts)
        else:
            delay = retry_delay(
                attempts,
                base_seconds=settings.NOTIFY_BACKOFF_BASE_SECONDS,
                max_seconds=settings.NOTIFY_BACKOFF_MAX_SECONDS,
            )
            changes = {"next_attempt_at": now + delay, "last_error": error[:200]}
            logger.info("notify: delivery %s (%s) attempt %s failed: %s", delivery.pk, channel.kind, attempts, error)
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(attempts=attempts, **changes)
    return ok


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send every delivery due at ``now`` (default: the clock), at most ``limit`` attempts; return how many went.

    Call it outside a transaction: each claim and each result commits on its own, and no database
    transaction is held open across a network call.
    """
    sent = 0
    budget = _webhook_budget(now or clock.now())
    per_minute = settings.NOTIFY_WEBHOOK_PER_MINUTE
    exhausted = {channel_id for channel_id, used in budget.items() if per_minute + used <= 0}
    for _round in range(limit):
        moment = now or clock.now()
        delivery = _claim_next(moment, exhausted)
        if delivery is None:
            break
        if _attempt(delivery, now or clock.now()):
            sent += 1
        if delivery.kind in WEBHOOK_KINDS and delivery.channel_id is not None:  # a robot's delivery
            budget[delivery.channel_id] -= 1
            if per_minute + budget[delivery.channel_id] <= 0:
                exhausted.add(delivery.channel_id)  # the rest waits for the next minute's run
    return sent


# --- the inbox ---


def inbox_for(user: User) -> QuerySet[Delivery]:
    """The user's inbox, newest first."""
    return Delivery.objects.filter(user=user, kind=ChannelKind.INBOX).select_related("message").order_by("-id")


def unread_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Delivery.objects.filter(user=user, kind=ChannelKind.INBOX, read_at__isnull=True).count()


def mark_read(user: User, delivery_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own inbox items read (all of them when ``delivery_ids`` is None); return how many."""
    unread = Delivery.objects.filter(user=user, kind=ChannelKind.INBOX, read_at__isnull=True)
    if delivery_ids is not None:
        unread = unread.filter(pk__in=list(delivery_ids))
    return unread.update(read_at=clock.now())


# --- channels ---

LOOPBACK_HOSTS = channels.LOOPBACK_HOSTS


def _webhook_error(url: str) -> str | None:
    """Why ``url`` cannot be a robot webhook, or None. The message never repeats the URL (it holds the key)."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return _("请填写以 https:// 开头的机器人 Webhook 地址。")
    parts = urlsplit(url)
    if parts.username or parts.password:
        return _("Webhook 地址中不能包含用户名或密码。")
    from careledger.notify.channels import webhook_refusal

    refusal = webhook_refusal(url)
    if refusal == "https only":
        return _("Webhook 地址必须使用 https。")
    if refusal:
        return _("Webhook 地址必须是公网地址（内网主机须由管理员在配置中列出）。")
    return None


@transaction.atomic
def channel_add(
    *,
    actor: User | None,
    user: User | None = None,
    department: Department | None = None,
    kind: str,
    address: str,
    secret: str = "",
) -> Channel:
    """Configure a channel for one user or one department. The caller has checked that ``actor`` may do so."""
    address, secret = address.strip(), secret.strip()
    errors: dict[str, str] = {}
    if (user is None) == (department is None):
        errors["__all__"] = _("渠道须属于一个账号或一个职能部门（二者选一）。")
    if kind == ChannelKind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            errors["address"] = _("请填写有效的电子邮件地址。")
    elif kind in WEBHOOK_KINDS:
        problem = _webhook_error(address)
        if problem:
            errors["address"] = problem
    else:
        errors["kind"] = _("渠道须为电子邮件、企业微信群机器人或钉钉群机器人。")
    if kind == ChannelKind.DINGTALK and secret and not secret.startswith("SEC"):
        errors["secret"] = _("钉钉加签密钥以 SEC 开头。")
    elif kind != ChannelKind.DINGTALK and secret:
        errors["secret"] = _("只有钉钉机器人使用加签密钥。")
    if errors:
        raise ValidationError(errors)
    channel = Channel(user=user, department=department, kind=kind, address=address, secret=secret)
    channel.full_clean()
    channel.save()
    record(
        actor=actor,
        action=Action.CREATE,
        object_type="channel",
        object_id=channel.pk,
        # Kind and owner only: the address of a robot holds its key.
        detail={"kind": kind, "user": user.pk if user else None, "department": department.pk if department else None},
    )
    return channel


@transaction.atomic
def channel_set_active(*, actor: User | None, channel: Channel, is_active: bool) -> Channel:
    """Switch a channel on or off. Channels with history are switched off, never deleted."""
    if channel.is_active != is_active:
        channel.is_active = is_active
        channel.save(update_fields=["is_active"])
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="channel",
            object_id=channel.pk,
            detail={"fields": ["is_active"], "is_active": is_active},
        )
    return channel
