"""SEC-55: behind a reverse proxy named in the settings the client address comes from X-Forwarded-For (for
lockout, rate limits and audit); never from the header otherwise; large bodies are refused before
authentication, without a temp file."""

import os
import tempfile

import pytest
from django.test import Client
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.core.net import client_address
from tests.support.testing import PASSWORD

PROXY = "10.0.0.9"


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.9", "203.0.113.5", "10.0.0.9"),  # no proxy configured: the header is ignored
        ([PROXY], "198.51.100.7", "203.0.113.5", "198.51.100.7"),  # not from the proxy: ignored
        ([PROXY], PROXY, "203.0.113.5", "203.0.113.5"),
        ([PROXY], PROXY, "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # the client may forge the left part
        (["10.0.0.0/24"], PROXY, "203.0.113.5, 10.0.0.3", "203.0.113.5"),  # two proxies
        ([PROXY], PROXY, "not-an-address", PROXY),
        ([PROXY], PROXY, "", PROXY),
    ],
)
def test_sec_55_client_address_table(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_address({"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}) == expected


def _token(password: str, forwarded: str):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": "carol", "password": password},
        format="json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_sec_55_five_bad_logins_from_one_forwarded_address_lock_that_address_only(school, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(5):
        assert _token("wrong-password-1", "203.0.113.5").status_code == 400
    assert _token(PASSWORD, "203.0.113.5").status_code == 400  # locked there
    assert _token(PASSWORD, "203.0.113.6").status_code == 200  # not school-wide
    assert AuditEvent.objects.filter(action="lockout").exists()
    assert set(AuditEvent.objects.filter(action="login_failed").values_list("remote_addr", flat=True)) == {
        "203.0.113.5"
    }


def test_sec_55_without_the_setting_the_header_is_never_believed(school, settings):
    settings.TRUSTED_PROXIES = []
    _token("wrong-password-1", "203.0.113.5")
    assert set(AuditEvent.objects.filter(action="login_failed").values_list("remote_addr", flat=True)) == {PROXY}


def test_sec_55_a_150_mb_anonymous_post_is_413_without_a_temp_file(db):
    before = set(os.listdir(tempfile.gettempdir()))
    client = Client()
    response = client.post(
        "/roster/import/",
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(150 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert set(os.listdir(tempfile.gettempdir())) == before
