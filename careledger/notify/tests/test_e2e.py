"""End to end: the outbox against a local HTTP server on 127.0.0.1 standing in for 企业微信 and 钉钉.

The server (receiver.py) fails the first requests on purpose, then recovers. The clock is controlled
(time-machine) and moved past each backoff; ``deliver_due`` is what ``careledger tick`` runs each minute.
"Arrived" means a request the robot accepted (HTTP 200, errcode 0); failed requests are not arrivals.
"""

import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.db.models import QuerySet

from careledger.notify import channels, services
from careledger.notify.models import Attempt, Channel, ChannelKind, Delivery, DeliveryStatus, Message
from careledger.notify.tests.receiver import DINGTALK_PATH, WECOM_PATH

T0 = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
WECOM_KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "c0ffee0123456789abcdef"
BASE = "http://127.0.0.1:8000"  # CARELEDGER_BASE_URL's default


def ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def robot_channels(school, robots) -> tuple[Channel, Channel]:
    dept = school.frank.grants.get().department
    wecom = services.channel_add(
        actor=school.alice, department=dept, kind="wecom", address=robots.url(f"{WECOM_PATH}?key={WECOM_KEY}")
    )
    dingtalk = services.channel_add(
        actor=school.alice,
        department=dept,
        kind="dingtalk",
        address=robots.url(f"{DINGTALK_PATH}?access_token={DINGTALK_TOKEN}"),
        secret=robots.dingtalk_secret,
    )
    return wecom, dingtalk


def escalate(school, n: int, **extra) -> Message:
    return services.notify(
        departments=[school.frank.grants.get().department],
        kind="escalation",
        subject=f"【重大安全隐患】待确认 {n}",
        body=f"文学院 2023级汉语言文学{n}班 一名学生 紧急 — 请于 1 小时内确认",
        link=f"/escalations/{n}/",
        **extra,
    )


def wecom_format(n: int) -> dict:
    """The documented 企业微信 markdown message for escalation ``n``."""
    return {
        "msgtype": "markdown",
        "markdown": {
            "content": f"**【重大安全隐患】待确认 {n}**\n"
            f"文学院 2023级汉语言文学{n}班 一名学生 紧急 — 请于 1 小时内确认\n"
            f"[查看详情]({BASE}/escalations/{n}/)"
        },
    }


def dingtalk_format(n: int) -> dict:
    """The documented 钉钉 markdown message for escalation ``n``."""
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": f"【重大安全隐患】待确认 {n}",
            "text": f"#### 【重大安全隐患】待确认 {n}\n\n"
            f"文学院 2023级汉语言文学{n}班 一名学生 紧急 — 请于 1 小时内确认\n\n"
            f"[查看详情]({BASE}/escalations/{n}/)",
        },
    }


