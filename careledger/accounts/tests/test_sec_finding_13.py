"""Issue 11, finding 13: a mentor cannot resolve a 学号 they cannot see when adding a helper (one answer
for missing and out of scope), and the lockout count is atomic: parallel wrong passwords get exactly
LOGIN_FAILURE_LIMIT real password checks."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from careledger.accounts import lockout
from tests.support.testing import make_case


def test_sec_2_helper_add_does_not_resolve_a_student_the_mentor_cannot_see(school):
    case = make_case(school, "li", mentor=school.erin)
    client = APIClient()
    client.force_authenticate(school.erin)
    outside = client.post(
        f"/api/v1/cases/{case.pk}/helpers/", {"student": "202301010001", "role": "psych_committee"}, format="json"
    )
    missing = client.post(
        f"/api/v1/cases/{case.pk}/helpers/", {"student": "209901019999", "role": "psych_committee"}, format="json"
    )
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()
    assert "张三丰" not in outside.content.decode()
    # The counselor, who sees 张三丰, adds them.
    client.force_authenticate(school.carol)
    ok = client.post(
        f"/api/v1/cases/{case.pk}/helpers/", {"student": "202301010001", "role": "psych_committee"}, format="json"
    )
    assert ok.status_code == 201


def test_sec_2_the_sixth_wrong_password_is_not_checked(school, monkeypatch):
    checks = []
    real = lockout.django_authenticate
    monkeypatch.setattr(lockout, "django_authenticate", lambda *a, **k: checks.append(1) or real(*a, **k))
    for _ in range(8):
        APIClient().post("/api/v1/auth/token/", {"username": "carol", "password": "wrong-password-1"}, format="json")
    assert len(checks) == 5


@pytest.mark.django_db(transaction=True)
def test_sec_2_thirty_parallel_wrong_passwords_get_exactly_five_checks(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (CI's second run); SQLite serialises writers anyway")
    from tests.support.testing import build_school

    build_school()
    checks = []
    real = lockout.django_authenticate
    monkeypatch.setattr(lockout, "django_authenticate", lambda *a, **k: checks.append(1) or real(*a, **k))
    barrier = threading.Barrier(30)
    statuses = []

    def attempt():
        barrier.wait()
        try:
            response = APIClient().post(
                "/api/v1/auth/token/", {"username": "carol", "password": "wrong-password-1"}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [400] * 30  # every request answered (a refused database connection shows here)
    assert len(checks) == 5
