"""Every URL × every role, against one table (MATRIX, in matrix.py). A URL added without a row there fails
the meta-test, and a URL without a rule in policy.RULES is refused to everyone (see
test_unruled_url_is_denied).

Statuses: 200 ok; 302 redirect (anonymous → login, or a form's success); 400 bad input (the caller was
let in); 401 API without credentials; 403 role may not call it; 404 object out of scope; 405 method.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from careledger.accounts import policy
from careledger.accounts.tests.matrix import MATRIX, ROLES


def _url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry, ns)
        elif isinstance(entry, URLPattern):
            names.add(f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>")
    return names


def test_every_url_is_in_the_matrix():
    assert _url_names() == set(MATRIX), "each URL needs a matrix row (and a rule in policy.RULES)"


def test_every_url_has_a_rule_and_every_rule_a_url():
    names = _url_names()
    assert names == set(policy.RULES) | set(policy.PUBLIC)


def test_unruled_url_is_denied(school):
    for user in school.users.values():
        assert not policy.allows_endpoint(user, "some:new-endpoint", "GET")
        assert not policy.allows_endpoint(user, None, "GET")


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_role_matrix(client, school, url_name):
    from django.urls import reverse

    method, kwargs, data, expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs(school) if kwargs else None)
    got = {}
    for role in ROLES:
        # Each role meets the same data: whatever one role changes is rolled back before the next.
        with transaction.atomic():
            client.logout()
            if role != "anon":
                client.force_login(school.users[role])
            if method in ("put", "patch"):
                response = getattr(client, method)(url, data, content_type="application/json")
            elif data is not None:
                response = getattr(client, method)(url, data)
            else:
                response = getattr(client, method)(url)
            got[role] = response.status_code
            transaction.set_rollback(True)
    assert got == expected


def test_a_user_with_an_admin_set_password_must_change_it_first(client, school):
    school.carol.must_change_password = True
    school.carol.save()
    client.force_login(school.carol)
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200


def test_page_and_api_compare_rules_agree():
    """The 下学期对比 page and its API answer the same roles (they once disagreed about sections)."""
    assert policy.RULES["ledgers:compare"] == policy.RULES["api:ledger-compare"]
