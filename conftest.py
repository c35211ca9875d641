"""Test set-up shared by every app: fast hashing, plain static storage, and the personas of security.md §3."""

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


@pytest.fixture
def school(db):
    """A small school: two colleges, four classes, a handful of students, and one persona per role."""
    from careledger.core.testing import build_school

    return build_school()


@pytest.fixture(autouse=True)
def _attachments_in_tmp(settings, tmp_path):
    """Uploaded files from tests never land in the project's var/ directory."""
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
