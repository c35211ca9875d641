"""SEC-50: a password change (own or by an admin), a reset, a disabled account or a removed grant ends that
account's other sessions and API tokens. SEC-54 (tokens): API tokens are stored hashed."""

from django.test import Client
from rest_framework.test import APIClient

from careledger.accounts.models import ApiToken
from careledger.accounts.tests.conftest import token_request, with_token
from tests.support.testing import PASSWORD

NEW = "Another-Secret-2026!"


def _session(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code in (200, 302)
    assert client.get("/cases/").status_code == 200
    return client


def _ended(client: Client) -> bool:
    return client.get("/cases/").status_code in (302, 401, 403)


def test_sec_50_own_password_change_ends_the_old_token_and_other_sessions(school):
    token, caller = token_request("carol").json()["token"], token_request("carol").json()["token"]
    other = _session("carol")
    client = with_token(caller)
    response = client.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": NEW}, format="json")
    assert response.status_code == 200
    assert with_token(token).get("/api/v1/me/").status_code == 401
    assert with_token(caller).get("/api/v1/me/").status_code == 200  # the token that made the change stays
    assert _ended(other)


def test_sec_50_own_password_change_on_a_page_keeps_this_session_only(school):
    this, other = _session("carol"), _session("carol")
    token = token_request("carol").json()["token"]
    response = this.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}, follow=False
    )
    assert response.status_code == 302
    assert this.get("/cases/").status_code == 200
    assert _ended(other)
    assert with_token(token).get("/api/v1/me/").status_code == 401


def test_sec_50_admin_reset_disable_and_grant_removal_end_tokens_and_sessions(school):
    admin = APIClient()
    admin.force_authenticate(school.alice)
    # reset
    token, session = token_request("carol").json()["token"], _session("carol")
    assert admin.patch(f"/api/v1/users/{school.carol.pk}/", {"password": NEW}, format="json").status_code == 200
    assert with_token(token).get("/api/v1/me/").status_code == 401
    assert _ended(session)
    # grant removal
    token, session = token_request("dave").json()["token"], _session("dave")
    grant = school.dave.grants.get()
    page = Client()
    page.force_login(school.alice)
    page.post(f"/accounts/grants/{grant.pk}/delete/")
    assert with_token(token).get("/api/v1/me/").status_code == 401
    assert _ended(session)
    # disabled
    token, session = token_request("erin").json()["token"], _session("erin")
    assert admin.patch(f"/api/v1/users/{school.erin.pk}/", {"is_active": False}, format="json").status_code == 200
    assert with_token(token).get("/api/v1/me/").status_code == 401
    assert _ended(session)


def test_sec_54_api_tokens_are_stored_hashed(school):
    token = token_request("carol").json()["token"]
    stored = list(ApiToken.objects.values_list("digest", flat=True))
    assert stored and token not in stored
    assert all(token not in value for value in stored)
