"""SEC-2 / SEC-40: failed sign-ins are counted per username + address; past the limit the pair is locked
for a while and answers exactly as a wrong password does; an admin can unlock (decision 7)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client

from careledger.accounts import lockout
from careledger.accounts.models import LoginLock
from careledger.accounts.tests.conftest import token_request, with_token, without_csrf
from careledger.audit.models import AuditEvent
from tests.support.testing import PASSWORD

T0 = datetime.fromisoformat("2026-10-12T09:00:00+08:00")


def _fail_api(username: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert token_request(username, "wrong-Password-1", address=address).status_code == 400


def test_sec_2_api_five_failures_lock_even_the_right_password(school):
    with time_machine.travel(T0, tick=False) as clock:
        _fail_api("carol", 4)
        clock.shift(timedelta(minutes=1))
        assert token_request("carol").status_code == 200  # four failures: not yet
        _fail_api("carol", 5)
        wrong = token_request("carol", "wrong-Password-1")
        right = token_request("carol")
        assert right.status_code == wrong.status_code == 400
        assert right.content == wrong.content  # byte for byte: a lock tells nothing
        clock.shift(timedelta(minutes=14))
        assert token_request("carol").status_code == 400  # still locked after 14 minutes
        clock.shift(timedelta(minutes=2))  # 16 minutes after the lock
        assert token_request("carol").status_code == 200


def test_sec_2_web_form_locks_and_answers_as_a_wrong_password(school):
    browser = Client(REMOTE_ADDR="10.0.0.9")
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(5):
            response = browser.post("/accounts/login/", {"username": "carol", "password": "wrong-Password-1"})
            assert response.status_code == 200
        wrong = browser.post("/accounts/login/", {"username": "carol", "password": "wrong-Password-1"})
        right = browser.post("/accounts/login/", {"username": "carol", "password": PASSWORD})
        assert right.status_code == wrong.status_code == 200
        assert "用户名或密码错误" in right.content.decode()
        assert without_csrf(right.content) == without_csrf(wrong.content)
        assert "_auth_user_id" not in browser.session
        clock.shift(timedelta(minutes=16))
        assert browser.post("/accounts/login/", {"username": "carol", "password": PASSWORD}).status_code == 302


def test_sec_2_unknown_users_answer_like_wrong_passwords(school):
    unknown = token_request("nobody-here", "wrong-Password-1")
    wrong = token_request("carol", "wrong-Password-1")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.content == wrong.content
    # On the form the only difference is the username echoed back into its field.
    web_unknown = Client().post("/accounts/login/", {"username": "nobody-here", "password": "wrong-Password-1"})
    web_wrong = Client().post("/accounts/login/", {"username": "carol", "password": "wrong-Password-1"})
    assert web_unknown.status_code == web_wrong.status_code == 200
    assert without_csrf(web_unknown.content).replace(b"nobody-here", b"carol") == without_csrf(web_wrong.content)
    # Unknown usernames are counted and locked like real ones (one failure above, four more here).
    _fail_api("nobody-here", 3)
    assert not lockout.is_locked("nobody-here", "10.0.0.1")
    _fail_api("nobody-here", 1)
    assert lockout.is_locked("nobody-here", "10.0.0.1")


def test_sec_2_disabled_account_answers_like_a_wrong_password(school):
    school.carol.is_active = False
    school.carol.save()
    assert token_request("carol").content == token_request("carol", "wrong-Password-1").content


def test_sec_2_the_lock_holds_one_address_only(school):
    _fail_api("carol", 5, address="10.0.0.1")
    assert token_request("carol", address="10.0.0.1").status_code == 400
    assert token_request("carol", address="10.0.0.2").status_code == 200  # no lockout of the account everywhere
    assert token_request("dave", address="10.0.0.1").status_code == 200  # nor of the address for others


def test_sec_2_the_per_address_limit_when_turned_on(school, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for name in ("u1", "u2", "u3", "u4", "u5", "u6"):
        _fail_api(name, 1, address="10.0.0.7")
    assert token_request("dave", address="10.0.0.7").status_code == 400
    assert token_request("dave", address="10.0.0.8").status_code == 200


def test_sec_2_successful_logins_are_not_throttled(school):
    for _ in range(30):
        assert token_request("carol").status_code == 200
    # A success starts the count again: four failures, a success, four failures → not locked.
    _fail_api("carol", 4)
    assert token_request("carol").status_code == 200
    _fail_api("carol", 4)
    assert token_request("carol").status_code == 200


def test_sec_2_failures_outside_the_window_do_not_count(school):
    with time_machine.travel(T0, tick=False) as clock:
        _fail_api("carol", 4)
        clock.shift(timedelta(minutes=16))
        _fail_api("carol", 4)
        assert token_request("carol").status_code == 200


def test_sec_2_failures_and_the_lockout_are_audited(school):
    _fail_api("carol", 5)
    token_request("carol")  # refused while locked
    failed = AuditEvent.objects.filter(action="login_failed", actor_username="carol")
    assert failed.filter(outcome="denied").count() == 6
    assert failed.filter(detail__reason="locked").count() == 1
    lock = AuditEvent.objects.get(action="lockout", actor_username="carol", detail__reason="lockout")
    assert lock.outcome == "denied" and lock.remote_addr == "10.0.0.1"
    assert lock.detail["failures"] == 5 and lock.detail["minutes"] == 15
    assert "wrong-Password-1" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_sec_2_limits_are_settings(school, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_SECONDS = 60
    with time_machine.travel(T0, tick=False) as clock:
        _fail_api("carol", 2)
        assert token_request("carol").status_code == 400
        clock.shift(timedelta(seconds=61))
        assert token_request("carol").status_code == 200


# --- an admin unlocks ---


def test_sec_2_admin_unlocks_on_the_user_page(client, school):
    _fail_api("carol", 5)
    client.force_login(school.alice)
    page = client.get(f"/accounts/users/{school.carol.pk}/")
    assert "解除锁定" in page.content.decode() and "10.0.0.1" in page.content.decode()
    response = client.post(f"/accounts/users/{school.carol.pk}/unlock/")
    assert response.status_code == 302
    assert token_request("carol").status_code == 200
    assert "解除锁定" not in client.get(f"/accounts/users/{school.carol.pk}/").content.decode()
    event = AuditEvent.objects.get(action="update", actor_username="alice", detail__event="unlock")
    assert event.object_id == str(school.carol.pk) and event.detail["locks"] == 1


def test_sec_2_admin_unlocks_through_the_api(school):
    _fail_api("carol", 5)
    alice = with_token(token_request("alice", address="10.0.0.50").json()["token"])
    ivan = with_token(token_request("ivan", address="10.0.0.50").json()["token"])
    assert ivan.post(f"/api/v1/users/{school.carol.pk}/unlock/").status_code == 404  # not his college
    assert token_request("carol").status_code == 400
    response = alice.post(f"/api/v1/users/{school.carol.pk}/unlock/")
    assert response.status_code == 200 and response.json() == {"unlocked": 1}
    assert not LoginLock.objects.filter(released_at__isnull=True).exists()
    assert token_request("carol").status_code == 200


@pytest.mark.parametrize("persona", ["carol", "harry", "grace"])
def test_sec_2_only_admins_unlock(school, persona):
    _fail_api("dave", 5)
    client = with_token(token_request(persona, address="10.0.0.60").json()["token"])
    assert client.post(f"/api/v1/users/{school.dave.pk}/unlock/").status_code == 403
    assert lockout.is_locked("dave", "10.0.0.1")
