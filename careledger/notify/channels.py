"""One interface for every outside channel: ``send(channel, message)`` returns or raises ``DeliveryError``.

Backends: e-mail (Django's mail backend: SMTP in production, locmem in tests), the 企业微信 group robot and
the 钉钉 custom robot (domain-facts §4.7–4.8). The robots' keys, access tokens and signing secrets are
secrets: they never appear in an error text, a log line or an Attempt row.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import smtplib
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from urllib.parse import parse_qsl, quote_plus, urlsplit

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail

from careledger.notify.models import Channel, ChannelKind, Message
from careledger.notify.rules import one_line, truncate_utf8

# 企业微信: markdown.content ≤ 4096 bytes of UTF-8. 钉钉 states no byte limit we could verify; the same cap
# keeps a message well inside whatever it accepts.
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 4096
RESPONSE_MAX_BYTES = 64 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class DeliveryError(Exception):
    """A failed send. The text is short and safe to store: no key, token, secret or URL."""

    def __init__(self, reason: str, *, status_code: int | None = None):
        super().__init__(reason[:200])
        self.status_code = status_code


def absolute_link(link: str) -> str:
    return settings.CARELEDGER_BASE_URL.rstrip("/") + link


# --- message formats (pure) ---


def _markdown(head: str, body: str, tail: str, max_bytes: int) -> str:
    """head + body + tail within ``max_bytes``: the body gives way, so the title and the link always arrive."""
    room = max_bytes - len((head + tail).encode("utf-8"))
    return head + truncate_utf8(body, max(room, 0)) + tail


def wecom_payload(message: Message) -> dict:
    content = _markdown(
        f"**{message.subject}**\n", message.body, f"\n[查看详情]({absolute_link(message.link)})", WECOM_MAX_BYTES
    )
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(message: Message) -> dict:
    text = _markdown(
        f"#### {message.subject}\n\n",
        message.body,
        f"\n\n[查看详情]({absolute_link(message.link)})",
        DINGTALK_MAX_BYTES,
    )
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's signature, ready for the query string: urlencode(base64(HMAC-SHA256(secret, "{ts}\\n{secret}")))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(address: str, secret: str, timestamp_ms: int) -> str:
    """The webhook URL with ``timestamp`` and ``sign`` added when the robot has a signing secret."""
    if not secret:
        return address
    separator = "&" if urlsplit(address).query else "?"
    return f"{address}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


# --- where a webhook may point (SEC-51: no SSRF) ---


def _allowed_host(host: str) -> bool:
    """Hosts the school names as trusted (an intranet relay; the loopback for a local relay or tests)."""
    return host.lower().rstrip(".") in {h.lower().rstrip(".") for h in settings.NOTIFY_WEBHOOK_ALLOWED_HOSTS}


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


def _resolve(host: str) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})
    except (socket.gaierror, UnicodeError, OSError):
        return []


def webhook_refusal(url: str, *, resolve: bool = True, unresolved_ok: bool = True) -> str | None:
    """Why ``url`` may not receive a webhook POST, or None: https only and public addresses only, unless the
    host is named in NOTIFY_WEBHOOK_ALLOWED_HOSTS. A name is resolved and every address checked; at send
    time (``unresolved_ok=False``) a name that does not resolve is refused too. Never repeats the URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return "no host"
    if _allowed_host(host):
        return None
    if parts.scheme != "https" and not settings.NOTIFY_ALLOW_HTTP_WEBHOOKS:
        return "https only"
    try:
        literal = [str(ipaddress.ip_address(host))]
    except ValueError:
        literal = None
    if literal is None and host.lower().rstrip(".") in {"localhost", "localhost.localdomain"}:
        return "loopback"
    addresses = literal if literal is not None else (_resolve(host) if resolve else [])
    if not addresses:
        return None if unresolved_ok else "host does not resolve"
    if not all(_public(a) for a in addresses):
        return "not a public address"
    return None


# --- HTTP ---


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A robot endpoint never redirects; following one could carry the message (and the key) elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        fp.close()
        raise DeliveryError(f"HTTP {code}: redirect refused", status_code=code)


def _scrub(text: str, channel: Channel) -> str:
    """``text`` without the channel's secret or any value of its URL's query string (key, access_token)."""
    values = [channel.secret] + [value for _, value in parse_qsl(urlsplit(channel.address).query)]
    for value in values:
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def _post_json(url: str, payload: dict, channel: Channel) -> None:
    """POST ``payload``; success is HTTP 200 with a JSON body whose ``errcode`` is 0 (both robots answer so)."""
    refusal = webhook_refusal(url, unresolved_ok=False)  # resolved and checked again at send time (SEC-51)
    if refusal:
        raise DeliveryError(f"address refused: {refusal}")
    host = urlsplit(url).hostname or ""
    # The loopback (tests, a local relay) never goes through an environment proxy.
    proxies = urllib.request.ProxyHandler({}) if host in LOOPBACK_HOSTS else urllib.request.ProxyHandler()
    opener = urllib.request.build_opener(proxies, _RefuseRedirects)
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked when the channel is added)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "CareLedger-notify/1"},
        method="POST",
    )
    try:
        with opener.open(request, timeout=settings.NOTIFY_HTTP_TIMEOUT_SECONDS) as response:
            status = response.status
            raw = response.read(RESPONSE_MAX_BYTES)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise DeliveryError(f"HTTP {exc.code}", status_code=exc.code) from None
    except urllib.error.URLError as exc:
        raise DeliveryError(_scrub(f"connection failed: {exc.reason}", channel)) from None
    except TimeoutError:
        raise DeliveryError("timeout") from None
    except (OSError, HTTPException) as exc:
        raise DeliveryError(_scrub(f"connection failed: {type(exc).__name__}", channel)) from None
    if status != 200:
        raise DeliveryError(f"HTTP {status}", status_code=status)
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeliveryError("HTTP 200 but the answer is not JSON", status_code=status) from None
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if isinstance(errcode, bool) or errcode != 0:
        errmsg = str(answer.get("errmsg", ""))[:100] if isinstance(answer, dict) else ""
        raise DeliveryError(_scrub(f"errcode {errcode}: {errmsg}", channel), status_code=status)


# --- backends ---


def _send_email(channel: Channel, message: Message) -> None:
    try:
        send_mail(
            subject=one_line(message.subject, 100),
            message=f"{message.body}\n\n{absolute_link(message.link)}",
            from_email=None,  # DEFAULT_FROM_EMAIL
            recipient_list=[channel.address],
            fail_silently=False,
        )
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}: {type(exc).__name__}") from None
    except (smtplib.SMTPException, BadHeaderError, OSError) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}") from None


def _send_wecom(channel: Channel, message: Message) -> None:
    _post_json(channel.address, wecom_payload(message), channel)


def _send_dingtalk(channel: Channel, message: Message) -> None:
    # The timestamp must be within an hour of 钉钉's clock, so it is taken at the moment of sending.
    url = dingtalk_url(channel.address, channel.secret, int(time.time() * 1000))
    _post_json(url, dingtalk_payload(message), channel)


BACKENDS: dict[str, Callable[[Channel, Message], None]] = {
    ChannelKind.EMAIL: _send_email,
    ChannelKind.WECOM: _send_wecom,
    ChannelKind.DINGTALK: _send_dingtalk,
}


def send(channel: Channel, message: Message) -> None:
    """Send ``message`` through ``channel``; raises DeliveryError on any failure."""
    backend = BACKENDS.get(channel.kind)
    if backend is None:
        raise DeliveryError(f"no backend for {channel.kind}")
    backend(channel, message)
