"""The channel backends: the documented 企业微信/钉钉 formats, 钉钉's signature, e-mail, and failures that
never leak a key or secret. The robots are the fake endpoint on 127.0.0.1 (receiver.py)."""

import base64
import hashlib
import hmac
import smtplib
import socket
from urllib.parse import quote_plus

import pytest
from django.core import mail

from careledger.notify import channels
from careledger.notify.channels import DeliveryError, dingtalk_payload, dingtalk_sign, dingtalk_url, wecom_payload
from careledger.notify.models import Channel, ChannelKind, Message
from careledger.notify.tests.receiver import DINGTALK_PATH, WECOM_PATH

BASE = "https://care.example.edu.cn"
WECOM_KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "c0ffee0123456789abcdef"
SECRET = "SECtest-secret-0123456789"  # the fake endpoint's secret (conftest)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.CARELEDGER_BASE_URL = BASE + "/"  # a trailing slash must not double


def message(body: str = "文学院 2023级汉语言文学1班 一名学生 紧急 — 请于 1 小时内确认") -> Message:
    return Message(kind="escalation", subject="【重大安全隐患】待确认", body=body, link="/escalations/3/")


# --- 钉钉's signature ---


def test_dingtalk_sign_matches_a_fixed_vector():
    # Computed once by hand, outside Python:
    #   printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64
    #   → aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=   (then url-encoded: = → %3D)
    assert dingtalk_sign("SECtest", 1700000000000) == "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D"


def test_dingtalk_sign_follows_the_documented_recipe():
    secret, ts = "SEC0123456789abcdef+/=", 1767225600000
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert dingtalk_sign(secret, ts) == quote_plus(base64.b64encode(digest))


def test_dingtalk_url_adds_timestamp_and_sign_after_the_access_token():
    address = f"https://oapi.dingtalk.com/robot/send?access_token={DINGTALK_TOKEN}"
    assert dingtalk_url(address, "SECtest", 1700000000000) == (
        f"{address}&timestamp=1700000000000&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D"
    )
    assert dingtalk_url(address, "", 1700000000000) == address  # a robot secured by keywords only
    assert dingtalk_url("https://x.example/robot", "SECtest", 1).startswith("https://x.example/robot?timestamp=1&sign=")


# --- formats ---


def test_wecom_payload_is_documented_markdown_with_the_absolute_link():
    assert wecom_payload(message()) == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**【重大安全隐患】待确认**\n"
            "文学院 2023级汉语言文学1班 一名学生 紧急 — 请于 1 小时内确认\n"
            f"[查看详情]({BASE}/escalations/3/)"
        },
    }


def test_dingtalk_payload_is_documented_markdown_with_title_and_text():
    assert dingtalk_payload(message()) == {
        "msgtype": "markdown",
        "markdown": {
            "title": "【重大安全隐患】待确认",
            "text": "#### 【重大安全隐患】待确认\n\n"
            "文学院 2023级汉语言文学1班 一名学生 紧急 — 请于 1 小时内确认\n\n"
            f"[查看详情]({BASE}/escalations/3/)",
        },
    }


@pytest.mark.parametrize("build", [wecom_payload, dingtalk_payload])
def test_a_long_body_is_cut_to_4096_bytes_and_keeps_title_and_link(build):
    payload = build(message(body="汉" * 2000 + "😀" * 100))  # 6,400 bytes of body
    text = payload["markdown"].get("content") or payload["markdown"]["text"]
    assert len(text.encode("utf-8")) <= 4096
    assert "【重大安全隐患】待确认" in text
    assert text.endswith(f"[查看详情]({BASE}/escalations/3/)")
    assert "…" in text


# --- sending to the fake robots ---


def wecom(robots) -> Channel:
    return Channel(kind=ChannelKind.WECOM, address=robots.url(f"{WECOM_PATH}?key={WECOM_KEY}"))


def dingtalk(robots) -> Channel:
    return Channel(
        kind=ChannelKind.DINGTALK, address=robots.url(f"{DINGTALK_PATH}?access_token={DINGTALK_TOKEN}"), secret=SECRET
    )


def test_wecom_send_posts_the_json_to_the_webhook(robots):
    channels.send(wecom(robots), message())
    [got] = robots.received
    assert got.ok and got.query == {"key": WECOM_KEY}
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.body == wecom_payload(message())


