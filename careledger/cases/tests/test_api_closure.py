"""Closing and reopening a case through the API, as api.md writes them.

The clock is fixed at 2026-11-20 10:00 Beijing time; the semester runs 2026-09-01 – 2027-01-15
(寒假 2027-01-16 – 2027-02-28 belongs to it: the next semester starts 2027-03-01). Fixtures: conftest.py.
"""

import pytest

from careledger.cases.models import CaseEvent
from careledger.cases.tests.api_helpers import as_user, open_case, post_contact

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_close_request_approve_and_reopen(school, paired):
    request = as_user(school.erin).post(
        f"/api/v1/cases/{paired.pk}/close-request/", {"reason": "情况好转"}, format="json"
    )
    assert request.status_code == 200 and request.json()["close_request"]["reason"] == "情况好转"
    assert as_user(school.carol).post(f"/api/v1/cases/{paired.pk}/close-approve/", {}, format="json").status_code == 403
    assert as_user(school.ivan).post(f"/api/v1/cases/{paired.pk}/close-approve/", {}, format="json").status_code == 404
    approved = as_user(school.bob).post(f"/api/v1/cases/{paired.pk}/close-approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "closed"
    assert approved.json()["closed_on"] == "2026-11-20"
    assert as_user(school.carol).get("/api/v1/cases/").json()["count"] == 0
    assert as_user(school.carol).get("/api/v1/cases/", {"status": "closed"}).json()["count"] == 1
    assert post_contact(as_user(school.carol), paired).status_code == 400
    reopened = as_user(school.carol).post(f"/api/v1/cases/{paired.pk}/reopen/", {}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    kinds = [e.kind for e in CaseEvent.objects.filter(case=paired).order_by("id")]
    assert kinds == ["opened", "mentor", "close_requested", "closed", "reopened"]


@pytest.mark.parametrize(("sent", "stored"), [({}, None), ({"improved": True}, True), ({"improved": False}, False)])
def test_close_request_improved_has_no_default(school, case, sent, stored):
    # api.md's body is {"reason"}: left out, 帮扶后有改善 is recorded as not stated — never ticked for them.
    answer = as_user(school.carol).post(
        f"/api/v1/cases/{case.pk}/close-request/", {"reason": "好转", **sent}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["close_request"]["improved"] is stored
    assert case.close_requests.get().improved is stored


def test_reject_keeps_the_case_open(school, case):
    as_user(school.carol).post(f"/api/v1/cases/{case.pk}/close-request/", {"reason": "好转"}, format="json")
    rejected = as_user(school.bob).post(
        f"/api/v1/cases/{case.pk}/close-reject/", {"note": "再观察一个月"}, format="json"
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "open"
    assert rejected.json()["close_request"] is None


def test_reopen_refused_when_a_new_case_is_open(school, case):
    as_user(school.carol).post(f"/api/v1/cases/{case.pk}/close-request/", {"reason": "好转"}, format="json")
    as_user(school.bob).post(f"/api/v1/cases/{case.pk}/close-approve/", {}, format="json")
    assert open_case(as_user(school.carol), opened_on="2026-11-20").status_code == 201
    assert as_user(school.carol).post(f"/api/v1/cases/{case.pk}/reopen/", {}, format="json").status_code == 400
