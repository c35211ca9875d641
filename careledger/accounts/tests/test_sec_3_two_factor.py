"""SEC-3 / api.md "Two-factor": TOTP for school_admin, college_admin and auditor (a setting adds roles),
optional for the rest; no code works twice; the web asks it as a second step, the API with ``otp``.

The suite's conftest turns two-factor off for its force_login personas; every test here turns it on
(the ``otp_on`` fixture) and shows that it is enforced — force_login sessions included.
"""

import io
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from careledger.accounts import totp
from careledger.accounts.models import TOTPDevice, User
from careledger.accounts.tests.conftest import code, token_request, with_token
from careledger.audit.models import AuditEvent
from tests.support.testing import PASSWORD, make_case

T0 = datetime.fromisoformat("2026-10-12T09:00:00+08:00")
STEP = timedelta(seconds=30)


def _enrolled(user) -> TOTPDevice:
    device = totp.pending_device(user)
    device.confirmed = True
    device.save()
    return device


# --- API ---


def test_sec_3_admin_without_device_gets_an_enrolment_token(school, otp_on):
    with time_machine.travel(T0, tick=False) as clock:
        response = token_request("alice")
        assert response.status_code == 200
        body = response.json()
        assert body["otp_enrollment_required"] is True and body["token"]
        client = with_token(body["token"])
        assert client.get("/api/v1/me/").json()["otp_enrollment_required"] is True
        refused = client.get("/api/v1/students/")
        assert refused.status_code == 403 and refused.json()["otp_enrollment_required"] is True
        assert client.get(f"/api/v1/cases/{make_case(school).pk}/").status_code == 403

        enrol = client.post("/api/v1/me/totp/")
        assert enrol.status_code == 200
        secret, uri = enrol.json()["secret"], enrol.json()["otpauth_uri"]
        assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "alice" in uri
        assert client.post("/api/v1/me/totp/").json()["secret"] == secret  # the same pending device
        wrong = client.post("/api/v1/me/totp/confirm/", {"otp": "000000"}, format="json")
        assert wrong.status_code == 400 and "otp" in wrong.json()
        confirmed = client.post("/api/v1/me/totp/confirm/", {"otp": code(secret)}, format="json")
        assert confirmed.status_code == 200 and confirmed.json() == {"otp_enabled": True}
        assert client.get("/api/v1/students/").status_code == 200  # the enrolling token is now whole
        assert client.post("/api/v1/me/totp/").status_code == 400  # no silent replacement of the device

        # From now on every token request needs the code; missing and wrong answer alike.
        clock.shift(STEP)
        missing = token_request("alice")
        wrong = token_request("alice", otp="123456")
        assert missing.status_code == wrong.status_code == 401
        assert missing.content == wrong.content
        assert missing.json()["otp_required"] is True
        good = code(secret)
        assert token_request("alice", otp=good).status_code == 200
        assert token_request("alice", otp=good).status_code == 401  # the same code twice: refused
        clock.shift(STEP)
        assert token_request("alice", otp=code(secret)).status_code == 200
    assert AuditEvent.objects.filter(actor_username="alice", detail__event="totp_confirmed").count() == 1
    assert AuditEvent.objects.filter(actor_username="alice", action="login_failed", detail__reason="otp").count() == 2


def test_sec_3_wrong_codes_count_towards_the_lock(school, otp_on):
    device = _enrolled(school.alice)
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            assert token_request("alice", otp="000000").status_code == 401
        # Locked now: even the right password and code get the wrong-password answer.
        locked = token_request("alice", otp=code(device.secret))
        assert locked.status_code == 400 and locked.content == token_request("alice", "nope-Nope-1").content
    assert AuditEvent.objects.filter(actor_username="alice", action="lockout", detail__reason="lockout").exists()


@pytest.mark.parametrize("persona", ["bob", "grace", "ivan"])
def test_sec_3_required_for_college_admins_and_auditors(school, otp_on, persona):
    assert token_request(persona).json()["otp_enrollment_required"] is True


