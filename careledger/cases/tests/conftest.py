"""Fixtures of the case API tests (test_api_*.py): the frozen clock each of those modules uses for every test
(``pytestmark``), a semester entered through the API, a case opened through the API by carol, and that case
paired with erin.
"""

import pytest
import time_machine

from careledger.cases.models import Case
from careledger.cases.tests.api_helpers import NOW, as_user, open_case
from careledger.core.models import Semester


@pytest.fixture
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def semester(school):
    client = as_user(school.alice)
    response = client.post(
        "/api/v1/semesters/",
        {
            "name": "2026-2027学年第一学期",
            "start": "2026-09-01",
            "end": "2027-01-15",
            "ledger_due": "2026-09-19",
            "holidays": [],
            "key_periods": [{"name": "考前", "start": "2027-01-04", "end": "2027-01-10"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    client.post(
        "/api/v1/semesters/",
        {
            "name": "2026-2027学年第二学期",
            "start": "2027-03-01",
            "end": "2027-07-10",
            "ledger_due": "2027-03-19",
            "holidays": [{"name": "寒假", "start": "2027-03-01", "end": "2027-03-02"}],
        },
        format="json",
    )
    return Semester.objects.get(name="2026-2027学年第一学期")


@pytest.fixture
def case(school, semester):
    response = open_case(as_user(school.carol))
    assert response.status_code == 201, response.json()
    return Case.objects.get(pk=response.json()["id"])


@pytest.fixture
def paired(school, case):
    assert (
        as_user(school.carol).put(f"/api/v1/cases/{case.pk}/mentor/", {"mentor": "erin"}, format="json").status_code
        == 200
    )
    return case
