"""Contacts and compliance through the API, as api.md writes them.

The clock is fixed at 2026-11-20 10:00 Beijing time; the semester runs 2026-09-01 – 2027-01-15
(寒假 2027-01-16 – 2027-02-28 belongs to it: the next semester starts 2027-03-01). Fixtures: conftest.py.
"""

import pytest

from careledger.cases.tests.api_helpers import as_user, open_case, post_contact

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_contact_is_recorded_and_listed_and_future_is_400(school, paired):
    erin = as_user(school.erin)
    ok = post_contact(erin, paired)
    assert ok.status_code == 201 and ok.json()["local_date"] == "2026-11-18"
    future = post_contact(erin, paired, at="2026-11-21T09:00:00+08:00")
    assert future.status_code == 400 and "occurred_at" in future.json()
    listed = erin.get(f"/api/v1/cases/{paired.pk}/contacts/").json()
    assert listed["count"] == 1 and listed["results"][0]["recorded_by"] == "erin"


def test_contact_at_2330_beijing_belongs_to_that_local_day(school, paired):
    response = post_contact(as_user(school.erin), paired, at="2026-11-15T15:30:00Z")  # 23:30 Beijing, 15 Nov
    assert response.json()["local_date"] == "2026-11-15"


def test_compliance_windows_as_api_md_writes_them(school, paired):
    erin = as_user(school.erin)
    post_contact(erin, paired, at="2026-11-02T10:00:00+08:00")
    post_contact(erin, paired, kind="dorm_visit", at="2026-11-03T20:00:00+08:00")
    post_contact(erin, paired, kind="dorm_visit", at="2026-11-16T20:00:00+08:00")
    response = erin.get(f"/api/v1/cases/{paired.pk}/compliance/", {"from": "2026-11-01", "to": "2026-11-30"})
    assert response.json() == {
        "windows": [
            {
                "rule": "talk",
                "start": "2026-11-01",
                "end": "2026-11-15",
                "required": 1,
                "done": 1,
                "met": True,
                "ended": True,
            },
            {
                "rule": "dorm_visit",
                "start": "2026-11-01",
                "end": "2026-11-30",
                "required": 2,
                "done": 2,
                "met": True,
                "ended": False,
            },
            {
                "rule": "talk",
                "start": "2026-11-16",
                "end": "2026-11-30",
                "required": 1,
                "done": 0,
                "met": False,
                "ended": False,
            },
        ]
    }
    assert erin.get(f"/api/v1/cases/{paired.pk}/compliance/", {"from": "2026-13-01"}).status_code == 400


def test_overdue_lists_ended_unmet_windows_and_a_contact_clears_them(school, paired):
    # Opened 2026-09-01 with no contacts: every ended window is unmet (talks Sep 1 – Nov 15: 5;
    # dorm visits Sep, Oct: 2).
    erin = as_user(school.erin)
    overdue = erin.get("/api/v1/compliance/overdue/").json()
    assert [(o["case"], o["student"]) for o in overdue] == [(paired.pk, "202301010001")]
    assert [(w["rule"], w["start"]) for w in overdue[0]["windows"]] == [
        ("talk", "2026-09-01"),
        ("dorm_visit", "2026-09-01"),
        ("talk", "2026-09-16"),
        ("talk", "2026-10-01"),
        ("dorm_visit", "2026-10-01"),
        ("talk", "2026-10-16"),
        ("talk", "2026-11-01"),
    ]
    listed = erin.get("/api/v1/cases/", {"overdue": "true"}).json()
    assert [c["id"] for c in listed["results"]] == [paired.pk]


def test_a_case_opened_this_window_is_not_overdue(school, semester):
    carol = as_user(school.carol)
    response = open_case(carol, opened_on="2026-11-16")
    assert response.status_code == 201
    assert carol.get("/api/v1/compliance/overdue/").json() == []
