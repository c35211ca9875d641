"""A stand-in for the 企业微信 and 钉钉 robot endpoints: an HTTP server on 127.0.0.1 that fails on purpose.

It never touches the database. Each request is recorded with its path, query, headers and JSON body, the
DingTalk signature check (against ``dingtalk_secret``, computed here independently of the code under test)
and the answer it got. Failures: the first ``fail_first[path]`` requests to a path get ``failure`` —
"http500" (HTTP 500), "errcode" (HTTP 200 with errcode 130101, 钉钉's "send too fast"), "redirect" (302
to another host) or "notjson" (HTTP 200 with an HTML body) — and while
``down`` is set every request fails. Otherwise the answer is 200 {"errcode":0,"errmsg":"ok"}.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict
    ok: bool  # answered with success: an arrival
    sign_ok: bool | None = None  # DingTalk only


@dataclass
class Receiver:
    dingtalk_secret: str = ""
    fail_first: dict[str, int] = field(default_factory=dict)
    failure: dict[str, str] = field(default_factory=dict)  # path → "http500" | "errcode"
    down: bool = False
    delay: float = 0.0  # seconds to wait before answering (to make runners overlap)
    received: list[Received] = field(default_factory=list)
    _seen: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path_and_query: str) -> str:
        return f"http://127.0.0.1:{self.port}{path_and_query}"

    def arrivals(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path and r.ok]

    def requests(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def _answer(self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes) -> tuple[int, dict]:
        body = json.loads(raw.decode("utf-8"))
        sign_ok = None
        if path == DINGTALK_PATH and self.dingtalk_secret:
            sign_ok = _dingtalk_sign_ok(self.dingtalk_secret, query)
        with self._lock:
            self._seen[path] += 1
            failing = self.down or self._seen[path] <= self.fail_first.get(path, 0)
            if sign_ok is False:
                status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
            elif failing and self.failure.get(path) in ("redirect", "notjson"):
                status, answer = (302 if self.failure[path] == "redirect" else 200), {"mode": self.failure[path]}
            elif failing and self.failure.get(path, "http500") == "errcode":
                status, answer = 200, {"errcode": 130101, "errmsg": "send too fast"}
            elif failing:
                status, answer = 500, {"errcode": -1, "errmsg": "system busy"}
            else:
                status, answer = 200, {"errcode": 0, "errmsg": "ok"}
            ok = status == 200 and answer.get("errcode") == 0
            self.received.append(Received(path, query, headers, body, ok, sign_ok))
        return status, answer


def _dingtalk_sign_ok(secret: str, query: dict[str, str]) -> bool:
    """钉钉's own check: the timestamp within an hour, the HMAC-SHA256 signature matching."""
    try:
        timestamp = int(query["timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
        return False
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    # parse_qs has already url-decoded the sign once, as 钉钉's server does.
    return hmac.compare_digest(base64.b64encode(digest).decode(), query.get("sign", ""))


def start(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if receiver.delay:
                time.sleep(receiver.delay)
            status, answer = receiver._answer(parts.path, query, dict(self.headers), raw)
            data = b"<html>busy</html>" if answer.get("mode") == "notjson" else json.dumps(answer).encode()
            self.send_response(status)
            if answer.get("mode") == "redirect":
                self.send_header("Location", "http://other.example/steal")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server
