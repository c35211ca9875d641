"""The outbox services: who gets a message, dedupe, the inbox, channel set-up, and deliver_due's schedule.

Sending here goes through a recording stand-in for ``channels.send`` (the real robots are in test_e2e.py).
frank is the 心理健康教育中心's department user; carol a counselor.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from careledger.accounts.models import Grant, Role
from careledger.audit.models import AuditEvent
from careledger.escalations.models import Department
from careledger.notify import channels, services
from careledger.notify.channels import DeliveryError
from careledger.notify.models import Attempt, Channel, ChannelKind, Delivery, DeliveryStatus, Message
from tests.support.testing import make_user

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=c0ffee0123456789abcdef"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def psych(school) -> Department:
    return school.frank.grants.get().department


def send(**kwargs) -> Message | None:
    defaults = {
        "kind": "escalation",
        "subject": "【重大安全隐患】待确认",
        "body": "文学院 2023级汉语言文学1班 一名学生 紧急 — 请于 1 小时内确认",
        "link": "/escalations/3/",
    }
    return services.notify(**(defaults | kwargs))


class Recorder:
    """Stands in for channels.send: records (channel id, message id) and fails while ``failing`` is set."""

    def __init__(self):
        self.sent: list[tuple[int, int]] = []
        self.failing = False

    def __call__(self, channel, message):
        if self.failing:
            raise DeliveryError("HTTP 500", status_code=500)
        self.sent.append((channel.pk, message.pk))


@pytest.fixture
def recorder(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(channels, "send", recorder)
    return recorder


# --- notify: recipients ---


def test_a_department_message_goes_to_its_robots_and_to_the_inbox_of_its_active_staff(school, clock):
    dept = psych(school)
    other = Department.objects.create(code="security", name="保卫处")
    gina = make_user("gina", role=Role.DEPARTMENT, department=dept)
    hank = make_user("hank", role=Role.DEPARTMENT, department=dept)
    hank.is_active = False
    hank.save()
    make_user("iris", role=Role.DEPARTMENT, department=other)
    wecom = Channel.objects.create(department=dept, kind=ChannelKind.WECOM, address=WECOM_URL)
    ding = Channel.objects.create(department=dept, kind=ChannelKind.DINGTALK, address=DINGTALK_URL, secret="SECx")
    Channel.objects.create(department=dept, kind=ChannelKind.EMAIL, address="old@example.edu.cn", is_active=False)
    Channel.objects.create(department=other, kind=ChannelKind.WECOM, address=WECOM_URL)

    message = send(departments=[dept])

    inbox = message.deliveries.filter(kind=ChannelKind.INBOX)
    assert sorted(inbox.values_list("user__username", flat=True)) == ["frank", "gina"]
    assert {(d.status, d.sent_at) for d in inbox} == {(DeliveryStatus.SENT, NOW)}
    robots = message.deliveries.exclude(kind=ChannelKind.INBOX)
    assert sorted((d.channel_id, d.kind, d.status, d.next_attempt_at) for d in robots) == [
        (wecom.pk, "wecom", "pending", NOW),
        (ding.pk, "dingtalk", "pending", NOW),
    ]
    assert gina.notify_deliveries.count() == 1


def test_a_user_message_goes_to_the_inbox_and_the_users_active_channels(school, clock):
    email = Channel.objects.create(user=school.carol, kind=ChannelKind.EMAIL, address="carol@example.edu.cn")
    Channel.objects.create(user=school.carol, kind=ChannelKind.WECOM, address=WECOM_URL, is_active=False)
    Channel.objects.create(user=school.bob, kind=ChannelKind.EMAIL, address="bob@example.edu.cn")

    message = send(users=[school.carol], kind="reminder")

    assert sorted((d.kind, d.user_id, d.channel_id) for d in message.deliveries.all()) == [
        ("email", None, email.pk),
        ("inbox", school.carol.pk, None),
    ]


def test_a_user_named_and_in_the_department_gets_one_inbox_item(school):
    message = send(users=[school.frank, school.frank], departments=[psych(school)])
    assert list(message.deliveries.values_list("kind", "user_id")) == [("inbox", school.frank.pk)]


def test_inactive_users_get_nothing(school):
    school.carol.is_active = False
    school.carol.save()
    Channel.objects.create(user=school.carol, kind=ChannelKind.EMAIL, address="carol@example.edu.cn")
    message = send(users=[school.carol])
    assert message is not None and not message.deliveries.exists()


def test_notify_makes_no_network_call(school, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("notify must not send")

    monkeypatch.setattr(channels, "send", forbidden)
    Channel.objects.create(department=psych(school), kind=ChannelKind.WECOM, address=WECOM_URL)
    assert send(departments=[psych(school)]).deliveries.count() == 2


def test_subject_and_body_are_kept_short_and_the_link_must_be_a_path_on_this_site(school):
    message = send(users=[school.carol], subject="紧急\n" + "标" * 200, body="正" * 600)
    assert "\n" not in message.subject and len(message.subject) == 100
    assert len(message.body) == 500
    for link in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "cases/1/"):
        with pytest.raises(ValueError):
            send(users=[school.carol], link=link)


# --- notify: dedupe ---


def test_the_same_dedupe_key_is_stored_once(school):
    first = send(users=[school.carol], dedupe_key="reminder:case:12:2026-11")
    second = send(users=[school.carol], dedupe_key="reminder:case:12:2026-11")
    assert first is not None and second is None
    assert Message.objects.count() == 1 and Delivery.objects.count() == 1


def test_a_key_stored_by_a_parallel_runner_is_caught_by_the_constraint(school, monkeypatch):
    """The runner's "already there?" check misses a row committed a moment later; the unique constraint
    catches it inside a savepoint, so the caller's transaction goes on."""
    send(users=[school.carol], dedupe_key="tick:2026-11-20T10:00")
    real_exists = QuerySet.exists
    calls = []

    def exists_misses_once(self):
        calls.append(1)
        return False if len(calls) == 1 else real_exists(self)

    monkeypatch.setattr(QuerySet, "exists", exists_misses_once)
    with transaction.atomic():
        assert send(users=[school.carol], dedupe_key="tick:2026-11-20T10:00") is None
        assert Message.objects.count() == 1  # the transaction is still usable
    assert len(calls) == 2


