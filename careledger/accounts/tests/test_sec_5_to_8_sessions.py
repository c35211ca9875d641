"""SEC-5 idle and absolute session lifetime, token expiry; SEC-6 session rotation and logout; SEC-7
changes apply on the next request; SEC-8 cookie flags and CSRF."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from rest_framework.test import APIClient

from careledger.accounts import services
from careledger.accounts.authentication import digest
from careledger.accounts.login_security import SESSION_LOGIN_AT
from careledger.accounts.models import ApiToken
from careledger.accounts.tests.conftest import token_request, with_token
from careledger.audit.models import AuditEvent
from tests.support.testing import PASSWORD

T0 = datetime.fromisoformat("2026-10-12T08:00:00+08:00")
LI = "202301010002"  # 李四, 2023级汉语言文学2班: in carol's grade and dave's class


def _login(client: Client, username: str = "carol") -> None:
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302


# --- SEC-5 ---


def test_sec_5_idle_sessions_end_after_30_minutes(school):
    browser = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _login(browser)
        clock.shift(timedelta(minutes=29))
        assert browser.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = browser.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_sec_5_sessions_end_12_hours_after_sign_in_whatever_the_activity(school):
    browser = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _login(browser)
        for _ in range(71):  # a request every 10 minutes: never idle
            clock.shift(timedelta(minutes=10))
            assert browser.get("/").status_code == 200
        clock.shift(timedelta(minutes=10, seconds=1))  # 12 h and a second after sign-in
        response = browser.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        # The server-side session is gone, not just hidden.
        assert not Session.objects.filter(pk=browser.cookies["sessionid"].value).exists()
    event = AuditEvent.objects.filter(action="logout", actor_username="carol").get()
    assert event.detail == {"reason": "session_lifetime"}


def test_sec_5_api_over_an_old_session_gets_401(school):
    browser = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _login(browser)
        assert browser.get("/api/v1/me/").status_code == 200
        for _ in range(73):
            clock.shift(timedelta(minutes=10))
            browser.get("/api/v1/me/")
        assert browser.get("/api/v1/me/").status_code == 401


def test_sec_5_a_session_without_a_sign_in_time_is_ended(client, school):
    client.force_login(school.carol)
    session = client.session
    del session[SESSION_LOGIN_AT]
    session.save()
    assert client.get("/").status_code == 302


def test_sec_5_lifetimes_are_settings(school, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    browser = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _login(browser)
        for _ in range(2):
            clock.shift(timedelta(minutes=25))
            assert browser.get("/").status_code == 200
        clock.shift(timedelta(minutes=11))  # 61 minutes after sign-in
        assert browser.get("/").status_code == 302


def test_sec_5_api_tokens_expire_12_hours_after_issue(school):
    with time_machine.travel(T0, tick=False) as clock:
        token = token_request("carol").json()["token"]
        client = with_token(token)
        clock.shift(timedelta(hours=11, minutes=59))
        assert client.get("/api/v1/me/").status_code == 200
        # Tokens are kept hashed (SEC-54): a second sign-in gets its own; the first stays valid.
        assert token_request("carol").json()["token"] != token
        assert client.get("/api/v1/me/").status_code == 200
        clock.shift(timedelta(minutes=2))
        expired = client.get("/api/v1/me/")
        assert expired.status_code == 401
        assert not ApiToken.objects.filter(digest=digest(token)).exists()
        fresh = token_request("carol").json()["token"]
        assert fresh != token and with_token(fresh).get("/api/v1/me/").status_code == 200


def test_sec_5_an_expired_token_is_replaced_at_the_next_sign_in(school):
    with time_machine.travel(T0, tick=False) as clock:
        token = token_request("carol").json()["token"]
        clock.shift(timedelta(hours=13))
        assert token_request("carol").json()["token"] != token


# --- SEC-6 ---


def test_sec_6_the_session_key_rotates_at_sign_in(school):
    browser = Client()
    session = browser.session  # an anonymous session with a cookie, as a fixation attempt would plant
    session["planted"] = True
    session.save()
    before = browser.cookies["sessionid"].value
    _login(browser)
    after = browser.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(pk=before).exists()
    assert browser.get("/").status_code == 200


def test_sec_6_logout_deletes_the_session_and_a_replayed_cookie_fails(school):
    browser = Client()
    _login(browser)
    old = browser.cookies["sessionid"].value
    assert browser.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(pk=old).exists()
    replay = Client()
    replay.cookies["sessionid"] = old
    response = replay.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert replay.get("/api/v1/me/").status_code == 401


def test_sec_6_token_logout_deletes_the_token(school):
    token = token_request("carol").json()["token"]
    client = with_token(token)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not ApiToken.objects.filter(digest=digest(token)).exists()
    assert client.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="logout", actor_username="carol", detail__method="token").exists()


def test_sec_6_api_logout_of_a_session_deletes_it(school):
    browser = Client()
    _login(browser)
    old = browser.cookies["sessionid"].value
    assert browser.post("/api/v1/auth/logout/").status_code == 204
    assert not Session.objects.filter(pk=old).exists()


# --- SEC-7 ---


def test_sec_7_removing_a_grant_applies_on_the_next_request(school):
    browser = Client()
    _login(browser)
    api = with_token(token_request("carol").json()["token"])
    assert browser.get(f"/students/{LI}/").status_code == 200
    assert api.get(f"/api/v1/students/{LI}/").status_code == 200
    services.grant_remove(actor=school.alice, grant=school.carol.grants.get())
    # SEC-50: a removed grant also ends the account's sessions and tokens.
    assert browser.get(f"/students/{LI}/").status_code == 302
    assert api.get(f"/api/v1/students/{LI}/").status_code == 401


def test_sec_7_moving_a_class_teacher_applies_on_the_next_request(school):
    browser = Client()
    _login(browser, "dave")
    api = with_token(token_request("dave").json()["token"])
    assert api.get(f"/api/v1/students/{LI}/").status_code == 200
    school.dave.grants.get().classes.set([school.c2023_1])  # reassigned to another class
    assert api.get(f"/api/v1/students/{LI}/").status_code == 404
    assert browser.get(f"/students/{LI}/").status_code == 404


def test_sec_7_disabling_a_user_ends_sessions_and_tokens_at_once(school):
    browser = Client()
    _login(browser)
    token = token_request("carol").json()["token"]
    services.user_set_active(actor=school.alice, user=school.carol, active=False)
    assert browser.get("/").status_code == 302
    assert with_token(token).get("/api/v1/me/").status_code == 401


def test_sec_7_disabling_applies_even_to_a_token_that_survived(school):
    token = token_request("carol").json()["token"]
    type(school.carol).objects.filter(pk=school.carol.pk).update(is_active=False)  # no service: token kept
    assert with_token(token).get("/api/v1/me/").status_code == 401


# --- SEC-8 ---


def test_sec_8_production_settings_set_secure_cookie_flags(tmp_path):
    env = {
        **os.environ,
        "CARELEDGER_HTTPS": "true",
        "CARELEDGER_VAR_DIR": str(tmp_path),  # nothing generated into the project's var/
        "CARELEDGER_SECRET_KEY": "test-only-" + "q" * 50,
        "CARELEDGER_ENCRYPTION_KEYS": django_settings.ENCRYPTION_KEYS[0],
        "DJANGO_SETTINGS_MODULE": "careledger.settings",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        " 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT',"
        " 'CAS_FORCE_SSL_SERVICE_URL']}))"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "CAS_FORCE_SSL_SERVICE_URL": True,
    }


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_sec_8_set_cookie_headers_carry_the_flags(school):
    browser = Client()
    page = browser.get("/accounts/login/", secure=True)
    response = browser.post(
        "/accounts/login/", {"username": "carol", "password": PASSWORD}, secure=True, HTTP_REFERER="https://testserver/"
    )
    assert response.status_code == 302
    cookies = {**page.cookies, **response.cookies}  # the Set-Cookie headers, parsed
    for name in (django_settings.SESSION_COOKIE_NAME, django_settings.CSRF_COOKIE_NAME):
        morsel = cookies[name]
        assert morsel["secure"] is True, name
        assert morsel["httponly"] is True, name
        assert morsel["samesite"] == "Lax", name


def test_sec_8_csrf_is_enforced_on_unsafe_methods(school):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"username": "carol", "password": PASSWORD}).status_code == 403
    strict.force_login(school.alice)
    assert strict.post(f"/accounts/users/{school.carol.pk}/active/", {"active": "0"}).status_code == 403
    school.carol.refresh_from_db()
    assert school.carol.is_active
    # The API over a session needs the token too; over a Token header it does not (no ambient credential).
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(school.alice)
    assert api.post(f"/api/v1/users/{school.carol.pk}/unlock/").status_code == 403
    token = token_request("alice").json()["token"]
    tokened = APIClient(enforce_csrf_checks=True)
    tokened.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert tokened.post(f"/api/v1/users/{school.carol.pk}/unlock/").status_code == 200


def test_sec_8_csrf_passes_with_the_token(school):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/accounts/login/")
    csrf = page.context["csrf_token"]
    response = strict.post("/accounts/login/", {"username": "carol", "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
