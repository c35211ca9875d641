"""SEC-1: password rules, Argon2, change at first use and after the maximum age — web and API.

A login that owes a password change gets a token that reaches only ``/api/v1/me/``,
``POST /api/v1/me/password/`` and logout; every other API route answers 403 with
``"password_change_required": true``.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from careledger.accounts import services
from careledger.accounts.models import User
from careledger.accounts.tests.conftest import token_request, with_token
from careledger.accounts.tests.test_policy_matrix import MATRIX
from careledger.audit.models import AuditEvent
from tests.support.testing import PASSWORD

NEW = "Brand-New-Pass-2027"
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sh0rt-pw!", "password_too_short"),  # 9 characters
        ("Abcdefghijk", "password_too_short"),  # 11 characters
        ("pe#5gz29ptzmse", "password_too_common"),  # long and mixed, but on Django's common/breached list
        ("abcdefghijklmn", "password_too_simple"),  # one class of four
        ("Abcdefghijklmn", "password_too_simple"),  # two classes
        ("123456789012345", "password_entirely_numeric"),
        ("carol-counselor-1", "password_too_similar"),  # too close to the username
        ("Abcdefghijk1", None),  # 12 characters, three classes
        ("tree-lamp-river-42", None),  # lower, digit, symbol
        (PASSWORD, None),
    ],
)
@pytest.mark.django_db
def test_sec_1_password_rules(password, code):
    user = User(username="carol-counselor", name="Carol")
    if code is None:
        validate_password(password, user)
        return
    with pytest.raises(ValidationError) as raised:
        validate_password(password, user)
    assert code in [e.code for e in raised.value.error_list]


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
@pytest.mark.django_db
def test_sec_1_passwords_are_hashed_with_argon2():
    user = User.objects.create_user(username="hash-check", password=NEW, name="x")
    assert user.password.startswith("argon2$")
    assert user.check_password(NEW)


@pytest.mark.django_db
def test_sec_1_rehashing_with_a_newer_hasher_is_not_a_password_change(settings):
    user = User.objects.create_user(username="legacy", password=NEW, name="x")  # MD5 in the suite
    user.password_changed_at = timezone.now() - timedelta(days=30)
    user.save()
    settings.PASSWORD_HASHERS = [*PRODUCTION_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    fresh = User.objects.get(pk=user.pk)
    assert fresh.check_password(NEW)
    fresh.refresh_from_db()
    assert fresh.password.startswith("argon2$")  # upgraded on use …
    assert timezone.now() - fresh.password_changed_at > timedelta(days=29)  # … without restarting the clock


@pytest.mark.django_db
def test_sec_1_setting_a_password_stamps_the_change(school):
    before = school.carol.password_changed_at
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        services.user_set_password(actor=school.alice, user=school.carol, password=NEW)
    school.carol.refresh_from_db()
    assert school.carol.password_changed_at - before >= timedelta(days=3)
    assert school.carol.must_change_password


# --- the API: a restricted token until the password is changed ---


def _must_change(user) -> None:
    user.must_change_password = True
    user.save()


def test_sec_1_token_of_an_admin_set_password_is_flagged(school):
    _must_change(school.carol)
    response = token_request("carol")
    assert response.status_code == 200
    assert response.json()["password_change_required"] is True
    me = with_token(response.json()["token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "carol" and me.json()["password_change_required"] is True


def _api_calls():
    """Every API route of the policy matrix but the public ones and those a restricted token may call."""
    allowed = {"api:token", "api:schema", "api:docs", "api:me", "api:me-password", "api:auth-logout"}
    return sorted(name for name in MATRIX if name.startswith("api:") and name not in allowed)


@pytest.mark.parametrize("url_name", _api_calls())
def test_sec_1_restricted_token_is_refused_everywhere_else(school, url_name):
    method, kwargs, data, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs(school) if kwargs else None)
    _must_change(school.alice)  # the school admin: every route would otherwise let her in
    client = with_token(token_request("alice").json()["token"])
    response = getattr(client, method)(url, data or {}, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["password_change_required"] is True
    assert response.json()["detail"]
    assert AuditEvent.objects.filter(action="denied", actor_username="alice", detail__reason="password_change").exists()


def test_sec_1_password_change_through_the_api(school):
    _must_change(school.carol)
    client = with_token(token_request("carol").json()["token"])
    wrong_old = client.post("/api/v1/me/password/", {"old_password": "nope", "new_password": NEW}, format="json")
    assert wrong_old.status_code == 400 and "old_password" in wrong_old.json()
    same = client.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": PASSWORD}, format="json")
    assert same.status_code == 400 and "new_password" in same.json()
    weak = client.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "short"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()
    assert client.get("/api/v1/students/").status_code == 403

    ok = client.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": NEW}, format="json")
    assert ok.status_code == 200
    assert ok.json() == {"password_changed": True}
    # The same token now reaches what the role allows.
    assert client.get("/api/v1/students/").status_code == 200
    school.carol.refresh_from_db()
    assert school.carol.check_password(NEW) and not school.carol.must_change_password
    event = AuditEvent.objects.get(action="update", actor_username="carol", detail__event="password_change")
    assert NEW not in str(event.detail) and PASSWORD not in str(event.detail)
    assert token_request("carol", NEW).json().keys() == {"token"}


def test_sec_1_expired_password_restricts_the_token_too(school, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    school.carol.password_changed_at = timezone.now() - timedelta(days=91)
    school.carol.save()
    body = token_request("carol").json()
    assert body["password_change_required"] is True
    assert with_token(body["token"]).get("/api/v1/students/").status_code == 403


def test_sec_1_passwords_expire_after_the_maximum_age(school, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel(timezone.now() + timedelta(days=89)):
        assert "password_change_required" not in token_request("carol").json()
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert token_request("carol").json()["password_change_required"] is True
    settings.PASSWORD_MAX_AGE_DAYS = 0  # off
    with time_machine.travel(timezone.now() + timedelta(days=3650)):
        assert "password_change_required" not in token_request("carol").json()


# --- the web: the password page first ---


def test_sec_1_web_user_with_expired_password_must_change_it_first(client, school, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    school.carol.password_changed_at = timezone.now() - timedelta(days=100)
    school.carol.save()
    assert client.post("/accounts/login/", {"username": "carol", "password": PASSWORD}).status_code == 302
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/")
    assert "您的密码已超过有效期" in page.content.decode()

    same = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert same.status_code == 200 and "新密码不能与原密码相同" in same.content.decode()
    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert client.get("/students/").status_code == 200  # the session survived the change
    school.carol.refresh_from_db()
    assert timezone.now() - school.carol.password_changed_at < timedelta(minutes=1)
    assert AuditEvent.objects.filter(actor_username="carol", detail__event="password_change").count() == 1


def test_sec_1_web_password_change_clears_the_admin_set_flag(client, school):
    _must_change(school.carol)
    client.force_login(school.carol)
    assert client.get("/").status_code == 302
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    school.carol.refresh_from_db()
    assert not school.carol.must_change_password
    assert client.get("/").status_code == 200
