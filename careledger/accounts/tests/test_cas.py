"""统一身份认证 (CAS) single sign-on through django-cas-ng, against a small CAS server on 127.0.0.1.

The stand-in speaks the CAS protocol: ``/cas/login?service=…`` issues a service ticket and redirects
back to the service; ``/cas/serviceValidate`` (CAS 2.0) and ``/cas/p3/serviceValidate`` (3.0) answer
the XML for a ticket issued to exactly that service, once. The tests run the real flow: our
``/accounts/cas/login/`` → the CAS login → back with the ticket → django-cas-ng validates it over HTTP.
"""

import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import HTTPRedirectHandler, build_opener
from xml.sax.saxutils import escape

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.test import Client, override_settings

from careledger.accounts import totp
from careledger.accounts.login_security import CAS_BACKEND
from careledger.accounts.tests.conftest import code
from careledger.audit.models import AuditEvent

CAS_NS = "http://www.yale.edu/tp/cas"


class FakeCAS:
    def __init__(self):
        self.user = ""  # who signs in at the CAS login page
        self.tickets: dict[str, tuple[str, str]] = {}  # ticket → (service, user)
        self.validations: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/cas/login":
                    ticket = "ST-" + secrets.token_hex(8)
                    fake.tickets[ticket] = (query["service"], fake.user)
                    joiner = "&" if "?" in query["service"] else "?"
                    self.send_response(302)
                    self.send_header("Location", f"{query['service']}{joiner}{urlencode({'ticket': ticket})}")
                    self.end_headers()
                elif url.path in ("/cas/serviceValidate", "/cas/p3/serviceValidate"):
                    fake.validations.append(url.path)
                    service, user = fake.tickets.pop(query.get("ticket", ""), (None, None))
                    if service is not None and service == query.get("service"):
                        inner = f"<cas:authenticationSuccess><cas:user>{escape(user)}</cas:user></cas:authenticationSuccess>"
                    else:
                        inner = '<cas:authenticationFailure code="INVALID_TICKET">unknown ticket</cas:authenticationFailure>'
                    body = f'<cas:serviceResponse xmlns:cas="{CAS_NS}">{inner}</cas:serviceResponse>'.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(404)
                    self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cas/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def cas(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeCAS() as fake, override_settings(CAS_SERVER_URL=fake.url):
        yield fake


def cas_sign_in(browser: Client, fake: FakeCAS, user: str, next_url: str = "/students/"):
    """Our CAS login → the CAS server's login (user signs in there) → back to us with the ticket."""
    fake.user = user
    to_cas = browser.get("/accounts/cas/login/", {"next": next_url})
    assert to_cas.status_code == 302 and to_cas["Location"].startswith(fake.url + "login?service=")
    opener = build_opener(_NoRedirect)
    try:
        opener.open(to_cas["Location"], timeout=5)
        raise AssertionError("the CAS login should redirect")
    except Exception as exc:  # urllib raises HTTPError for the unfollowed 302
        back = exc.headers["Location"]
    assert "ticket=ST-" in back
    parts = urlsplit(back)
    return browser.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def test_cas_maps_the_cas_user_to_an_existing_account(school, cas):
    browser = Client()
    response = cas_sign_in(browser, cas, "carol")
    assert response.status_code == 302 and response["Location"] == "/students/"
    assert cas.validations == ["/cas/serviceValidate"]  # CAS 2.0 by default
    assert browser.session[BACKEND_SESSION_KEY] == CAS_BACKEND
    assert browser.get("/students/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor_username="carol").count() == 1


def test_cas_3_validates_at_p3(school, cas, settings):
    settings.CAS_VERSION = "3"
    assert cas_sign_in(Client(), cas, "carol").status_code == 302
    assert cas.validations == ["/cas/p3/serviceValidate"]


def test_cas_never_creates_accounts(school, cas):
    from careledger.accounts.models import User

    browser = Client()
    response = cas_sign_in(browser, cas, "stranger")
    assert response.status_code == 403
    assert not User.objects.filter(username="stranger").exists()
    assert browser.get("/").status_code == 302  # not signed in
    event = AuditEvent.objects.get(action="login_failed", actor_username="stranger")
    assert event.detail == {"method": "cas", "reason": "unknown_or_inactive"}


def test_cas_user_without_a_grant_has_no_access(school, cas):
    browser = Client()
    assert cas_sign_in(browser, cas, "harry", next_url="/").status_code == 302
    assert browser.get("/students/").status_code == 403  # the same "no access" as any grant-less account


def test_cas_refuses_a_disabled_account(school, cas):
    school.carol.is_active = False
    school.carol.save()
    assert cas_sign_in(Client(), cas, "carol").status_code == 403


def test_cas_refuses_a_ticket_for_another_service_or_used_twice(school, cas):
    browser = Client()
    cas.user = "carol"
    cas.tickets["ST-forged"] = ("http://elsewhere.example/", "carol")
    assert browser.get("/accounts/cas/login/", {"next": "/", "ticket": "ST-forged"}).status_code == 403
    assert AuditEvent.objects.filter(action="login_failed", detail__reason="invalid_ticket").exists()


def test_cas_sign_in_needs_no_password_change_but_still_two_factor(school, cas, settings):
    school.carol.must_change_password = True
    school.carol.save()
    browser = Client()
    cas_sign_in(browser, cas, "carol")
    assert browser.get("/students/").status_code == 200  # the password was not used

    settings.OTP_REQUIRED = True
    device = totp.pending_device(school.bob)
    device.confirmed = True
    device.save()
    admin = Client()
    cas_sign_in(admin, cas, "bob")
    assert admin.get("/students/")["Location"].startswith("/accounts/2fa/")
    admin.post("/accounts/2fa/", {"otp": code(device.secret)})
    assert admin.get("/students/").status_code == 200


def test_cas_button_shows_only_when_configured(client, settings):
    settings.CAS_SERVER_URL = None
    assert "统一身份认证登录" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/cas/login/").status_code == 404
    settings.CAS_SERVER_URL = "https://cas.example.edu.cn/cas/"
    assert "统一身份认证登录" in client.get("/accounts/login/").content.decode()


def test_cas_refuses_an_off_site_next(school, cas):
    assert Client().get("/accounts/cas/login/", {"next": "https://evil.example/"}).status_code == 400


def test_cas_unreachable_server_is_a_refusal_not_an_error(school, settings):
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"  # discard port: nothing listens
    response = Client().get("/accounts/cas/login/", {"next": "/", "ticket": "ST-1"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="login_failed", detail__reason="cas_unavailable").exists()
