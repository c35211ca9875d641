"""SEC-39: fuzz the whole API from its own OpenAPI schema (/api/schema/), as every persona: no 5xx.

Schemathesis generates requests for every operation of the drf-spectacular schema and sends them to
the Django WSGI application in this process (no server, no network), authenticated with a token per
persona of core/testing.py build_school(). A few derandomised examples per operation keep the run to
a minute or two; CI runs it in `make test` on SQLite and PostgreSQL (.ci/run checks it ran).
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from careledger.accounts.authentication import issue_token
from tests.support.testing import make_case, make_escalation, make_ledger

pytestmark = pytest.mark.schemathesis

PERSONAS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "harry", "ivan", "anonymous"]
EXAMPLES_PER_OPERATION = 5
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


class InProcessApp:
    """Django's WSGI handler, minus the per-request connection clean-up (as django.test.Client does):
    the test's transaction must survive each request so that everything is rolled back afterwards."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _fuzz(operation, mode, headers: dict) -> None:
    """A few derandomised requests for one operation; AssertionError on a 5xx."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{operation.label} [{mode.value}] → {response.status_code}: {case.as_curl_command()}"
        )

    run()


def _server_errors(schema, headers: dict) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            try:
                _fuzz(operation, mode, headers)
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])
            except Unsatisfiable:
                pass  # nothing of this operation can be made invalid (negative mode): nothing to send
    return failures


@pytest.mark.parametrize("persona", PERSONAS)
def test_sec_39_fuzzing_the_api_finds_no_server_error(school, persona):
    make_escalation(school)  # with 李四's case (paired with erin)
    make_case(school, "zhang")
    make_ledger(school)
    app = InProcessApp()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    headers = {}
    if persona != "anonymous":
        headers["Authorization"] = f"Token {issue_token(school.users[persona]).key}"
    failures = _server_errors(schema, headers)
    assert not failures, "\n".join(failures)