def test_dingtalk_send_is_signed_and_accepted(robots):
    channels.send(dingtalk(robots), message())
    [got] = robots.received
    assert got.ok and got.sign_ok
    assert set(got.query) == {"access_token", "timestamp", "sign"}
    assert got.body == dingtalk_payload(message())


def test_dingtalk_with_a_wrong_secret_fails_without_showing_it(robots):
    channel = dingtalk(robots)
    channel.secret = "SECwrong-secret-987654"
    with pytest.raises(DeliveryError) as caught:
        channels.send(channel, message())
    assert str(caught.value) == "errcode 310000: sign not match"
    assert robots.received[0].sign_ok is False


@pytest.mark.parametrize(
    ("failure", "expected", "status"),
    [
        ("http500", "HTTP 500", 500),
        ("errcode", "errcode 130101: send too fast", 200),
        ("redirect", "HTTP 302: redirect refused", 302),
        ("notjson", "HTTP 200 but the answer is not JSON", 200),
    ],
)
def test_failures_raise_delivery_error_without_the_key(robots, failure, expected, status):
    robots.fail_first[WECOM_PATH] = 1
    robots.failure[WECOM_PATH] = failure
    with pytest.raises(DeliveryError) as caught:
        channels.send(wecom(robots), message())
    assert str(caught.value) == expected
    assert caught.value.status_code == status
    assert WECOM_KEY not in str(caught.value)
    assert len(robots.received) == 1  # the redirect was not followed


def test_an_error_message_quoting_the_key_is_scrubbed(robots, monkeypatch):
    channel = wecom(robots)
    original = robots._answer

    def answer_with_key(*args):
        original(*args)  # recorded as usual
        return 200, {"errcode": 93000, "errmsg": f"invalid webhook url, key={WECOM_KEY}"}

    monkeypatch.setattr(robots, "_answer", answer_with_key)
    with pytest.raises(DeliveryError) as caught:
        channels.send(channel, message())
    assert str(caught.value) == "errcode 93000: invalid webhook url, key=***"


def test_connection_refused_and_timeout_are_delivery_errors(robots, settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = Channel(kind=ChannelKind.WECOM, address=f"http://127.0.0.1:{port}{WECOM_PATH}?key={WECOM_KEY}")
    with pytest.raises(DeliveryError) as refused:
        channels.send(closed, message())
    assert str(refused.value).startswith("connection failed") and WECOM_KEY not in str(refused.value)

    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 0.3
    robots.delay = 1.0
    with pytest.raises(DeliveryError) as slow:
        channels.send(wecom(robots), message())
    assert "timed out" in str(slow.value) or str(slow.value) == "timeout"


# --- e-mail ---


def test_email_goes_through_djangos_mail_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "careledger@example.edu.cn"
    channels.send(Channel(kind=ChannelKind.EMAIL, address="frank@example.edu.cn"), message())
    [sent] = mail.outbox
    assert sent.to == ["frank@example.edu.cn"]
    assert sent.from_email == "careledger@example.edu.cn"
    assert sent.subject == "【重大安全隐患】待确认"
    assert sent.body == "文学院 2023级汉语言文学1班 一名学生 紧急 — 请于 1 小时内确认\n\n" + f"{BASE}/escalations/3/"


def test_email_failure_is_a_delivery_error(monkeypatch):
    def broken(**kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(channels, "send_mail", broken)
    with pytest.raises(DeliveryError, match="SMTP: SMTPServerDisconnected"):
        channels.send(Channel(kind=ChannelKind.EMAIL, address="frank@example.edu.cn"), message())


def test_the_inbox_is_not_a_sending_channel():
    with pytest.raises(DeliveryError):
        channels.send(Channel(kind=ChannelKind.INBOX, address=""), message())


# --- secrets stay out of text ---


def test_channel_str_and_repr_mask_the_key_and_never_show_the_secret():
    channel = Channel(
        pk=7,
        department_id=1,
        kind=ChannelKind.DINGTALK,
        address=f"https://oapi.dingtalk.com/robot/send?access_token={DINGTALK_TOKEN}",
        secret=SECRET,
    )
    for text in (str(channel), repr(channel)):
        assert DINGTALK_TOKEN not in text and SECRET not in text
        assert "access_token=c0ff…" in text
    email = Channel(pk=8, user_id=1, kind=ChannelKind.EMAIL, address="frank@example.edu.cn")
    assert "frank@example.edu.cn" in str(email)
