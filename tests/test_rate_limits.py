"""SEC-40: reads of case files and exports are limited per user (limits lowered here to reach them)."""

import time

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.core import middleware
from tests.support.testing import make_case, make_ledger


@pytest.fixture
def low_limits(settings):
    settings.CARELEDGER_RATE_CASE_READS_PER_HOUR = 3
    settings.CARELEDGER_RATE_EXPORTS_PER_DAY = 2


def _limited_rows(user):
    return AuditEvent.objects.filter(actor_username=user.username, action="denied", detail__reason="rate_limit")


def test_sec_40_defaults_allow_a_days_work(settings):
    assert settings.CARELEDGER_RATE_CASE_READS_PER_HOUR == 600
    assert settings.CARELEDGER_RATE_EXPORTS_PER_DAY == 100


def test_sec_40_case_reads_over_the_limit_get_429_and_an_audited_denial(school, low_limits):
    case = make_case(school, "li", mentor=school.erin)
    api = APIClient()
    api.force_authenticate(school.carol)
    page = Client()
    page.force_login(school.carol)
    # Pages and API count together: it is one limit per user.
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert page.get(f"/cases/{case.pk}/").status_code == 200
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    refused = api.get(f"/api/v1/cases/{case.pk}/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "李四" not in refused.content.decode()
    page_refused = page.get(f"/cases/{case.pk}/")
    assert page_refused.status_code == 429 and "李四" not in page_refused.content.decode()
    rows = _limited_rows(school.carol)
    assert rows.count() == 2
    row = rows.latest("id")
    assert (row.outcome, row.object_type, row.object_id) == ("denied", "endpoint", "cases:detail")
    assert row.detail["bucket"] == "case_read"
    # Another user is not affected; writes are not reads.
    other = APIClient()
    other.force_authenticate(school.dave)
    assert other.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    # The window passes.
    with time_machine.travel(time.time() + 3700):
        assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_sec_40_exports_over_the_daily_limit_get_429(school, low_limits):
    ledger = make_ledger(school)
    case = make_case(school, "li", mentor=school.erin)
    page = Client()
    page.force_login(school.carol)
    api = APIClient()
    api.force_authenticate(school.carol)
    assert page.get(f"/ledgers/{ledger.pk}/export/").status_code == 200
    assert api.get(f"/api/v1/cases/{case.pk}/export/").status_code == 200  # a case file: a read and an export
    assert api.get(f"/api/v1/ledgers/{ledger.pk}/export/").status_code == 429
    assert page.get(f"/ledgers/case-file/{case.pk}/").status_code == 429
    assert _limited_rows(school.carol).filter(detail__bucket="export").count() == 2


def test_sec_40_auditor_exports_are_limited_too(school, low_limits):
    page = Client()
    page.force_login(school.grace)
    for _ in range(2):
        assert page.get("/audit/export/?format=csv").status_code == 200
    assert page.get("/audit/export/?format=csv").status_code == 429


def test_sec_40_every_rate_limited_url_exists_and_each_limit_is_a_setting(settings):
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(resolver=None, ns=""):
        for entry in (resolver or get_resolver()).url_patterns:
            if isinstance(entry, URLResolver):
                yield from names(entry, f"{ns}{entry.namespace}:" if entry.namespace else ns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{ns}{entry.name}"

    assert set(middleware.RATE_LIMITED) <= set(names())
    for bucket in middleware.BUCKETS.values():
        assert isinstance(getattr(settings, bucket.setting), int)


def _redis_url() -> str | None:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/15"


@pytest.mark.skipif(_redis_url() is None, reason="no Redis on 127.0.0.1:6379")
def test_sec_40_with_redis_every_worker_process_shares_the_counters(school, low_limits, settings):
    """CARELEDGER_REDIS_URL: the counters live in Redis, so that gunicorn's workers count together."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    url = _redis_url()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    caches["default"].clear()
    try:
        case = make_case(school, "li", mentor=school.erin)
        api = APIClient()
        api.force_authenticate(school.carol)
        for _ in range(3):
            assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200
        # Another process's cache client sees the same count …
        other_worker = RedisCache(url, {})
        keys = [k for k in other_worker._cache.get_client().keys("*careledger:rl:case_read:*")]
        assert keys and int(other_worker._cache.get_client().get(keys[0])) == 3
        # … and the next read, from anywhere, is over the limit.
        assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 429
    finally:
        caches["default"].clear()