@pytest.mark.parametrize("persona", ["carol", "dave", "erin", "frank", "harry"])
def test_sec_3_optional_for_other_roles(school, otp_on, persona):
    assert token_request(persona).json().keys() == {"token"}


def test_sec_3_a_setting_adds_roles(school, otp_on):
    otp_on.OTP_ROLES = [*otp_on.OTP_ROLES, "counselor"]
    assert token_request("carol").json()["otp_enrollment_required"] is True
    assert token_request("dave").json().keys() == {"token"}


def test_sec_3_optional_users_who_enrol_need_the_code(school, otp_on):
    with time_machine.travel(T0, tick=False):
        client = with_token(token_request("carol").json()["token"])
        secret = client.post("/api/v1/me/totp/").json()["secret"]
        assert client.post("/api/v1/me/totp/confirm/", {"otp": code(secret)}, format="json").status_code == 200
        assert token_request("carol").status_code == 401
        assert token_request("carol", otp=code(secret, steps_ahead=1)).status_code == 200


def test_sec_3_password_change_comes_before_enrolment(school, otp_on):
    school.bob.must_change_password = True
    school.bob.save()
    body = token_request("bob").json()
    assert body["password_change_required"] is True and body["otp_enrollment_required"] is True
    client = with_token(body["token"])
    refused = client.post("/api/v1/me/totp/")
    assert refused.status_code == 403 and refused.json()["password_change_required"] is True
    changed = client.post(
        "/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "Bob-New-Pass-2027"}, format="json"
    )
    assert changed.json() == {"password_changed": True, "otp_enrollment_required": True}
    assert client.post("/api/v1/me/totp/").status_code == 200


def test_sec_3_off_means_off(school, settings):
    settings.OTP_REQUIRED = False
    _enrolled(school.alice)
    assert token_request("alice").json().keys() == {"token"}


# --- web ---