def test_messages_without_a_key_are_never_deduplicated(school):
    send(users=[school.carol])
    send(users=[school.carol])
    assert Message.objects.count() == 2


# --- the inbox ---


def test_inbox_unread_count_and_mark_read(school, clock):
    first = send(users=[school.carol], subject="一")
    clock.shift(timedelta(minutes=1))
    second = send(users=[school.carol, school.bob], subject="二")
    assert services.unread_count(school.carol) == 2
    assert [d.message.subject for d in services.inbox_for(school.carol)] == ["二", "一"]

    bobs = second.deliveries.get(user=school.bob)
    carols_first = first.deliveries.get(user=school.carol)
    # Someone else's item is not touched, even when its id is posted.
    assert services.mark_read(school.carol, [carols_first.pk, bobs.pk]) == 1
    assert services.unread_count(school.carol) == 1 and services.unread_count(school.bob) == 1
    assert services.mark_read(school.carol) == 1
    assert services.unread_count(school.carol) == 0
    assert Delivery.objects.get(pk=carols_first.pk).read_at == NOW + timedelta(minutes=1)


def test_unread_count_of_an_anonymous_user_is_zero():
    from django.contrib.auth.models import AnonymousUser

    assert services.unread_count(AnonymousUser()) == 0


# --- channel_add ---


