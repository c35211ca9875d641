"""SEC-49 (and SEC-47 through the upload endpoints): a hostile-input table over every endpoint of the URL
conf — non-object JSON, control characters, path-like names, far-away cells — answers no 5xx, and a
non-object JSON body is a 400 wherever the caller is let in; OPTIONS never fails.

The table is generated from the URL conf: a new endpoint is covered without anyone adding it here.
"""

import io
import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from careledger.accounts import policy
from careledger.core.tests.test_sec_47_hostile_sheets import FAR_CELL, workbook
from careledger.notify.models import Channel
from tests.support.testing import make_attachment, make_escalation, make_ledger

# Signing out would end the client's session half-way through the table.
SKIP = {"logout", "api:auth-logout", "accounts:cas-login"}
NON_OBJECTS = [[{"a": 1}], "x", None]
HOSTILE = "../../x\x1b[31m\x00\x07\u202e"
HOSTILE_OBJECT = {
    name: HOSTILE
    for name in (
        "reason",
        "name",
        "title",
        "description",
        "text",
        "comment",
        "problem",
        "plan",
        "note",
        "student_no",
        "username",
        "password",
        "address",
        "content",
        "what",
    )
}


def _patterns(resolver=None, ns="", prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(
                entry, f"{ns}{entry.namespace}:" if entry.namespace else ns, prefix + str(entry.pattern)
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{ns}{entry.name}", prefix + str(entry.pattern), entry.pattern.converters


ENDPOINTS = sorted({(name, route) for name, route, _ in _patterns() if name not in SKIP})


def _kind(name: str) -> str:
    for word in ("grant", "attachment", "ledger", "escalation", "semester", "channel", "user", "case"):
        if word in name:
            return word
    return "case"


def _path(name: str, route: str, objects: dict) -> str:
    path = "/" + route.lstrip("^").rstrip("$")
    for _, _, converters in [p for p in _patterns() if p[0] == name][:1]:
        for key in converters:
            value = (
                objects["student_no"] if key == "student_no" else objects["case" if key == "case_pk" else _kind(name)]
            )
            for conv in ("int", "str", "path", "slug"):
                path = path.replace(f"<{conv}:{key}>", str(value))
            path = path.replace(f"<{key}>", str(value))
    return path


@pytest.fixture
def objects(school):
    escalation = make_escalation(school)
    case = escalation.case
    attachment = make_attachment(case)
    ledger = make_ledger(school)
    channel = Channel.objects.create(user=school.erin, kind="email", address="erin@example.edu.cn")
    return {
        "case": case.pk,
        "attachment": attachment.pk,
        "ledger": ledger.pk,
        "escalation": escalation.pk,
        "semester": ledger.semester_id,
        "channel": channel.pk,
        "user": school.carol.pk,
        "grant": school.carol.grants.get().pk,
        "student_no": case.student.student_no,
    }


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def _page(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


PERSONAS = ["alice", "erin", None]


def test_sec_49_non_object_json_is_400_on_every_endpoint(school, objects):
    failures = []
    for name, route in ENDPOINTS:
        path = _path(name, route, objects)
        for persona in PERSONAS:
            user = school.users[persona] if persona else None
            client = _api(user) if name.startswith("api:") else _page(user)
            for method in ("post", "patch"):
                for body in NON_OBJECTS:
                    response = getattr(client, method)(path, json.dumps(body), content_type="application/json")
                    if response.status_code >= 500:
                        failures.append(f"{method.upper()} {path} as {persona} {body!r} → {response.status_code}")
                    elif (
                        name.startswith("api:")
                        and user is not None
                        and method == "post"
                        and response.status_code not in (400, 401, 403, 404, 405, 415)
                        and policy.allows_endpoint(user, name, "POST")
                    ):
                        failures.append(f"POST {path} as {persona} {body!r} → {response.status_code}, not 400")
    assert failures == []


def test_sec_49_hostile_objects_forms_and_uploads_cause_no_5xx(school, objects):
    sheet = workbook(FAR_CELL)
    failures = []
    for name, route in ENDPOINTS:
        path = _path(name, route, objects)
        for persona in ("alice", "erin"):
            user = school.users[persona]
            client = _api(user) if name.startswith("api:") else _page(user)
            upload = io.BytesIO(sheet)
            upload.name = "../../x.xlsx"
            answers = [
                client.post(path, json.dumps(HOSTILE_OBJECT), content_type="application/json"),
                client.patch(path, json.dumps(HOSTILE_OBJECT), content_type="application/json"),
                client.post(path, {**HOSTILE_OBJECT, "file": upload}),
            ]
            for response in answers:
                if response.status_code >= 500:
                    failures.append(f"{path} as {persona} → {response.status_code}")
    assert failures == []


def test_sec_49_options_never_fails(school, objects):
    failures = []
    for name, route in ENDPOINTS:
        if not name.startswith("api:"):
            continue
        path = _path(name, route, objects)
        for persona in ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "harry", "ivan", None]:
            response = _api(school.users[persona] if persona else None).options(path)
            if response.status_code >= 500:
                failures.append(f"OPTIONS {path} as {persona} → {response.status_code}")
    assert failures == []