@pytest.fixture
def real_concurrency(transactional_db):
    """Skip on SQLite's in-memory test database: it is one shared cache, where a second writer gets "database
    table is locked" at once instead of waiting (busy_timeout does not apply). A file database — production,
    or the tests run with CARELEDGER_TEST_SQLITE=/path/test.sqlite3 — waits as it should; PostgreSQL always
    runs these tests."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need PostgreSQL or a file SQLite database")


def arrived(robots, path: str) -> Counter:
    """How many times each distinct message body was accepted at ``path``."""
    return Counter(str(r.body) for r in robots.arrivals(path))


@pytest.mark.django_db(transaction=True)
def test_robots_that_fail_then_recover_get_every_message_exactly_once(school, robots):
    # 企业微信 answers HTTP 500 to its first 8 requests; 钉钉 answers errcode 130101 to its first 6.
    robots.fail_first = {WECOM_PATH: 8, DINGTALK_PATH: 6}
    robots.failure = {WECOM_PATH: "http500", DINGTALK_PATH: "errcode"}
    with time_machine.travel(T0, tick=False) as clock:
        wecom, dingtalk = robot_channels(school, robots)
        messages = [escalate(school, n) for n in range(1, 6)]
        sent_per_minute = []
        for minute in range(12):
            clock.move_to(T0 + timedelta(minutes=minute))
            sent_per_minute.append(services.deliver_due())

    # Minute 0: all 10 fail. Minute 1: 企业微信 fails 3 more (they wait 2 minutes), 钉钉 1 more; 6 go.
    # Minute 3: the last 4 go. Nothing is sent in between or twice afterwards.
    assert sent_per_minute == [0, 6, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]

    # Every message arrived exactly once per robot, in the documented format.
    assert arrived(robots, WECOM_PATH) == Counter({str(wecom_format(n)): 1 for n in range(1, 6)})
    assert arrived(robots, DINGTALK_PATH) == Counter({str(dingtalk_format(n)): 1 for n in range(1, 6)})
    for request in robots.requests(WECOM_PATH):
        assert request.query == {"key": WECOM_KEY}
        assert request.headers["Content-Type"] == "application/json; charset=utf-8"

    # Every 钉钉 request was signed with the time of sending, and the signature checked out.
    dingtalk_requests = robots.requests(DINGTALK_PATH)
    assert all(r.sign_ok for r in dingtalk_requests)
    assert all(r.query["access_token"] == DINGTALK_TOKEN for r in dingtalk_requests)
    assert {r.query["timestamp"] for r in dingtalk_requests} == {
        ms(T0),
        ms(T0 + timedelta(minutes=1)),
        ms(T0 + timedelta(minutes=3)),
    }

    # Every attempt is recorded: failures + successes = the requests the robots saw.
    for channel, path, failures in ((wecom, WECOM_PATH, 8), (dingtalk, DINGTALK_PATH, 6)):
        attempts = Attempt.objects.filter(delivery__channel=channel)
        assert attempts.filter(ok=False).count() == failures
        assert attempts.filter(ok=True).count() == 5
        assert attempts.count() == len(robots.requests(path))
    assert set(Attempt.objects.filter(delivery__channel=wecom, ok=False).values_list("status_code", "error")) == {
        (500, "HTTP 500")
    }
    assert set(Attempt.objects.filter(delivery__channel=dingtalk, ok=False).values_list("error", flat=True)) == {
        "errcode 130101: send too fast"
    }
    # A message that failed twice was retried after 1, then 2 minutes.
    slow = Delivery.objects.get(channel=wecom, message=messages[0])
    assert list(slow.attempt_log.values_list("at", "ok")) == [
        (T0, False),
        (T0 + timedelta(minutes=1), False),
        (T0 + timedelta(minutes=3), True),
    ]
    assert (slow.status, slow.attempts, slow.last_error) == (DeliveryStatus.SENT, 3, "")
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    # …and the department's staff have them in the inbox.
    assert services.unread_count(school.frank) == 5
    # No key or secret was written into any attempt.
    assert not Attempt.objects.filter(error__contains=WECOM_KEY[:8]).exists()
    assert not Attempt.objects.filter(error__contains=DINGTALK_TOKEN[:8]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_robot_that_is_down_loses_nothing_and_gets_the_message_when_it_returns(school, robots):
    robots.down = True
    with time_machine.travel(T0, tick=False) as clock:
        robot_channels(school, robots)
        escalate(school, 1)
        for minute in range(60):
            clock.move_to(T0 + timedelta(minutes=minute))
            assert services.deliver_due() == 0

        # An hour of outage: tried at minutes 0, 1, 3, 7, 15 and 31, still pending, next at minute 63.
        for delivery in Delivery.objects.exclude(kind=ChannelKind.INBOX):
            assert delivery.status == DeliveryStatus.PENDING
            assert delivery.attempts == 6
            assert delivery.next_attempt_at == T0 + timedelta(minutes=63)
        assert robots.arrivals(WECOM_PATH) == [] and robots.arrivals(DINGTALK_PATH) == []
        assert len(robots.received) == 12

        robots.down = False
        clock.move_to(T0 + timedelta(minutes=62))
        assert services.deliver_due() == 0  # back, but the retry is not due yet
        clock.move_to(T0 + timedelta(minutes=63))
        assert services.deliver_due() == 2
        for minute in range(64, 70):  # later ticks send nothing again
            clock.move_to(T0 + timedelta(minutes=minute))
            assert services.deliver_due() == 0

    assert arrived(robots, WECOM_PATH) == Counter({str(wecom_format(1)): 1})
    assert arrived(robots, DINGTALK_PATH) == Counter({str(dingtalk_format(1)): 1})
    assert Attempt.objects.count() == 14 == len(robots.received)


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_the_same_time_send_nothing_twice(real_concurrency, school, robots):
    robots.delay = 0.05  # each request takes a moment, so the two runners overlap
    robot_channels(school, robots)
    for n in range(1, 9):
        escalate(school, n)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def runner():
        try:
            barrier.wait(timeout=10)
            results.append(services.deliver_due())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(results) == 16
    assert min(results) > 0  # both runners worked: they really ran side by side
    assert len(robots.received) == 16  # not one request twice, failed or not
    assert arrived(robots, WECOM_PATH) == Counter({str(wecom_format(n)): 1 for n in range(1, 9)})
    assert arrived(robots, DINGTALK_PATH) == Counter({str(dingtalk_format(n)): 1 for n in range(1, 9)})
    assert Attempt.objects.count() == 16


@pytest.mark.django_db(transaction=True)
def test_a_runner_started_while_another_is_sending_does_not_resend(school, robots, monkeypatch):
    """The second runner starts while the first has claimed a delivery and is waiting on the robot."""
    robot_channels(school, robots)
    for n in range(1, 4):
        escalate(school, n)
    real_send = channels.send
    second_runner: list[int] = []

    def send_while_another_runner_starts(channel, message):
        if not second_runner:
            second_runner.append(-1)
            second_runner[0] = services.deliver_due()
        real_send(channel, message)

    monkeypatch.setattr(channels, "send", send_while_another_runner_starts)
    first_runner = services.deliver_due()
    assert first_runner + second_runner[0] == 6
    assert second_runner[0] == 5  # everything but the delivery the first runner holds
    assert len(robots.received) == 6
    assert arrived(robots, WECOM_PATH) == Counter({str(wecom_format(n)): 1 for n in range(1, 4)})
    assert arrived(robots, DINGTALK_PATH) == Counter({str(dingtalk_format(n)): 1 for n in range(1, 4)})


@pytest.mark.django_db(transaction=True)
def test_two_ticks_enqueueing_the_same_reminder_store_it_once(real_concurrency, school, robots, monkeypatch):
    robot_channels(school, robots)
    real_exists = QuerySet.exists
    local = threading.local()
    # On PostgreSQL both ticks pass the "already stored?" check before either inserts, so the unique
    # constraint has to decide. On SQLite the IMMEDIATE transaction mode lets only one tick write at a time.
    barrier = threading.Barrier(2) if connection.vendor == "postgresql" else None

    def exists_together(self):
        answer = real_exists(self)
        if barrier is not None and not getattr(local, "waited", False):
            local.waited = True
            barrier.wait(timeout=10)
        return answer

    monkeypatch.setattr(QuerySet, "exists", exists_together)
    results: list[Message | None] = []
    errors: list[BaseException] = []

    def tick():
        try:
            with transaction.atomic():
                results.append(escalate(school, 1, dedupe_key="escalation:1:overdue"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(result is None for result in results) == [False, True]
    assert Message.objects.filter(dedupe_key="escalation:1:overdue").count() == 1
    assert Delivery.objects.count() == 3  # frank's inbox + the two robots, once
    assert services.deliver_due() == 2
    assert len(robots.received) == 2