def _login(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def test_sec_3_web_enrolment_then_second_step(school, otp_on):
    browser = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _login(browser, "alice")
        response = browser.get("/students/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
        # Until enrolled the session reaches nothing else, API included.
        assert browser.get("/accounts/users/").status_code == 302
        api = browser.get("/api/v1/students/")
        assert api.status_code == 403 and api.json()["otp_enrollment_required"] is True
        page = browser.get(response["Location"])
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user=school.alice)
        html = page.content.decode()
        assert device.secret in html and "otpauth://totp/" in html and "<svg" in html
        assert browser.post("/accounts/2fa/setup/", {"otp": "000000"}).status_code == 400
        done = browser.post("/accounts/2fa/setup/", {"otp": code(device.secret), "next": "/students/"})
        assert done.status_code == 302 and done["Location"] == "/students/"
        assert browser.get("/students/").status_code == 200
        assert browser.get("/api/v1/students/").status_code == 200

        # The next sign-in asks for the code before anything else.
        browser.post("/accounts/logout/")
        clock.shift(STEP)
        _login(browser, "alice")
        step = browser.get("/students/")
        assert step.status_code == 302 and step["Location"].startswith("/accounts/2fa/?")
        assert parse_qs(urlsplit(step["Location"]).query)["next"] == ["/students/"]
        api = browser.get(f"/api/v1/cases/{make_case(school).pk}/")
        assert api.status_code == 403 and api.json()["otp_required"] is True
        assert browser.get("/accounts/2fa/setup/").status_code == 302  # not the enrolment page either
        wrong = browser.post("/accounts/2fa/", {"otp": "000000"})
        assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
        good = code(device.secret)
        before = browser.cookies["sessionid"].value
        assert browser.post("/accounts/2fa/", {"otp": good, "next": "/students/"})["Location"] == "/students/"
        assert browser.cookies["sessionid"].value != before  # a new session key with the raised privilege
        assert browser.get("/students/").status_code == 200

        # The same code cannot open another session.
        other = Client()
        _login(other, "alice")
        assert other.post("/accounts/2fa/", {"otp": good}).status_code == 400
        assert other.get("/students/").status_code == 302
    assert AuditEvent.objects.filter(actor_username="alice", action="login_failed", detail__reason="otp").count() == 2


def test_sec_3_force_login_sessions_are_gated_too(client, school, otp_on):
    _enrolled(school.bob)
    client.force_login(school.bob)
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    client.force_login(school.alice)  # no device: enrolment first
    assert client.get("/students/")["Location"].startswith("/accounts/2fa/setup/")
    client.force_login(school.carol)  # optional and not enrolled: no step
    assert client.get("/students/").status_code == 200


def test_sec_3_too_many_wrong_codes_end_the_session(school, otp_on):
    _enrolled(school.bob)
    browser = Client()
    _login(browser, "bob")
    for _ in range(4):
        assert browser.post("/accounts/2fa/", {"otp": "000000"}).status_code == 400
    fifth = browser.post("/accounts/2fa/", {"otp": "000000"})
    assert fifth.status_code == 302 and fifth["Location"] == "/accounts/login/"
    assert browser.get("/").status_code == 302
    assert browser.post("/accounts/login/", {"username": "bob", "password": PASSWORD}).status_code == 200  # locked


def test_sec_3_the_step_page_says_nothing_to_verify_without_a_device(client, school, otp_on):
    client.force_login(school.carol)
    assert client.get("/accounts/2fa/?next=/students/")["Location"] == "/students/"
    assert client.get("/accounts/2fa/?next=https://evil.example/")["Location"] == "/"


def test_sec_3_optional_user_enrols_on_the_web(client, school, otp_on):
    client.force_login(school.carol)
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200 and "您的角色须使用双因素登录" not in page.content.decode()
    secret = TOTPDevice.objects.get(user=school.carol).secret
    assert client.post("/accounts/2fa/setup/", {"otp": code(secret)}).status_code == 302
    assert "已启用动态口令" in client.get("/accounts/2fa/setup/").content.decode()


def test_sec_3_admin_resets_a_lost_authenticator(client, school, otp_on):
    _enrolled(school.bob)
    device = _enrolled(school.alice)
    client.force_login(school.alice)
    client.post("/accounts/2fa/", {"otp": code(device.secret)})
    page = client.get(f"/accounts/users/{school.bob.pk}/")
    assert "重置动态口令" in page.content.decode()
    assert client.post(f"/accounts/users/{school.bob.pk}/otp-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=school.bob).exists()
    assert token_request("bob").json()["otp_enrollment_required"] is True
    assert AuditEvent.objects.filter(actor_username="alice", detail__event="totp_reset").count() == 1


# --- createadmin ---


def test_sec_3_createadmin_prints_the_otpauth_uri(db, otp_on, monkeypatch):
    monkeypatch.setenv("CARELEDGER_PASSWORD", "Strong-Passw0rd-2026")
    out = io.StringIO()
    call_command("createadmin", "xgc_admin", stdout=out)
    device = TOTPDevice.objects.get(user__username="xgc_admin")
    assert not device.confirmed
    assert totp.otpauth_uri(device) in out.getvalue()
    assert "otpauth://totp/CareLedger:xgc_admin?secret=" in out.getvalue()
    # The admin confirms it at first sign-in with a code from that URI.
    browser = Client()
    browser.post("/accounts/login/", {"username": "xgc_admin", "password": "Strong-Passw0rd-2026"})
    assert browser.get("/")["Location"].startswith("/accounts/2fa/setup/")
    assert browser.post("/accounts/2fa/setup/", {"otp": code(device.secret)}).status_code == 302
    assert browser.get("/").status_code == 200


def test_sec_3_createadmin_without_two_factor_prints_no_uri(db, settings, monkeypatch):
    settings.OTP_REQUIRED = False
    monkeypatch.setenv("CARELEDGER_PASSWORD", "Strong-Passw0rd-2026")
    out = io.StringIO()
    call_command("createadmin", "xgc_admin", stdout=out)
    assert "otpauth://" not in out.getvalue()
    assert User.objects.filter(username="xgc_admin").exists()


def test_sec_3_the_secret_is_encrypted_at_rest(school):
    from django.db import connection

    device = totp.pending_device(school.carol)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert device.secret not in stored
    assert TOTPDevice.objects.get(pk=device.pk).secret == device.secret
