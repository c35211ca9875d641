"""SEC-52: every read of sensitive data is audited (ledger pages and API detail, escalation lists,
timelines, attachment lists, student and case lists); rate limits cover all of them and every export,
counted in a store all worker processes share (Redis, or the database)."""

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.core import middleware
from tests.support.testing import make_escalation, make_ledger


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _reads() -> int:
    return AuditEvent.objects.filter(action="read").count()


def test_sec_52_each_sensitive_read_adds_one_audit_row(school):
    escalation = make_escalation(school)
    case = escalation.case
    ledger = make_ledger(school)
    reads = [
        (_page(school.carol), f"/ledgers/{ledger.pk}/", "ledger"),
        (_api(school.carol), f"/api/v1/ledgers/{ledger.pk}/", "ledger"),
        (_page(school.carol), "/escalations/", "escalation"),
        (_api(school.carol), "/api/v1/escalations/", "escalation"),
        (_api(school.carol), f"/api/v1/cases/{case.pk}/timeline/", "case"),
        (_api(school.carol), f"/api/v1/cases/{case.pk}/attachments/", "case"),
        (_api(school.carol), "/api/v1/students/", "student"),
        (_page(school.carol), "/students/", "student"),
        (_api(school.carol), "/api/v1/cases/", "case"),
        (_page(school.carol), "/cases/", "case"),
        (_api(school.carol), f"/api/v1/students/{case.student.student_no}/", "student"),
    ]
    for client, url, object_type in reads:
        before = _reads()
        assert client.get(url).status_code == 200, url
        assert _reads() == before + 1, url
        assert AuditEvent.objects.filter(action="read").latest("id").object_type == object_type


def _url_names(resolver=None, ns=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _url_names(entry, f"{ns}{entry.namespace}:" if entry.namespace else ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{ns}{entry.name}"


def test_sec_52_every_export_and_audited_read_is_rate_limited():
    names = set(_url_names())
    exports = {n for n in names if "export" in n or "case-file" in n}
    assert exports and exports <= set(middleware.RATE_LIMITED)
    assert set(middleware.AUDITED_READS) <= set(middleware.RATE_LIMITED)
    assert set(middleware.AUDITED_READS) <= names


def test_sec_52_sensitive_lists_are_limited(school, settings):
    settings.CARELEDGER_RATE_SENSITIVE_READS_PER_HOUR = 3
    client = _api(school.carol)
    assert [client.get("/api/v1/students/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert _page(school.carol).get("/students/").status_code == 429


@pytest.mark.django_db
def test_sec_52_the_database_store_is_shared_between_cache_instances(school, settings, monkeypatch):
    """Two worker processes = two cache objects over one table: the count is one."""
    settings.CARELEDGER_RATE_SENSITIVE_READS_PER_HOUR = 2
    worker_a = DatabaseCache("careledger_cache", {})
    worker_b = DatabaseCache("careledger_cache", {})
    client = _api(school.carol)
    monkeypatch.setattr(middleware, "cache", worker_a)
    assert [client.get("/api/v1/students/").status_code for _ in range(2)] == [200, 200]
    monkeypatch.setattr(middleware, "cache", worker_b)
    assert client.get("/api/v1/students/").status_code == 429
