"""SEC-46: separation of duties (三权分立). Nobody grants themselves a role; no admin hands out the auditor
role or changes the auditor's grants, password or second factor (the command line can); an admin's own
password changes only through the own-password flow with the old one."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from careledger.accounts import totp
from careledger.accounts.models import Grant, Role, User
from tests.support.testing import PASSWORD

NEW_PASSWORD = "Another-Secret-2026!"


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_sec_46_college_admin_cannot_grant_themselves_a_counselor_role_by_page(school):
    before = set(school.bob.grants.values_list("pk", flat=True))
    response = page(school.bob).post(
        f"/accounts/users/{school.bob.pk}/grants/new/",
        {"role": Role.COUNSELOR, "college": school.wenxue.pk, "grades": "2023"},
    )
    assert response.status_code == 403
    assert set(school.bob.grants.values_list("pk", flat=True)) == before


def test_sec_46_school_admin_cannot_grant_themselves_or_anyone_the_auditor_role(school):
    for target in (school.alice, school.carol):
        response = page(school.alice).post(f"/accounts/users/{target.pk}/grants/new/", {"role": Role.AUDITOR})
        assert response.status_code == 403
        assert not target.grants.filter(role=Role.AUDITOR).exists()
    response = api(school.alice).post(
        "/api/v1/users/",
        {"username": "aud2", "password": NEW_PASSWORD, "name": "x", "grants": [{"role": "auditor"}]},
        format="json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="aud2").exists()


def test_sec_46_admin_cannot_change_the_auditors_grants_password_or_second_factor(school):
    grace = school.grace
    totp.pending_device(grace)
    grant = grace.grants.get()
    client = api(school.alice)
    assert client.patch(f"/api/v1/users/{grace.pk}/", {"password": NEW_PASSWORD}, format="json").status_code == 403
    grace.refresh_from_db()
    assert grace.check_password(PASSWORD)
    assert page(school.alice).post(f"/accounts/users/{grace.pk}/otp-reset/").status_code in (403, 404)
    assert totp.device_of(grace) is not None
    page(school.alice).post(f"/accounts/grants/{grant.pk}/delete/")  # refused with a message
    assert Grant.objects.filter(pk=grant.pk).exists()
    response = page(school.alice).post(f"/accounts/users/{grace.pk}/grants/new/", {"role": Role.SCHOOL_ADMIN})
    assert response.status_code == 403
    assert list(grace.grants.values_list("role", flat=True)) == [Role.AUDITOR]


def test_sec_46_own_password_only_through_the_own_password_flow(school):
    client = api(school.alice)
    response = client.patch(f"/api/v1/users/{school.alice.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 400
    school.alice.refresh_from_db()
    assert school.alice.check_password(PASSWORD)
    response = client.post(
        "/api/v1/me/password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code in (200, 204)


def test_sec_46_staff_import_cannot_grant_the_importer_anything(school):
    csv = f"工号,姓名,角色,学院,年级\n{school.bob.username},Bob,辅导员,{school.wenxue.name},2024\n".encode()
    upload = io.BytesIO(csv)
    upload.name = "staff.csv"
    response = api(school.bob).post("/api/v1/imports/staff/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert not school.bob.grants.filter(role=Role.COUNSELOR).exists()


@pytest.mark.django_db
def test_sec_46_the_command_line_creates_the_auditor(monkeypatch):
    monkeypatch.setenv("CARELEDGER_PASSWORD", NEW_PASSWORD)
    call_command("createadmin", "audit1", "--role", "auditor", stdout=io.StringIO())
    assert list(User.objects.get(username="audit1").grants.values_list("role", flat=True)) == [Role.AUDITOR]
