"""IDOR (SEC-10; ASVS 4.2.1): every URL that names an object — a pk, a 学号 or a case — is walked from the
URL conf and called by personas whose role may use the endpoint but whose scope does not hold the object.
Each must get 404 (never 403 or data: the object's existence is not revealed) and leave a denied audit row.

Objects and request data come from the role × URL matrix (accounts/tests/test_policy_matrix.py): 李四's
case in 文学院 2023级2班 paired with erin, 文学院's ledger, the psych centre's escalation, carol's account.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from careledger.accounts import policy
from careledger.accounts.models import Role
from careledger.accounts.tests.test_policy_matrix import MATRIX
from careledger.audit.models import AuditEvent
from careledger.escalations.models import Department
from tests.support.testing import make_user

OBJECT_KWARGS = {"pk", "student_no", "case_pk"}
# Roles whose scope is the whole school for the objects they may reach.
WHOLE_SCHOOL = {Role.SCHOOL_ADMIN, Role.SECTION, Role.AUDITOR}
# URLs whose object is not scoped data: there is no "outside" to test.
NOT_SCOPED: dict[str, str] = {}


def _object_urls(resolver=None, namespace: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _object_urls(entry, ns)
        elif isinstance(entry, URLPattern) and OBJECT_KWARGS & set(entry.pattern.converters):
            yield f"{namespace}{entry.name}"


OBJECT_URLS = sorted(set(_object_urls()))


def _outsiders(school) -> dict[str, list]:
    """Per role, personas who hold that role but whose scope excludes the matrix's objects."""
    security = Department.objects.create(code="security", name="保卫处")
    return {
        Role.COLLEGE_ADMIN: [school.ivan],
        Role.COUNSELOR: [make_user("olga", role=Role.COUNSELOR, college=school.shuxue, grades=["2023"])],
        Role.CLASS_TEACHER: [
            make_user("pete", role=Role.CLASS_TEACHER, college=school.shuxue, classes=[school.math2023])
        ],
        Role.MENTOR: [make_user("quinn", role=Role.MENTOR, college=school.wenxue)],  # not paired with anyone
        Role.DEPARTMENT: [make_user("sam", role=Role.DEPARTMENT, department=security)],
    }


def test_every_object_url_is_covered():
    assert OBJECT_URLS, "the URL conf has object URLs"
    missing = [name for name in OBJECT_URLS if name not in MATRIX and name not in NOT_SCOPED]
    assert not missing, f"object URLs without a matrix row to build their object: {missing}"


@pytest.mark.parametrize("url_name", OBJECT_URLS)
def test_idor_out_of_scope_persona_gets_404_and_a_denied_audit_row(client, school, url_name):
    if url_name in NOT_SCOPED:
        pytest.skip(NOT_SCOPED[url_name])
    method, kwargs, data, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs(school))
    rule = policy.RULES[url_name]
    allowed = rule.read if method in ("get", "head") else rule.write
    if allowed and allowed <= WHOLE_SCHOOL and not rule.authenticated:
        pytest.skip(f"only {sorted(allowed)} may call it, who see every such object")
    tried = []
    for role, users in _outsiders(school).items():
        if role not in allowed and not rule.authenticated:
            continue  # the role may not call the endpoint at all: that is a 403, tested by the matrix
        for user in users:
            with transaction.atomic():
                client.force_login(user)
                before = AuditEvent.objects.filter(actor_username=user.username, outcome="denied").count()
                if method in ("put", "patch"):
                    response = getattr(client, method)(url, data or {}, content_type="application/json")
                elif data is not None:
                    response = getattr(client, method)(url, data)
                else:
                    response = getattr(client, method)(url)
                after = AuditEvent.objects.filter(actor_username=user.username, outcome="denied").count()
                tried.append(user.username)
                assert response.status_code == 404, (url_name, user.username, response.status_code)
                assert after == before + 1, (url_name, user.username, "no denied audit row")
                transaction.set_rollback(True)
    assert tried, f"{url_name}: no out-of-scope persona holds a role that may call it"


# Issue 11: the same walk over the write side of every object URL whose matrix row reads it (forms such as
# cases:edit, accounts:grant-add, accounts:user-edit): an outsider's POST is a 404 with a denied audit row,
# and nothing is written.
WRITE_SIDE = [
    name for name in OBJECT_URLS if name in MATRIX and MATRIX[name][0] in ("get", "head") and policy.RULES[name].write
]


@pytest.mark.parametrize("url_name", WRITE_SIDE)
def test_idor_out_of_scope_persona_writing_gets_404_and_a_denied_audit_row(client, school, url_name):
    _method, kwargs, _data, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs(school))
    allowed = policy.RULES[url_name].write
    if allowed <= WHOLE_SCHOOL:
        pytest.skip(f"only {sorted(allowed)} may write it, who see every such object")
    tried = []
    for role, users in _outsiders(school).items():
        if role not in allowed:
            continue
        for user in users:
            with transaction.atomic():
                client.force_login(user)
                before = AuditEvent.objects.filter(actor_username=user.username, outcome="denied").count()
                writes = AuditEvent.objects.exclude(outcome="denied").count()
                if url_name.endswith("-detail"):  # API detail objects are written with PATCH
                    response = client.patch(url, {"name": "x"}, content_type="application/json")
                else:
                    response = client.post(url, {"name": "x", "role": "counselor", "problem": "x"})
                assert response.status_code == 404, (url_name, user.username, response.status_code)
                assert AuditEvent.objects.filter(actor_username=user.username, outcome="denied").count() == before + 1
                assert AuditEvent.objects.exclude(outcome="denied").count() == writes
                tried.append(user.username)
                transaction.set_rollback(True)
    assert tried, f"{url_name}: no out-of-scope persona holds a role that may write it"
