"""End to end through the API (issue 12, "What it must show"): a semester entered as 2026-09-07 … with 国庆
and 寒假; the windows a case opened on 09-02 owes; a 休学 student's October; a closed-and-reopened case's
whole semester. Every expected window is worked out by hand in the comments from product.md.
"""

from datetime import date, datetime

import time_machine
from rest_framework.test import APIClient

from careledger.ledgers.models import Addendum, Ledger
from careledger.roster.models import EnrolmentStatus, StudentStatus
from tests.support.testing import make_student


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def windows(client, case_id, date_from, date_to):
    body = ok(client.get(f"/api/v1/cases/{case_id}/compliance/", {"from": date_from, "to": date_to}))
    return [
        (w["rule"], w["start"][5:], w["end"][5:], w["required"], w["done"], w["met"], w["ended"])
        for w in body["windows"]
    ]


def test_a_semester_starting_on_the_7th_through_the_api(school):
    alice, carol, bob = client_for(school.alice), client_for(school.carol), client_for(school.bob)
    chen = make_student("202301019999", "陈一", school.c2023_1)
    school.students["chen"] = chen
    with time_machine.travel(at("2026-09-02T10:00:00"), tick=False) as traveller:
        ok(
            alice.post(
                "/api/v1/semesters/",
                {
                    "name": "2026-2027学年第一学期",
                    "start": "2026-09-07",
                    "end": "2027-02-28",
                    "ledger_due": "2026-09-30",
                    "holidays": [
                        {"name": "国庆", "start": "2026-10-01", "end": "2026-10-07"},
                        {"name": "寒假", "start": "2027-01-23", "end": "2027-02-28"},
                    ],
                    "key_periods": [],
                },
                format="json",
            ),
            201,
        )
        opened = {}
        for key, day in (("zhang", "2026-09-02"), ("li", "2026-09-01"), ("chen", "2026-09-01")):
            body = ok(
                carol.post(
                    "/api/v1/cases/",
                    {"student": school.students[key].student_no, "opened_on": day,
                     "categories": [{"category": "psych", "detail": "x"}]},
                    format="json",
                ),
                201,
            )  # fmt: skip
            opened[key] = body["id"]
        ok(carol.put(f"/api/v1/cases/{opened['chen']}/mentor/", {"mentor": "erin"}, format="json"))

        def contact(key, kind, moment):
            traveller.move_to(at(moment))
            ok(
                carol.post(
                    f"/api/v1/cases/{opened[key]}/contacts/",
                    {"kind": kind, "occurred_at": at(moment).isoformat(), "location": "宿舍", "content": "谈心"},
                    format="json",
                ),
                201,
            )

        contact("zhang", "talk", "2026-09-10T15:00:00")
        contact("zhang", "dorm_visit", "2026-09-12T20:00:00")
        contact("zhang", "dorm_visit", "2026-09-12T21:00:00")  # a second visit on the same day counts once
        contact("chen", "talk", "2026-09-08T15:00:00")
        contact("chen", "talk", "2026-10-02T15:00:00")
        # 李四 on 休学 from 10-12, back (在校) from 10-20 (written as the status service would).
        StudentStatus.objects.create(
            student=school.students["li"], status=EnrolmentStatus.LEAVE, since=date(2026, 10, 12)
        )
        StudentStatus.objects.create(
            student=school.students["li"], status=EnrolmentStatus.ENROLLED, since=date(2026, 10, 20)
        )
        # 陈一's case closed on 10-05 (after the college had submitted its ledger) and reopened on 10-12.
        Ledger.objects.create(
            semester_id=ok(alice.get("/api/v1/semesters/current/"))["id"],
            college=school.wenxue,
            status="submitted",
            submitted_at=at("2026-09-20T10:00:00"),
            created_by=school.carol,
        )
        traveller.move_to(at("2026-10-05T10:00:00"))
        ok(carol.post(f"/api/v1/cases/{opened['chen']}/close-request/", {"reason": "好转"}, format="json"))
        assert (
            ok(bob.post(f"/api/v1/cases/{opened['chen']}/close-approve/", {"note": ""}, format="json"))["status"]
            == "closed"
        )
        traveller.move_to(at("2026-10-12T10:00:00"))
        reopened = ok(carol.post(f"/api/v1/cases/{opened['chen']}/reopen/", {"mentor": "erin"}, format="json"))
        assert (reopened["status"], reopened["last_mentor"]) == ("open", "erin")
        assert Addendum.objects.filter(case_id=opened["chen"]).exists()  # 随时上报
        traveller.move_to(at("2026-11-20T12:00:00"))

        # Opened 09-02, the semester from 09-07: 09-07..09-15 has 9 due days → a talk (met by 09-10);
        # September 24 due days → 2 visits (two on 09-12 count once: 1); 09-16..09-30 a talk, none made.
        assert windows(carol, opened["zhang"], "2026-09-01", "2026-09-30") == [
            ("talk", "09-07", "09-15", 1, 1, True, True),
            ("dorm_visit", "09-07", "09-30", 2, 1, False, True),
            ("talk", "09-16", "09-30", 1, 0, False, True),
        ]
        # 李四's October: Oct 1–15 due 10-01..10-11 (11) → a talk, reported to 10-11; Oct 16–31 due
        # 10-20..10-31 (12) → a talk from 10-20; October 11 + 12 = 23 due days, 7 of them 国庆 → 16 → 2 visits.
        assert windows(carol, opened["li"], "2026-10-01", "2026-10-31") == [
            ("talk", "10-01", "10-11", 1, 0, False, True),
            ("dorm_visit", "10-01", "10-31", 2, 0, False, True),
            ("talk", "10-20", "10-31", 1, 0, False, True),
        ]
        # 陈一, open 09-01..10-05 and from 10-12: every period counts. Oct 1–15 has 5 + 4 = 9 due days → a
        # talk (met by 10-02); October 5 + 20 = 25 due days, 5 of them 国庆 → 2 visits. January: 寒假 from
        # 01-23 leaves 22 non-holiday days → 2 visits; February is all 寒假 → no visit, talks stay.
        assert windows(carol, opened["chen"], "2026-09-01", "2027-02-28") == [
            ("talk", "09-07", "09-15", 1, 1, True, True),
            ("dorm_visit", "09-07", "09-30", 2, 0, False, True),
            ("talk", "09-16", "09-30", 1, 0, False, True),
            ("talk", "10-01", "10-15", 1, 1, True, True),
            ("dorm_visit", "10-01", "10-31", 2, 0, False, True),
            ("talk", "10-16", "10-31", 1, 0, False, True),
            ("talk", "11-01", "11-15", 1, 0, False, True),
            ("dorm_visit", "11-01", "11-30", 2, 0, False, False),
            ("talk", "11-16", "11-30", 1, 0, False, False),
            ("talk", "12-01", "12-15", 1, 0, False, False),
            ("dorm_visit", "12-01", "12-31", 2, 0, False, False),
            ("talk", "12-16", "12-31", 1, 0, False, False),
            ("talk", "01-01", "01-15", 1, 0, False, False),
            ("dorm_visit", "01-01", "01-31", 2, 0, False, False),
            ("talk", "01-16", "01-31", 1, 0, False, False),
            ("talk", "02-01", "02-15", 1, 0, False, False),
            ("talk", "02-16", "02-28", 1, 0, False, False),
        ]
        overdue = {row["case"]: row for row in ok(carol.get("/api/v1/compliance/overdue/"))}
        assert set(overdue) == set(opened.values())
        assert [(w["rule"], w["start"][5:]) for w in overdue[opened["zhang"]]["windows"]][:2] == [
            ("dorm_visit", "09-07"),
            ("talk", "09-16"),
        ]
        listed = ok(carol.get("/api/v1/cases/", {"overdue": "true"}))
        assert {row["id"] for row in listed["results"]} == set(opened.values())
