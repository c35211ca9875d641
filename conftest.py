"""Test set-up shared by every app: fast hashing, plain static storage, and the personas of security.md §3."""

import secrets

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Argon2 stays the production hasher (tested in accounts); tests hash thousands of times.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Two-factor and password expiry are on in production; the personas sign in with force_login and
    # force_authenticate, and tests travel months ahead: both would meet the code or password page first.
    # accounts/tests/test_sec_1_passwords.py and test_sec_3_two_factor.py turn them on and prove them.
    settings.OTP_REQUIRED = False
    settings.PASSWORD_MAX_AGE_DAYS = 0
    # The tests make their own keys (settings.py generates none unless CARELEDGER_DEV_KEYS is on): a
    # Django secret made for this run, and for SEC-27 a fixed, public test key (base64 of 32 ASCII bytes),
    # never one from var/ or the environment.
    settings.SECRET_KEY = "test-only-" + secrets.token_urlsafe(40)
    settings.ENCRYPTION_KEYS = ["Y2FyZWxlZGdlci10ZXN0LWtleS1ub3Qtc2VjcmV0ISE="]
    # SEC-54: no head file shared across test databases (test_sec_54_audit_head turns one on per test).
    settings.AUDIT_HEAD_FILE = ""
    settings.AUDIT_CHAIN_KEYS = ["careledger-test-audit-key-not-secret"]
    # SEC-52: production counts rate limits in the database (or Redis); tests count in memory so that the
    # query-count tests see the application's queries only. core/tests/test_sec_52_reads.py proves the
    # database store is shared between cache instances and processes.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


@pytest.fixture
def school(db):
    """A small school: two colleges, four classes, a handful of students, and one persona per role."""
    from tests.support.testing import build_school

    return build_school()


@pytest.fixture(autouse=True)
def _attachments_in_tmp(settings, tmp_path):
    """Uploaded files from tests never land in the project's var/ directory."""
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.JOBS_DIR = tmp_path / "jobs"  # background jobs' uploads and result files (careledger/jobs)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (SEC-40) live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
