"""The current semester is the one whose dates hold today (Asia/Shanghai), whatever order the 校历 was entered in
(product.md "Semesters"; issue 12). Semester.objects.current() is the one place that answers; every screen and
endpoint that means "this semester" asks it."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from careledger.api import assessment_views, ledger_views
from careledger.core import services
from careledger.core.models import Semester

PAST = ("2025-2026学年第二学期", date(2026, 3, 2), date(2026, 7, 10), date(2026, 3, 19))
PRESENT = ("2026-2027学年第一学期", date(2026, 9, 7), date(2027, 1, 15), date(2026, 9, 25))
FUTURE = ("2026-2027学年第二学期", date(2027, 3, 1), date(2027, 7, 9), date(2027, 3, 19))
TODAY = "2026-11-20T09:00:00+08:00"


def enter(*semesters) -> None:
    for name, start, end, due in semesters:
        services.semester_create(actor=None, name=name, start=start, end=end, ledger_due=due)


def current_name(day: str) -> str | None:
    with time_machine.travel(day, tick=False):
        found = Semester.objects.current()
    return found.name if found else None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-03-01T12:00:00+08:00", None),  # before the first semester
        ("2026-03-02T00:00:00+08:00", PAST[0]),  # its first day, at Shanghai midnight
        ("2026-07-10T12:00:00+08:00", PAST[0]),  # its last day
        ("2026-08-20T12:00:00+08:00", PAST[0]),  # 暑假: until the day before the next semester starts
        ("2026-09-06T23:59:00+08:00", PAST[0]),
        ("2026-09-06T16:30:00+00:00", PRESENT[0]),  # 00:30 on 09-07 in Shanghai, still the 6th in UTC
        ("2026-09-07T08:00:00+08:00", PRESENT[0]),
        (TODAY, PRESENT[0]),
        ("2027-02-10T12:00:00+08:00", PRESENT[0]),  # 寒假 belongs to the first semester
        ("2027-03-01T12:00:00+08:00", FUTURE[0]),
        ("2027-07-09T12:00:00+08:00", FUTURE[0]),
        ("2027-07-10T12:00:00+08:00", None),  # after the last semester's end, with none entered after it
    ],
)
@pytest.mark.parametrize("order", ["in order", "reversed"])
def test_the_current_semester_is_the_one_whose_dates_hold_today(day, expected, order):
    semesters = [PAST, PRESENT, FUTURE]
    enter(*(semesters if order == "in order" else reversed(semesters)))
    assert current_name(day) == expected


@pytest.mark.django_db
def test_with_no_semester_there_is_no_current_one():
    assert current_name(TODAY) is None


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("order", ["in order", "reversed"])
def test_every_screen_names_the_present_semester_whatever_the_order_of_entry(school, client, order):
    semesters = [PAST, PRESENT, FUTURE]
    enter(*(semesters if order == "in order" else reversed(semesters)))
    present = Semester.objects.get(name=PRESENT[0])
    with time_machine.travel(TODAY, tick=False):
        api = _api(school.alice)
        current = api.get("/api/v1/semesters/current/")
        assert current.status_code == 200
        assert (current.json()["name"], current.json()["is_current"]) == (PRESENT[0], True)
        listed = {s["name"]: s["is_current"] for s in api.get("/api/v1/semesters/").json()["results"]}
        assert listed == {PAST[0]: False, PRESENT[0]: True, FUTURE[0]: False}
        assert api.get("/api/v1/assessment/").status_code == 200
        assert assessment_views.semester_param(None) == present  # the API's default semester
        assert ledger_views._semester(None) == present

        client.force_login(school.carol)
        work = client.get(reverse("cases:work"))
        assert work.context["semester"] == present
        assert PRESENT[0] in work.content.decode()
        survey = client.get(reverse("ledgers:survey"))
        assert survey.context["semester"] == present
        ledgers = client.get(reverse("ledgers:index"))
        assert ledgers.context["semester"] == present
        assert PRESENT[0] in ledgers.content.decode()

        client.force_login(school.alice)
        dashboard = client.get(reverse("assessment:dashboard"))
        assert dashboard.context["semester"] == present
        school_ledgers = client.get(reverse("ledgers:school"))
        assert school_ledgers.context["semester"] == present
        semesters_page = client.get(reverse("cases:semesters"))
        assert [s.name for s in semesters_page.context["semesters"] if s.is_current] == [PRESENT[0]]


def test_current_semester_api_is_404_when_no_semester_holds_today(school):
    enter(PAST)
    with time_machine.travel("2026-11-20T09:00:00+08:00", tick=False):  # PAST ended on 07-10, nothing after it
        response = _api(school.carol).get("/api/v1/semesters/current/")
    assert response.status_code == 404


def test_creating_a_semester_takes_no_current_flag(school):
    body = {"name": PRESENT[0], "start": "2026-09-07", "end": "2027-01-15", "ledger_due": "2026-09-25"}
    with time_machine.travel(TODAY, tick=False):
        refused = _api(school.alice).post("/api/v1/semesters/", {**body, "is_current": True}, format="json")
        assert refused.status_code == 400 and "is_current" in refused.json()
        created = _api(school.alice).post("/api/v1/semesters/", body, format="json")
    assert created.status_code == 201 and created.json()["is_current"] is True


def test_entering_next_years_calendar_in_advance_does_not_move_the_current_semester(school):
    enter(PRESENT)
    with time_machine.travel(TODAY, tick=False):
        before = _api(school.alice).get("/api/v1/semesters/current/").json()["name"]
        enter(FUTURE, ("2027-2028学年第一学期", date(2027, 9, 6), date(2028, 1, 14), date(2027, 9, 24)))
        after = _api(school.alice).get("/api/v1/semesters/current/").json()["name"]
    assert before == after == PRESENT[0]
