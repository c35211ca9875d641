"""Helpers for the login-security tests (SEC-1 … SEC-8): two-factor on, codes, token clients."""

import re

import pyotp
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.support.testing import PASSWORD


@pytest.fixture
def otp_on(settings):
    """Two-factor as in production (the suite's conftest turns it off for force_login personas)."""
    settings.OTP_REQUIRED = True
    return settings


def code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator shows now (or ``steps_ahead`` 30-second steps later)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + steps_ahead)


def token_request(username: str, password: str = PASSWORD, *, otp: str | None = None, address: str = "10.0.0.1"):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return APIClient().post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR=address)


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
CSRF_HEADER = re.compile(rb'"X-CSRFToken": "[^"]+"')


def without_csrf(content: bytes) -> bytes:
    """A page with its CSRF tokens blanked: Django masks the token differently in every response."""
    content = CSRF_INPUT.sub(b'name="csrfmiddlewaretoken" value=""', content)
    return CSRF_HEADER.sub(b'"X-CSRFToken": ""', content)