def test_channel_add_stores_the_channel_and_audits_without_the_address(school):
    channel = services.channel_add(actor=school.alice, department=psych(school), kind="wecom", address=WECOM_URL)
    assert channel.pk and channel.is_active and channel.address == WECOM_URL
    event = AuditEvent.objects.get(object_type="channel")
    assert (event.actor, event.action, event.object_id) == (school.alice, "create", str(channel.pk))
    assert "693axxx6" not in str(event.detail)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "wecom", "address": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123"}, "address"),
        ({"kind": "wecom", "address": "ftp://qyapi.weixin.qq.com/send?key=abcdef123"}, "address"),
        ({"kind": "wecom", "address": "javascript:alert(1)"}, "address"),
        ({"kind": "wecom", "address": "https://user:pw@qyapi.weixin.qq.com/send?key=abcdef123"}, "address"),
        ({"kind": "wecom", "address": WECOM_URL, "secret": "SECabc"}, "secret"),
        ({"kind": "dingtalk", "address": DINGTALK_URL, "secret": "abc"}, "secret"),
        ({"kind": "email", "address": "not-an-address"}, "address"),
        ({"kind": "inbox", "address": ""}, "kind"),
        ({"kind": "sms", "address": "13800000000"}, "kind"),
    ],
)
def test_channel_add_refuses_bad_input(school, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        services.channel_add(actor=school.alice, department=psych(school), **kwargs)
    assert field in caught.value.message_dict
    assert "abcdef123" not in str(caught.value) and "c0ffee" not in str(caught.value)
    assert not Channel.objects.exists() and not AuditEvent.objects.filter(object_type="channel").exists()


def test_a_channel_belongs_to_one_user_or_one_department(school):
    with pytest.raises(ValidationError):
        services.channel_add(actor=school.alice, kind="email", address="a@example.edu.cn")
    with pytest.raises(ValidationError):
        services.channel_add(
            actor=school.alice, user=school.carol, department=psych(school), kind="email", address="a@example.edu.cn"
        )


def test_the_same_channel_twice_is_refused(school):
    services.channel_add(actor=school.alice, user=school.carol, kind="email", address="carol@example.edu.cn")
    with pytest.raises(ValidationError):
        services.channel_add(actor=school.alice, user=school.carol, kind="email", address="carol@example.edu.cn")


def test_http_webhooks_only_on_the_loopback_unless_a_setting_allows_them(school, settings):
    dept = psych(school)
    services.channel_add(
        actor=school.alice, department=dept, kind="dingtalk", address="http://127.0.0.1:8080/robot/send"
    )
    services.channel_add(actor=school.alice, department=dept, kind="wecom", address="http://localhost:8080/send?key=k")
    intranet = "http://relay.school.edu.cn/robot/send?access_token=t"
    with pytest.raises(ValidationError):
        services.channel_add(actor=school.alice, department=dept, kind="dingtalk", address=intranet)
    settings.NOTIFY_ALLOW_HTTP_WEBHOOKS = True
    services.channel_add(actor=school.alice, department=dept, kind="dingtalk", address=intranet, secret="SECx")
    assert Channel.objects.count() == 3


def test_channel_set_active_is_audited(school):
    channel = services.channel_add(actor=school.alice, user=school.carol, kind="email", address="c@example.edu.cn")
    services.channel_set_active(actor=school.alice, channel=channel, is_active=False)
    channel.refresh_from_db()
    assert not channel.is_active
    assert AuditEvent.objects.filter(object_type="channel", action="update").count() == 1


# --- deliver_due ---


@pytest.fixture
def wecom_channel(school):
    return Channel.objects.create(department=psych(school), kind=ChannelKind.WECOM, address=WECOM_URL)


def robot_delivery(message: Message) -> Delivery:
    return message.deliveries.exclude(kind=ChannelKind.INBOX).get()


def test_deliver_due_sends_and_records_the_attempt(school, wecom_channel, recorder, clock):
    message = send(departments=[psych(school)])
    assert services.deliver_due() == 1
    assert recorder.sent == [(wecom_channel.pk, message.pk)]
    delivery = robot_delivery(message)
    assert (delivery.status, delivery.attempts, delivery.sent_at, delivery.next_attempt_at) == ("sent", 1, NOW, None)
    [attempt] = Attempt.objects.all()
    assert (attempt.delivery, attempt.ok, attempt.at, attempt.error) == (delivery, True, NOW, "")
    assert services.deliver_due() == 0  # run again at the same moment: nothing goes twice
    assert len(recorder.sent) == 1


def test_failures_retry_after_1_2_4_8_minutes_then_give_up(school, wecom_channel, recorder, clock, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 5
    recorder.failing = True
    delivery = robot_delivery(send(departments=[psych(school)]))
    schedule = []
    for minute in range(0, 40):
        moment = NOW + timedelta(minutes=minute)
        clock.move_to(moment)
        before = Attempt.objects.count()
        services.deliver_due()
        if Attempt.objects.count() > before:
            schedule.append(minute)
    assert schedule == [0, 1, 3, 7, 15]  # waits of 1, 2, 4 and 8 minutes
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 5, None)
    assert delivery.last_error == "HTTP 500"
    assert set(delivery.attempt_log.values_list("ok", "status_code")) == {(False, 500)}


def test_a_delivery_is_not_tried_before_its_time(school, wecom_channel, recorder, clock):
    recorder.failing = True
    delivery = robot_delivery(send(departments=[psych(school)]))
    services.deliver_due()
    recorder.failing = False
    assert services.deliver_due(now=NOW + timedelta(seconds=59)) == 0
    assert services.deliver_due(now=NOW + timedelta(seconds=60)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_claimed_delivery_is_left_alone_until_its_lease_ends(school, wecom_channel, recorder, clock, settings):
    """A runner that claimed a delivery and died before sending: the others skip it until the lease ends."""
    settings.NOTIFY_CLAIM_SECONDS = 300
    delivery = robot_delivery(send(departments=[psych(school)]))
    claimed = services._claim_next(NOW, set())  # …and the runner dies here
    assert claimed.pk == delivery.pk
    assert services.deliver_due(now=NOW + timedelta(seconds=299)) == 0
    assert services.deliver_due(now=NOW + timedelta(seconds=300)) == 1
    assert recorder.sent == [(wecom_channel.pk, delivery.message_id)]


def test_a_deactivated_channel_fails_its_deliveries_without_an_attempt(school, wecom_channel, recorder, clock):
    delivery = robot_delivery(send(departments=[psych(school)]))
    services.channel_set_active(actor=school.alice, channel=wecom_channel, is_active=False)
    assert services.deliver_due() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "channel deactivated")
    assert not Attempt.objects.exists() and recorder.sent == []


def test_an_unexpected_error_in_a_backend_is_a_failure_and_the_others_go_on(school, monkeypatch, clock):
    dept = psych(school)
    broken = Channel.objects.create(department=dept, kind=ChannelKind.WECOM, address=WECOM_URL + "0")
    fine = Channel.objects.create(department=dept, kind=ChannelKind.EMAIL, address="psych@example.edu.cn")
    sent = []

    def flaky(channel, message):
        if channel.pk == broken.pk:
            raise RuntimeError(f"boom {channel.address}")
        sent.append(channel.pk)

    monkeypatch.setattr(channels, "send", flaky)
    send(departments=[dept])
    assert services.deliver_due() == 1
    assert sent == [fine.pk]
    failure = Attempt.objects.get(ok=False)
    assert failure.error == "unexpected RuntimeError"  # not the text, which held the URL


def test_a_robot_gets_at_most_20_messages_a_minute(school, wecom_channel, recorder, clock):
    email = Channel.objects.create(department=psych(school), kind=ChannelKind.EMAIL, address="psych@example.edu.cn")
    for n in range(25):
        send(departments=[psych(school)], subject=f"提醒 {n}")
    assert services.deliver_due() == 45  # 20 to the robot, all 25 e-mails
    assert sum(1 for channel_id, _ in recorder.sent if channel_id == wecom_channel.pk) == 20
    clock.shift(timedelta(seconds=30))
    assert services.deliver_due() == 0  # the robot's minute is not over
    clock.shift(timedelta(seconds=31))
    assert services.deliver_due() == 5
    assert sorted(message_id for channel_id, message_id in recorder.sent if channel_id == wecom_channel.pk) == sorted(
        Message.objects.values_list("pk", flat=True)
    )
    assert Delivery.objects.filter(channel=email, status="sent").count() == 25


def test_deliver_due_stops_at_its_limit(school, wecom_channel, recorder, clock):
    for n in range(5):
        send(departments=[psych(school)], subject=f"提醒 {n}")
    assert services.deliver_due(limit=3) == 3
    assert services.deliver_due(limit=3) == 2


def test_grant_on_another_department_is_not_a_recipient(school):
    other = Department.objects.create(code="security", name="保卫处")
    Grant.objects.create(user=school.carol, role=Role.DEPARTMENT, department=other)
    message = send(departments=[psych(school)])
    assert list(message.deliveries.values_list("user__username", flat=True)) == ["frank"]
